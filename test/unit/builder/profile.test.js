"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const profile_js_1 = require("../../../src/builder/profile/profile.js");
const profile_paths_js_1 = require("../../../src/builder/profile/profile-paths.js");
const errors_js_1 = require("../../../src/common/errors.js");
const m = { uid: 0, gid: 0, mtime: 100 };
const d = (path, mode = 0o755) => ({ path, type: 'dir', mode, ...m });
const f = (path, body = path, mode = 0o644) => ({ path, type: 'file', mode, ...m, content: (0, tree_js_1.bufferContent)(Buffer.from(body)) });
const l = (path, linkTarget) => ({ path, type: 'symlink', mode: 0o777, ...m, linkTarget });
const ctx = { sourceDateEpoch: 1000, ldSoCache: () => Buffer.from('ld.so-1.7.0') };
const paths = (es) => es.map((e) => e.path).sort();
const fedoraish = [
    d('etc'), f('etc/passwd'), f('etc/passwd-'), f('etc/group'), f('etc/shadow'), f('etc/hosts'), f('etc/resolv.conf'),
    f('etc/machine-id'), f('etc/os-release'), d('etc/alternatives'), l('etc/alternatives/ld', '/usr/bin/ld.bfd'),
    f('etc/ld.so.conf'), d('etc/ld.so.conf.d'), f('etc/ld.so.conf.d/x.conf'), d('etc/pki'), f('etc/pki/ca.pem'),
    d('usr'), d('usr/bin'), f('usr/bin/su', 'su', 0o4755), f('usr/bin/write', 'w', 0o2755), f('usr/bin/ls', 'ls', 0o755),
    d('tmp', 0o1777), d('root', 0o550), f('root/.bashrc'), d('var'), d('var/tmp', 0o1777), l('var/run', '../run'),
    d('var/lib'), d('var/lib/dbus'), f('var/lib/dbus/machine-id'), d('run'), d('boot'), d('home'), d('proc', 0o555),
];
(0, node_test_1.test)('rootfs: removes host-owned files, trims /etc to alternatives + ld.so*, strips setid, adds ld.so.cache', async () => {
    const spec = (0, profile_js_1.normalizeProfile)({ kind: 'rootfs', options: {} });
    const r = await (0, profile_js_1.applyProfile)(fedoraish, spec, ctx);
    strict_1.default.deepEqual(paths(r.entries), [
        'etc', 'etc/alternatives', 'etc/alternatives/ld', 'etc/ld.so.cache', 'etc/ld.so.conf', 'etc/ld.so.conf.d', 'etc/ld.so.conf.d/x.conf',
        'proc', 'usr', 'usr/bin', 'usr/bin/ls', 'usr/bin/su', 'usr/bin/write', 'var', 'var/lib', 'var/lib/dbus',
    ]);
    const mode = (p) => r.entries.find((e) => e.path === p)?.mode;
    strict_1.default.equal(mode('usr/bin/su'), 0o755);
    strict_1.default.equal(mode('usr/bin/write'), 0o755);
    strict_1.default.equal(mode('proc'), 0o555);
    const cache = r.entries.find((e) => e.path === 'etc/ld.so.cache');
    strict_1.default.equal(Buffer.from((await cache?.content?.read()) ?? []).toString(), 'ld.so-1.7.0');
    strict_1.default.equal(cache?.mtime, 1000);
});
const optionCases = [
    { name: 'strip_setid = false keeps the bits', opts: { strip_setid: false }, path: 'usr/bin/su', present: true, mode: 0o4755 },
    { name: 'extra_remove adds to the defaults', opts: { extra_remove: ['usr/bin/ls'] }, path: 'usr/bin/ls', present: false },
    { name: 'etc_keep replaces the kept /etc list', opts: { etc_keep: ['pki'] }, path: 'etc/pki/ca.pem', present: true },
    { name: 'remove replaces the default list', opts: { remove: [] }, path: 'home', present: true },
];
for (const c of optionCases) {
    (0, node_test_1.test)(`rootfs option: ${c.name}`, async () => {
        const r = await (0, profile_js_1.applyProfile)(fedoraish, (0, profile_js_1.normalizeProfile)({ kind: 'rootfs', options: c.opts }), ctx);
        const e = r.entries.find((x) => x.path === c.path);
        strict_1.default.equal(e !== undefined, c.present);
        if (c.mode !== undefined)
            strict_1.default.equal(e?.mode, c.mode);
    });
}
(0, node_test_1.test)('removing the first member of a hardlink set promotes the next one', () => {
    const es = [d('a'), f('a/one', 'data'), { path: 'a/two', type: 'hardlink', mode: 0o644, ...m, linkTarget: 'a/one' }, { path: 'a/three', type: 'hardlink', mode: 0o644, ...m, linkTarget: 'a/one' }];
    const out = (0, profile_paths_js_1.removeEntries)(es, (e) => e.path === 'a/one');
    strict_1.default.equal(out.find((e) => e.path === 'a/two')?.type, 'file');
    strict_1.default.equal(out.find((e) => e.path === 'a/three')?.linkTarget, 'a/two');
});
const relCases = [
    { from: 'usr/lib64/libstdc++.so', to: 'usr/lib64/libstdc++.so.6', want: 'libstdc++.so.6' },
    { from: 'usr/lib/gcc/x86_64-redhat-linux/14/libgcc_s.so', to: 'usr/lib64/libgcc_s.so.1', want: '../../../../lib64/libgcc_s.so.1' },
    { from: 'bin', to: 'usr/bin', want: 'usr/bin' },
    { from: 'etc/alternatives/ld', to: 'usr/bin/ld.bfd', want: '../../usr/bin/ld.bfd' },
];
for (const c of relCases)
    (0, node_test_1.test)(`relative symlink ${c.from} -> /${c.to}`, () => strict_1.default.equal((0, profile_paths_js_1.relativeTarget)(c.from, c.to), c.want));
(0, node_test_1.test)('patterns match within one segment', () => {
    strict_1.default.ok((0, profile_paths_js_1.patternRegExp)('etc/passwd*').test('etc/passwd-'));
    strict_1.default.ok(!(0, profile_paths_js_1.patternRegExp)('usr/lib/gcc/*/crtbegin.o').test('usr/lib/gcc/x/14/crtbegin.o'));
    strict_1.default.ok((0, profile_paths_js_1.patternRegExp)('usr/lib/gcc/*/*/crtbegin.o').test('usr/lib/gcc/x86_64-redhat-linux/14/crtbegin.o'));
});
const sysroot = [
    d('usr'), d('usr/include'), f('usr/include/stdio.h'), d('usr/lib64'), f('usr/lib64/crt1.o'), f('usr/lib64/libstdc++.so.6'),
    l('usr/lib64/libgcc_s.so', '/usr/lib64/libgcc_s.so.1'), f('usr/lib64/libgcc_s.so.1'),
    d('usr/lib'), d('usr/lib/gcc'), d('usr/lib/gcc/x86_64-redhat-linux'), d('usr/lib/gcc/x86_64-redhat-linux/14'),
    f('usr/lib/gcc/x86_64-redhat-linux/14/crtbegin.o'), d('usr/share'), d('usr/share/doc'), f('usr/share/doc/README'),
];
(0, node_test_1.test)('sysroot: absolute symlinks become relative, libstdc++.so link added, docs dropped', async () => {
    const r = await (0, profile_js_1.applyProfile)(sysroot, (0, profile_js_1.normalizeProfile)({ kind: 'sysroot', options: {} }), ctx);
    strict_1.default.equal(r.entries.find((e) => e.path === 'usr/lib64/libgcc_s.so')?.linkTarget, 'libgcc_s.so.1');
    strict_1.default.equal(r.entries.find((e) => e.path === 'usr/lib64/libstdc++.so')?.linkTarget, 'libstdc++.so.6');
    strict_1.default.equal(r.entries.find((e) => e.path === 'usr/lib/libstdc++.so'), undefined, 'no i686 libstdc++ here: no link');
    strict_1.default.ok(!r.entries.some((e) => e.path.startsWith('usr/share/doc')));
    strict_1.default.ok(r.entries.every((e) => e.type !== 'symlink' || !e.linkTarget?.startsWith('/')));
});
(0, node_test_1.test)('sysroot: a missing crtbegin.o fails the build with the package to add', async () => {
    const without = sysroot.filter((e) => !e.path.endsWith('crtbegin.o'));
    await strict_1.default.rejects((0, profile_js_1.applyProfile)(without, (0, profile_js_1.normalizeProfile)({ kind: 'sysroot', options: {} }), ctx), (e) => e instanceof errors_js_1.FexpodError && /crtbegin\.o/.test(e.message) && /gcc/.test(e.fix ?? ''));
});
(0, node_test_1.test)('overlay: keeps only new or changed entries and their parent dirs', async () => {
    const baseSpec = (0, profile_js_1.normalizeProfile)({ kind: 'rootfs', options: {} });
    const base = (await (0, profile_js_1.applyProfile)(fedoraish, baseSpec, ctx)).entries;
    const combined = [
        ...fedoraish.filter((e) => e.path !== 'usr/bin/ls'),
        f('usr/bin/ls', 'ls v2', 0o755),
        d('usr/lib64'), d('usr/lib64/dri'), f('usr/lib64/dri/radeonsi_dri.so', 'mesa'),
    ];
    const ovl = { sourceDateEpoch: 1000, base, ldSoCache: () => Buffer.from('ld.so-with-mesa') };
    const r = await (0, profile_js_1.applyProfile)(combined, (0, profile_js_1.normalizeProfile)({ kind: 'overlay', options: {} }), ovl);
    strict_1.default.deepEqual(paths(r.entries), ['etc', 'etc/ld.so.cache', 'usr', 'usr/bin', 'usr/bin/ls', 'usr/lib64', 'usr/lib64/dri', 'usr/lib64/dri/radeonsi_dri.so']);
});
(0, node_test_1.test)('overlay without a base tree is an error', async () => {
    await strict_1.default.rejects((0, profile_js_1.applyProfile)([], (0, profile_js_1.normalizeProfile)({ kind: 'overlay', options: {} }), ctx), /needs the base tree/);
});
