"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Oracle tests on this host's real files: the ELF parser against `readelf -d`
 * over a sample of system libraries, and the library closure against `ldd`
 * (the glibc loader's own answer) for a few trusted host binaries. Test-only
 * use of ldd: fexpod itself never runs it.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const elf_js_1 = require("../../../src/common/elf.js");
const library_closure_js_1 = require("../../../src/emulator/prefix/library-closure.js");
const ld_so_conf_js_1 = require("../../../src/common/ld-so-conf.js");
const prefix_deps_js_1 = require("../../../src/emulator/prefix/prefix-deps.js");
const integration_js_1 = require("../../helpers/integration.js");
const host = arch_js_1.Arch.fromNode(process.arch);
const libDir = (0, ld_so_conf_js_1.defaultLibraryDirs)(host).find((d) => (0, node_fs_1.existsSync)(d) && (0, node_fs_1.readdirSync)(d).some((f) => f.includes('.so')));
const haveTools = (() => {
    try {
        (0, node_child_process_1.execFileSync)('readelf', ['--version'], { stdio: 'ignore' });
        (0, node_child_process_1.execFileSync)('ldd', ['--version'], { stdio: 'ignore' });
        return true;
    }
    catch {
        return false;
    }
})();
function readelfDynamic(path) {
    const out = (0, node_child_process_1.execFileSync)('readelf', ['-dW', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const pick = (tag) => [...out.matchAll(new RegExp(`\\(${tag}\\)\\s+\\S+(?: \\S+)*?: \\[([^\\]]*)\\]`, 'g'))].map((m) => m[1] ?? '');
    const r = { needed: pick('NEEDED') };
    const [soname] = pick('SONAME');
    const [runpath] = pick('RUNPATH');
    const [rpath] = pick('RPATH');
    if (soname !== undefined)
        r.soname = soname;
    if (runpath !== undefined)
        r.runpath = runpath;
    if (rpath !== undefined)
        r.rpath = rpath;
    return r;
}
(0, node_test_1.test)('parseElf agrees with readelf -d on up to 150 system libraries', (0, integration_js_1.integration)({ what: 'readelf and a system library dir', ok: Boolean(haveTools && libDir) }), () => {
    const files = (0, node_fs_1.readdirSync)(libDir)
        .filter((f) => /\.so(\.\d+)*$/.test(f))
        .map((f) => (0, node_path_1.join)(libDir, f))
        .filter((p) => (0, node_fs_1.statSync)(p).isFile())
        .sort()
        .slice(0, 150);
    let checked = 0;
    for (const p of files) {
        const bytes = (0, node_fs_1.readFileSync)(p);
        if (bytes.subarray(0, 4).toString('latin1') !== '\x7fELF')
            continue; // linker scripts
        const elf = (0, elf_js_1.parseElf)(bytes);
        const want = readelfDynamic(p);
        strict_1.default.deepEqual(elf.dynamic?.needed ?? [], want.needed, p);
        strict_1.default.equal(elf.dynamic?.soname, want.soname, p);
        strict_1.default.equal(elf.dynamic?.runpath?.join(':'), want.runpath || undefined, p);
        strict_1.default.equal(elf.dynamic?.rpath?.join(':'), want.rpath || undefined, p);
        checked++;
    }
    strict_1.default.ok(checked > 20, `only ${checked} libraries checked`);
});
function lddClosure(path) {
    const out = (0, node_child_process_1.execFileSync)('ldd', [path], { encoding: 'utf8' });
    const m = new Map();
    for (const line of out.split('\n')) {
        const hit = /^\s*(\S+) => (\/\S+) \(0x/.exec(line);
        if (hit && hit[1] && hit[2])
            m.set(hit[1], (0, node_fs_1.realpathSync)(hit[2]));
    }
    return m;
}
const binaries = ['/usr/bin/qemu-aarch64', '/usr/bin/qemu-x86_64', '/usr/bin/podman', '/usr/bin/patchelf', process.execPath].filter((p, i, all) => (0, node_fs_1.existsSync)(p) && all.indexOf(p) === i);
for (const bin of binaries) {
    (0, node_test_1.test)(`resolveClosure(${bin}) finds exactly the libraries ldd lists`, (0, integration_js_1.integration)({ what: 'ldd', ok: Boolean(haveTools) }), async () => {
        const deps = (0, prefix_deps_js_1.nodePrefixDeps)();
        const dirs = [...(await (0, ld_so_conf_js_1.loadLdSoConfDirs)(deps)), ...(0, ld_so_conf_js_1.defaultLibraryDirs)(host)];
        const c = await (0, library_closure_js_1.resolveClosure)({ binaries: [{ path: bin, name: 'x' }], systemDirs: dirs }, deps);
        const ours = new Map(c.libraries.map((l) => [l.name, l.source]));
        const theirs = lddClosure(bin);
        strict_1.default.deepEqual([...ours.entries()].sort(), [...theirs.entries()].sort());
    });
}
