"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_path_1 = require("node:path");
const elf_js_1 = require("../../../src/common/elf.js");
const ld_so_conf_js_1 = require("../../../src/common/ld-so-conf.js");
const library_closure_js_1 = require("../../../src/emulator/prefix/library-closure.js");
const emulator_prefix_js_1 = require("../../../src/emulator/prefix/emulator-prefix.js");
const arch_js_1 = require("../../../src/common/arch.js");
const elf_builder_js_1 = require("./elf-builder.js");
const fake_fs_js_1 = require("./fake-fs.js");
const M = 0xb7;
const lib = (soname, needed = [], runpath) => ({
    bytes: (0, elf_builder_js_1.buildElf)({ machine: M, dynamic: { soname, needed, ...(runpath ? { runpath } : {}) } }),
});
/** A Fedora-shaped aarch64 host: FEX + FEXServer with a small library closure. */
function fedora() {
    return new fake_fs_js_1.FakeFs({
        '/usr/bin/FEX': { bytes: (0, elf_builder_js_1.buildElf)({ machine: M, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libFEXCore.so', 'libstdc++.so.6', 'libc.so.6'], runpath: '$ORIGIN/../lib64/fex' } }), exec: true },
        '/usr/bin/FEXServer': { bytes: (0, elf_builder_js_1.buildElf)({ machine: M, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libstdc++.so.6', 'libc.so.6'] } }), exec: true },
        '/usr/lib64/fex/libFEXCore.so': lib('libFEXCore.so', ['libm.so.6', 'libc.so.6']),
        '/lib': { link: 'usr/lib' },
        '/usr/lib/ld-linux-aarch64.so.1': { link: '../lib64/ld-linux-aarch64.so.1' },
        '/usr/lib64/ld-linux-aarch64.so.1': { bytes: (0, elf_builder_js_1.buildElf)({ machine: M, dynamic: { soname: 'ld-linux-aarch64.so.1' } }), exec: true },
        '/usr/lib64/libc.so.6': lib('libc.so.6', ['ld-linux-aarch64.so.1']),
        '/usr/lib64/libm.so.6': lib('libm.so.6', ['libc.so.6']),
        '/usr/lib64/libstdc++.so.6': { link: 'libstdc++.so.6.0.33' },
        '/usr/lib64/libstdc++.so.6.0.33': lib('libstdc++.so.6', ['libm.so.6', 'libc.so.6', 'libgcc_s.so.1']),
        // An x86-64 libgcc_s earlier on the search path must be skipped, like the loader does.
        '/opt/x86/libgcc_s.so.1': { bytes: (0, elf_builder_js_1.buildElf)({ machine: 0x3e, dynamic: { soname: 'libgcc_s.so.1' } }) },
        '/usr/lib64/libgcc_s.so.1': lib('libgcc_s.so.1', ['libc.so.6']),
        '/etc/ld.so.conf': { bytes: 'include ld.so.conf.d/*.conf\n' },
        '/etc/ld.so.conf.d/a.conf': { bytes: '# x86 libs for some reason\n/opt/x86\n' },
        '/etc/ld.so.conf.d/README': { bytes: '/not/included\n' },
    });
}
(0, node_test_1.test)('parseLdSoConf: dirs, includes, comments, hwcap, old separators', () => {
    strict_1.default.deepEqual((0, ld_so_conf_js_1.parseLdSoConf)('include /etc/ld.so.conf.d/*.conf\n# c\n/usr/local/lib\nhwcap 0 nosegneg\n/a:/b,/c=libc5 /d/\n'), [
        { kind: 'include', value: '/etc/ld.so.conf.d/*.conf' },
        { kind: 'dir', value: '/usr/local/lib' },
        { kind: 'dir', value: '/a' },
        { kind: 'dir', value: '/b' },
        { kind: 'dir', value: '/c' },
        { kind: 'dir', value: '/d' },
    ]);
});
(0, node_test_1.test)('loadLdSoConfDirs: relative include glob, sorted, only matching names', async () => {
    const fs = fedora();
    fs.put('/etc/ld.so.conf.d/0.conf', '/first\n');
    const dirs = await (0, ld_so_conf_js_1.loadLdSoConfDirs)({ readText: async (p) => fs.text(p), listDir: async (p) => fs.list(p) });
    strict_1.default.deepEqual(dirs, ['/first', '/opt/x86']);
});
(0, node_test_1.test)('defaultLibraryDirs: multiarch and lib64 layouts', () => {
    strict_1.default.deepEqual((0, ld_so_conf_js_1.defaultLibraryDirs)(arch_js_1.Arch.of('aarch64')).slice(0, 3), ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib64']);
    strict_1.default.ok((0, ld_so_conf_js_1.defaultLibraryDirs)(arch_js_1.Arch.of('arm')).includes('/usr/lib/arm-linux-gnueabihf'));
});
const closureDeps = (fs) => ({ readFile: async (p) => fs.read(p), realpath: async (p) => fs.resolve(p) });
const sysDirs = ['/opt/x86', ...(0, ld_so_conf_js_1.defaultLibraryDirs)(arch_js_1.Arch.of('aarch64'))];
(0, node_test_1.test)('resolveClosure: RUNPATH with $ORIGIN, symlinked sonames, wrong-arch candidates skipped, loader once', async () => {
    const c = await (0, library_closure_js_1.resolveClosure)({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }, { path: '/usr/bin/FEXServer', name: 'FEXServer' }], systemDirs: sysDirs }, closureDeps(fedora()));
    strict_1.default.equal(c.loader?.name, 'ld-linux-aarch64.so.1');
    strict_1.default.equal(c.loader?.source, '/usr/lib64/ld-linux-aarch64.so.1');
    strict_1.default.deepEqual(c.libraries.map((l) => [l.name, l.source]), [
        ['libFEXCore.so', '/usr/lib64/fex/libFEXCore.so'],
        ['libc.so.6', '/usr/lib64/libc.so.6'],
        ['libgcc_s.so.1', '/usr/lib64/libgcc_s.so.1'],
        ['libm.so.6', '/usr/lib64/libm.so.6'],
        ['libstdc++.so.6', '/usr/lib64/libstdc++.so.6.0.33'],
    ]);
});
(0, node_test_1.test)('resolveClosure: a missing library names the needer and the fix', async () => {
    const fs = fedora();
    fs.files.delete('/usr/lib64/libm.so.6');
    await strict_1.default.rejects((0, library_closure_js_1.resolveClosure)({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }], systemDirs: sysDirs }, closureDeps(fs)), (e) => /libFEXCore\.so needs libm\.so\.6/.test(e.message) && /install the package/.test(e.fix ?? ''));
});
(0, node_test_1.test)('planPrefix + patchCommands: modes, patches and a content digest', async () => {
    const c = await (0, library_closure_js_1.resolveClosure)({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }], systemDirs: sysDirs }, closureDeps(fedora()));
    const plan = (0, emulator_prefix_js_1.planPrefix)(c);
    strict_1.default.deepEqual(plan.files.map((f) => [f.path, f.mode.toString(8), f.patch]), [
        ['bin/FEX', '555', 'executable'],
        ['lib/ld-linux-aarch64.so.1', '555', 'none'],
        ['lib/libFEXCore.so', '444', 'library'],
        ['lib/libc.so.6', '444', 'library'],
        ['lib/libgcc_s.so.1', '444', 'library'],
        ['lib/libm.so.6', '444', 'library'],
        ['lib/libstdc++.so.6', '444', 'library'],
    ]);
    strict_1.default.match(plan.digest, /^[0-9a-f]{64}$/);
    const cmds = (0, emulator_prefix_js_1.patchCommands)(plan, '/P');
    strict_1.default.deepEqual(cmds[0], ['--set-interpreter', '/P/lib/ld-linux-aarch64.so.1', '--set-rpath', '/P/lib', '/P/bin/FEX']);
    strict_1.default.deepEqual(cmds[1], ['--set-rpath', '/P/lib', '/P/lib/libFEXCore.so']);
    // Same contents from different places → same digest; one changed byte → another.
    const fs2 = fedora();
    fs2.put('/usr/lib64/libm.so.6', (0, elf_builder_js_1.buildElf)({ machine: M, dynamic: { soname: 'libm.so.6', needed: ['libc.so.6', 'libgcc_s.so.1'] } }));
    const other = (0, emulator_prefix_js_1.planPrefix)(await (0, library_closure_js_1.resolveClosure)({ binaries: [{ path: '/usr/bin/FEX', name: 'FEX' }], systemDirs: sysDirs }, closureDeps(fs2)));
    strict_1.default.notEqual(other.digest, plan.digest);
});
/** PrefixDeps over the fake fs; "patchelf" rewrites the ELF with buildElf. */
function prefixDeps(fs, log = []) {
    let n = 0;
    return {
        ...closureDeps(fs),
        readText: async (p) => fs.text(p),
        listDir: async (p) => fs.list(p),
        exists: async (p) => fs.resolve(p) !== undefined,
        mkdir: async (p) => void fs.dirs.add(p),
        writeFile: async (p, data, mode) => fs.put(p, data, mode),
        chmod: async (p, mode) => {
            const f = fs.files.get(p);
            if (f)
                f.mode = mode;
        },
        chown: async (p, uid) => {
            const f = fs.files.get(p);
            if (f)
                f.uid = uid;
        },
        rename: async (from, to) => {
            log.push(`rename ${node_path_1.posix.basename(from)}`);
            if (fs.list(to)?.length)
                throw Object.assign(new Error('ENOTEMPTY'), { code: 'ENOTEMPTY' });
            for (const [k, v] of [...fs.files])
                if (k.startsWith(from + '/'))
                    fs.files.set(to + k.slice(from.length), v), fs.files.delete(k);
            fs.dirs.add(to);
        },
        removeTree: async (p) => {
            for (const k of [...fs.files.keys()])
                if (k.startsWith(p + '/'))
                    fs.files.delete(k);
            fs.dirs.delete(p);
        },
        patchelf: async (args) => {
            const target = args[args.length - 1] ?? '';
            log.push(`patchelf ${args.slice(0, -1).join(' ')}`);
            const elf = (0, elf_js_1.parseElf)(fs.read(target) ?? new Uint8Array());
            const interp = args.includes('--set-interpreter') ? args[args.indexOf('--set-interpreter') + 1] : elf.interpreter;
            const runpath = args[args.indexOf('--set-rpath') + 1];
            fs.put(target, (0, elf_builder_js_1.buildElf)({ machine: elf.machine, ...(interp ? { interpreter: interp } : {}), dynamic: { needed: [...(elf.dynamic?.needed ?? [])], ...(runpath ? { runpath } : {}) } }));
        },
        getuid: () => 0,
        uniqueSuffix: () => `t${++n}`,
    };
}
(0, node_test_1.test)('stagePrefix: stages FEX + FEXServer, patches loader and RUNPATH, seals modes, reuses on second run', async () => {
    const fs = fedora();
    const log = [];
    const d = prefixDeps(fs, log);
    const r = await (0, emulator_prefix_js_1.stagePrefix)('/usr/bin/FEX', { stateDir: '/var/lib/fexpod', extraBinaries: ['/usr/bin/FEXServer'] }, d);
    strict_1.default.equal(r.static, false);
    strict_1.default.equal(r.prefix, `/var/lib/fexpod/prefix/${r.digest}`);
    strict_1.default.equal(r.interpreter, `${r.prefix}/bin/FEX`);
    strict_1.default.deepEqual(r.extra, { FEXServer: `${r.prefix}/bin/FEXServer` });
    const fex = (0, elf_js_1.parseElf)(fs.read(r.interpreter) ?? new Uint8Array());
    strict_1.default.equal(fex.interpreter, `${r.prefix}/lib/ld-linux-aarch64.so.1`);
    strict_1.default.deepEqual(fex.dynamic?.runpath, [`${r.prefix}/lib`]);
    strict_1.default.equal(fs.files.get(`${r.prefix}/lib/libc.so.6`)?.mode, 0o444);
    strict_1.default.equal(fs.files.get(`${r.prefix}/bin/FEXServer`)?.mode, 0o555);
    strict_1.default.equal(fs.files.get(`${r.prefix}/lib/libc.so.6`)?.uid, 0);
    strict_1.default.ok(fs.read(`${r.prefix}/${emulator_prefix_js_1.PREFIX_MANIFEST}`));
    strict_1.default.ok(![...fs.files.keys()].some((k) => k.includes('.staging-')), 'temp dir removed');
    const patches = log.filter((l) => l.startsWith('patchelf')).length;
    const again = await (0, emulator_prefix_js_1.stagePrefix)('/usr/bin/FEX', { stateDir: '/var/lib/fexpod', extraBinaries: ['/usr/bin/FEXServer'] }, d);
    strict_1.default.deepEqual(again, r);
    strict_1.default.equal(log.filter((l) => l.startsWith('patchelf')).length, patches, 'second run reuses, patches nothing');
});
(0, node_test_1.test)('stagePrefix: losing a concurrent race reuses the winner and removes its own temp dir', async () => {
    const fs = fedora();
    const d = prefixDeps(fs);
    const first = await (0, emulator_prefix_js_1.stagePrefix)('/usr/bin/FEX', { stateDir: '/s' }, d);
    // Second stager checked before the first finished: pretend the manifest was not there yet.
    let checks = 0;
    const racing = { ...d, exists: async (p) => (p.endsWith(emulator_prefix_js_1.PREFIX_MANIFEST) && checks++ === 0 ? false : d.exists(p)) };
    const second = await (0, emulator_prefix_js_1.stagePrefix)('/usr/bin/FEX', { stateDir: '/s' }, racing);
    strict_1.default.equal(second.prefix, first.prefix);
    strict_1.default.ok(![...fs.files.keys()].some((k) => k.includes('.staging-')));
});
(0, node_test_1.test)('stagePrefix: a static emulator needs no prefix', async () => {
    const fs = new fake_fs_js_1.FakeFs({ '/usr/bin/qemu-x86_64-static': { bytes: (0, elf_builder_js_1.buildElf)({ machine: M, type: 2 }), exec: true } });
    const r = await (0, emulator_prefix_js_1.stagePrefix)('/usr/bin/qemu-x86_64-static', { stateDir: '/s' }, prefixDeps(fs));
    strict_1.default.deepEqual(r, { static: true, prefix: undefined, interpreter: '/usr/bin/qemu-x86_64-static', extra: {}, digest: undefined });
});
(0, node_test_1.test)('stagePrefix: the staged name can differ (Debian qemu "-binfmt-P" argv[0] convention)', async () => {
    const fs = fedora();
    const r = await (0, emulator_prefix_js_1.stagePrefix)('/usr/bin/FEX', { stateDir: '/s', name: 'x86_64-binfmt-P' }, prefixDeps(fs));
    strict_1.default.ok(r.interpreter.endsWith('/bin/x86_64-binfmt-P'));
});
(0, node_test_1.test)('stagePrefix: relative paths are refused (they would be baked into PT_INTERP)', async () => {
    await strict_1.default.rejects((0, emulator_prefix_js_1.stagePrefix)('/usr/bin/FEX', { stateDir: 'state' }, prefixDeps(fedora())), /absolute paths/);
});
