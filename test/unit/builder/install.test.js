"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/** Install rules on synthetic packages (real RPMs are covered by the integration tests). */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const install_js_1 = require("../../../src/builder/tree/install.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const enc = new TextEncoder();
function file(index, path, over = {}) {
    return {
        index, path, mode: 0o100644, size: 0, user: 'root', group: 'root', mtime: 1000, linkTo: '', flags: 0, digest: '',
        lang: '', caps: '', color: 0, rdev: 0, hardlinks: [], ...over,
    };
}
function pkg(nevra, files, data = {}) {
    const content = new Map();
    for (const f of files) {
        if ((f.mode & 0o170000) === 0o100000) {
            const c = (0, tree_js_1.bufferContent)(enc.encode(data[f.index] ?? ''));
            content.set(f.index, { ...c, sha256: `sha-${data[f.index] ?? ''}` });
        }
    }
    return { nevra, name: nevra, arch: 'x86_64', header: {}, files, content };
}
const opts = { docs: true, langs: 'all', sourceDateEpoch: 5 };
(0, node_test_1.test)('multilib: different-color ELF files resolve to the preferred color without a conflict', async () => {
    const a = pkg('lib-1.i686', [file(0, '/usr/bin/tool', { color: 1, mode: 0o100755 })], { 0: 'elf32' });
    const b = pkg('lib-1.x86_64', [file(0, '/usr/bin/tool', { color: 2, mode: 0o100755 })], { 0: 'elf64' });
    for (const order of [[a, b], [b, a]]) {
        const { tree, report } = await (0, install_js_1.installPackages)(order, { ...opts, preferColor: 2 });
        strict_1.default.equal(report.conflicts.length, 0);
        strict_1.default.equal(tree.get('usr/bin/tool')?.owner, 'lib-1.x86_64');
    }
});
(0, node_test_1.test)('same path with different content is a conflict naming both packages', async () => {
    const a = pkg('a-1.x86_64', [file(0, '/etc/x')], { 0: 'one' });
    const b = pkg('b-1.x86_64', [file(0, '/etc/x')], { 0: 'two' });
    await strict_1.default.rejects((0, install_js_1.installPackages)([a, b], opts), (e) => e instanceof install_js_1.FileConflictError && e.conflicts[0]?.packages.join() === 'a-1.x86_64,b-1.x86_64');
});
(0, node_test_1.test)('identical files and shared directories are not conflicts', async () => {
    const d = (i) => file(i, '/usr/share/x', { mode: 0o40755 });
    const a = pkg('a-1', [d(0), file(1, '/usr/share/x/f')], { 1: 'same' });
    const b = pkg('b-1', [d(0), file(1, '/usr/share/x/f')], { 1: 'same' });
    const { tree, report } = await (0, install_js_1.installPackages)([a, b], opts);
    strict_1.default.equal(report.conflicts.length, 0);
    strict_1.default.equal(tree.get('usr/share/x/f')?.owner, 'a-1');
    strict_1.default.equal(tree.get('usr')?.mtime, 5, 'implicit parents get SOURCE_DATE_EPOCH');
});
(0, node_test_1.test)('language filter keeps files without a language and matching locales', async () => {
    const p = pkg('l-1', [
        file(0, '/l/none'), file(1, '/l/de', { lang: 'de' }), file(2, '/l/de_AT', { lang: 'de_AT' }), file(3, '/l/fr', { lang: 'fr' }),
    ]);
    const { tree, report } = await (0, install_js_1.installPackages)([p], { ...opts, langs: ['de'] });
    strict_1.default.deepEqual([...tree.keys()].filter((k) => k.startsWith('l/')).sort(), ['l/de', 'l/de_AT', 'l/none']);
    strict_1.default.equal(report.skipped.lang, 1);
});
(0, node_test_1.test)('a hardlink set becomes one file and links to it', async () => {
    const set = [0, 1, 2];
    const p = pkg('h-1', [file(0, '/h/a', { hardlinks: set }), file(1, '/h/b', { hardlinks: set }), file(2, '/h/c', { hardlinks: set })], { 0: 'x', 1: 'x', 2: 'x' });
    const { tree } = await (0, install_js_1.installPackages)([p], opts);
    strict_1.default.equal(tree.get('h/a')?.type, 'file');
    strict_1.default.equal(tree.get('h/b')?.type, 'hardlink');
    strict_1.default.equal(tree.get('h/c')?.linkTarget, 'h/a');
});
(0, node_test_1.test)('a package that owns a directory where the tree has a symlink to a directory keeps the symlink', async () => {
    const fs = pkg('filesystem-1', [file(0, '/usr/lib64', { mode: 0o40555 }), file(1, '/lib64', { mode: 0o120777, linkTo: 'usr/lib64' })]);
    const other = pkg('other-1', [file(0, '/lib64', { mode: 0o40755 }), file(1, '/lib64/libx.so.1')], { 1: 'x' });
    const { tree, report } = await (0, install_js_1.installPackages)([fs, other], opts);
    strict_1.default.equal(report.conflicts.length, 0);
    strict_1.default.equal(tree.get('lib64')?.type, 'symlink');
    strict_1.default.equal(tree.get('usr/lib64/libx.so.1')?.type, 'file');
});
(0, node_test_1.test)('files laid down before the directory symlink arrived are moved through it', async () => {
    const early = pkg('early-1', [file(0, '/bin/tool', { mode: 0o100755 }), file(1, '/bin/tool2', { mode: 0o100755, hardlinks: [1, 2] }), file(2, '/bin/tool3', { mode: 0o100755, hardlinks: [1, 2] })], { 0: 't', 1: 'u', 2: 'u' });
    const fs = pkg('filesystem-1', [file(0, '/usr/bin', { mode: 0o40555 }), file(1, '/bin', { mode: 0o120777, linkTo: 'usr/bin' })]);
    const { tree, report } = await (0, install_js_1.installPackages)([early, fs], opts);
    strict_1.default.deepEqual(report.conflicts, []);
    strict_1.default.equal(tree.get('bin')?.type, 'symlink');
    strict_1.default.equal(tree.get('bin/tool'), undefined);
    strict_1.default.equal(tree.get('usr/bin/tool')?.owner, 'early-1');
    strict_1.default.equal(tree.get('usr/bin/tool3')?.linkTarget, 'usr/bin/tool2');
    strict_1.default.equal(tree.get('usr/bin')?.mode, 0o555);
});
(0, node_test_1.test)('owners created by sysusers.d (not in passwd) get their declared ids', async () => {
    const p = pkg('tpm-1', [
        file(0, '/usr/lib/sysusers.d/tss.conf'),
        file(1, '/var/lib/tpm', { mode: 0o40700, user: 'tss', group: 'tss' }),
        file(2, '/var/lib/dyn', { mode: 0o40700, user: 'dynuser', group: 'root' }),
    ], { 0: '#Type Name ID GECOS Home\nu tss 59 "Account used for TPM access" /dev/null /sbin/nologin\nu dynuser - "dynamic"\n' });
    const { tree, report } = await (0, install_js_1.installPackages)([p], opts);
    strict_1.default.equal(tree.get('var/lib/tpm')?.uid, 59);
    strict_1.default.equal(tree.get('var/lib/tpm')?.gid, 59);
    strict_1.default.deepEqual(report.unknownOwners.map((u) => `${u.kind}:${u.name}`), ['user:dynuser']);
});
(0, node_test_1.test)('a path escaping the root or bad capability text fails with the package named', async () => {
    await strict_1.default.rejects((0, install_js_1.installPackages)([pkg('evil-1', [file(0, '/../etc/x')], { 0: 'x' })], opts), /evil-1: \/\.\.\/etc\/x: path escapes/);
    await strict_1.default.rejects((0, install_js_1.installPackages)([pkg('cap-1', [file(0, '/bin/x', { caps: 'cap_bogus=ep' })], { 0: 'x' })], opts), /cap-1: \/bin\/x: capability text/);
});
(0, node_test_1.test)('device nodes, fifos and sockets from the header', async () => {
    const p = pkg('dev-1', [
        file(0, '/dev/null', { mode: 0o20666, rdev: 0x0103 }),
        file(1, '/dev/sda', { mode: 0o60660, rdev: 0x0800 }),
        file(2, '/run/fifo', { mode: 0o10600 }),
        file(3, '/run/sock', { mode: 0o140600 }),
    ]);
    const { tree, report } = await (0, install_js_1.installPackages)([p], opts);
    strict_1.default.deepEqual([tree.get('dev/null')?.type, tree.get('dev/null')?.devMajor, tree.get('dev/null')?.devMinor], ['char', 1, 3]);
    strict_1.default.deepEqual([tree.get('dev/sda')?.type, tree.get('dev/sda')?.devMajor, tree.get('dev/sda')?.devMinor], ['block', 8, 0]);
    strict_1.default.equal(tree.get('run/fifo')?.type, 'fifo');
    strict_1.default.equal(tree.get('run/sock'), undefined);
    strict_1.default.equal(report.skipped.socket, 1);
});
