"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const arch_js_1 = require("../../../src/common/arch.js");
const host_fs_js_1 = require("../../../src/runtime-hook/hook/host-fs.js");
const rootfs_path_js_1 = require("../../../src/runtime-hook/hook/rootfs-path.js");
const rootfs_fixture_js_1 = require("./rootfs-fixture.js");
const arm = (0, rootfs_fixture_js_1.elfHeader)(arch_js_1.Arch.of('aarch64'));
const fs = (0, host_fs_js_1.hostExecFs)();
const cases = [
    { name: 'plain file', entries: [{ file: 'bin/true', bytes: arm }], path: '/bin/true', want: '/bin/true' },
    { name: 'relative symlink', entries: [{ file: 'bin/busybox', bytes: arm }, { link: 'bin/sh', to: 'busybox' }], path: '/bin/sh', want: '/bin/busybox' },
    { name: 'absolute symlink is re-rooted', entries: [{ file: 'usr/bin/busybox', bytes: arm }, { link: 'bin/sh', to: '/usr/bin/busybox' }], path: '/bin/sh', want: '/usr/bin/busybox' },
    { name: 'absolute symlink to a host file stays inside', entries: [{ link: 'bin/x', to: '/etc/passwd' }], path: '/bin/x', want: /^\/etc does not exist in the rootfs/ },
    { name: '".." symlink is clamped at the root', entries: [{ link: 'bin/x', to: '../../../../../../etc/hostname' }], path: '/bin/x', want: /^\/etc does not exist in the rootfs/ },
    { name: '".." symlink clamped, lands on a rootfs file', entries: [{ file: 'etc/os', bytes: 'x' }, { link: 'bin/x', to: '../../../../etc/os' }], path: '/bin/x', want: '/etc/os' },
    { name: 'usrmerge directory symlink', entries: [{ file: 'usr/bin/uname', bytes: arm }, { link: 'bin', to: 'usr/bin' }], path: '/bin/uname', want: '/usr/bin/uname' },
    { name: 'absolute directory symlink out of the rootfs', entries: [{ link: 'bin', to: '/usr/bin' }], path: '/bin/node', want: /^\/usr does not exist in the rootfs/ },
    { name: 'symlink loop hits the hop limit', entries: [{ link: 'a', to: 'b' }, { link: 'b', to: 'a' }], path: '/a', want: /too many symlinks/ },
    { name: 'self loop', entries: [{ link: 'bin/x', to: 'x' }], path: '/bin/x', want: /too many symlinks/ },
    { name: 'relative path uses cwd', entries: [{ file: 'work/run', bytes: arm }], path: './run', cwd: '/work', want: '/work/run' },
    { name: 'file used as directory', entries: [{ file: 'bin/x', bytes: arm }], path: '/bin/x/y', want: /not a directory/ },
];
for (const c of cases) {
    (0, node_test_1.test)(`resolveInRoot: ${c.name}`, (t) => {
        const r = new rootfs_fixture_js_1.TempRoot(c.entries);
        t.after(() => r.remove());
        const res = (0, rootfs_path_js_1.resolveInRoot)(fs, r.root, c.path, c.cwd);
        if (typeof c.want === 'string') {
            strict_1.default.ok(res.ok, res.ok ? '' : res.reason);
            strict_1.default.equal(res.containerPath, c.want);
            strict_1.default.equal(res.hostPath, r.path(c.want.slice(1)));
        }
        else {
            strict_1.default.equal(res.ok, false);
            strict_1.default.match(res.ok ? '' : res.reason, c.want);
        }
    });
}
(0, node_test_1.test)('lookPath: PATH order, execute bit and symlinked PATH entries', (t) => {
    const r = new rootfs_fixture_js_1.TempRoot([
        { file: 'usr/local/bin/tool', bytes: arm, mode: 0o644 },
        { file: 'usr/bin/tool', bytes: arm },
        { link: 'evil', to: '/usr/bin' },
        { dir: 'empty' },
    ]);
    t.after(() => r.remove());
    const res = (0, rootfs_path_js_1.lookPath)(fs, r.root, 'tool', '/empty:/usr/local/bin:/usr/bin');
    strict_1.default.ok(res.ok);
    strict_1.default.equal(res.containerPath, '/usr/bin/tool');
    const viaLink = (0, rootfs_path_js_1.lookPath)(fs, r.root, 'tool', '/evil');
    strict_1.default.ok(viaLink.ok);
    strict_1.default.equal(viaLink.hostPath, r.path('usr/bin/tool'));
    strict_1.default.equal((0, rootfs_path_js_1.lookPath)(fs, r.root, 'missing', '/usr/bin').ok, false);
    strict_1.default.equal((0, rootfs_path_js_1.lookPath)(fs, r.root, '', '/usr/bin').ok, false);
});
(0, node_test_1.test)('pathFromEnv: container PATH, or the runtime default', () => {
    strict_1.default.equal((0, rootfs_path_js_1.pathFromEnv)(['A=1', 'PATH=/bin']), '/bin');
    strict_1.default.equal((0, rootfs_path_js_1.pathFromEnv)(['A=1']), rootfs_path_js_1.DEFAULT_CONTAINER_PATH);
    strict_1.default.equal((0, rootfs_path_js_1.pathFromEnv)(undefined), rootfs_path_js_1.DEFAULT_CONTAINER_PATH);
});
