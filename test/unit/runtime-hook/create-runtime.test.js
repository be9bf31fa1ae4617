"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const node_os_1 = require("node:os");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const create_runtime_js_1 = require("../../../src/runtime-hook/hook/create-runtime.js");
const host_fs_js_1 = require("../../../src/runtime-hook/hook/host-fs.js");
const namespace_mount_js_1 = require("../../../src/runtime-hook/hook/namespace-mount.js");
const binfmt_standin_js_1 = require("./binfmt-standin.js");
const rootfs_fixture_js_1 = require("./rootfs-fixture.js");
const PREFIX = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-crt-prefix-'));
(0, node_test_1.after)(() => (0, node_fs_1.rmSync)(PREFIX, { recursive: true, force: true }));
const STATE = {
    version: 1,
    registrations: [{ guest: 'aarch64', emulator: 'qemu-user', entryName: 'fexpod-qemu-aarch64', registration: ':fexpod-qemu-aarch64:M::x:y:/q:F', interpreter: `${PREFIX}/bin/qemu-aarch64`, prefix: PREFIX }],
    disabled: [],
    persisted: [],
};
function setup(image, extraMounts = '', pivoted = false) {
    const r = new rootfs_fixture_js_1.TempRoot([{ file: 'rootfs/bin/sh', bytes: (0, rootfs_fixture_js_1.elfHeader)(image) }]);
    (0, node_fs_1.writeFileSync)(r.path('config.json'), `{"root":{"path":"rootfs"},"process":{"args":["/bin/sh","-c","uname -m"],"env":["PATH=/bin"],"cwd":"/"},"mounts":[${extraMounts}]}`);
    const mounted = [];
    const deps = {
        fs: (0, host_fs_js_1.hostExecFs)(),
        host: arch_js_1.Arch.of('x86_64'),
        loadState: () => STATE,
        binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({ 'fexpod-qemu-aarch64': 'enabled' }).deps,
        log: (0, log_js_1.memoryLogger)(),
        readConfig: (b) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(b, 'config.json'), 'utf8'),
        processRoot: () => (pivoted ? '/var/lib/containers/x/merged' : '/'),
        makeMountPoint: namespace_mount_js_1.makeMountPoint,
        isMounted: () => false,
        bindMount: (pid, source, target, options) => mounted.push({ pid, source, target, options }),
    };
    const stdin = JSON.stringify({ ociVersion: '1.0.2-dev', id: 'buildah-1', status: 'creating', pid: 4242, bundle: r.root });
    return { r, deps, mounted, stdin };
}
(0, node_test_1.test)('createRuntime: foreign build container gets the prefix mounted in its namespace', (t) => {
    const s = setup(arch_js_1.Arch.of('aarch64'));
    t.after(() => s.r.remove());
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)(s.stdin, s.deps), 'mounted');
    strict_1.default.deepEqual(s.mounted, [{ pid: 4242, source: PREFIX, target: s.r.path(`rootfs${PREFIX}`), options: ['ro', 'nosuid', 'nodev'] }]);
    strict_1.default.ok((0, node_fs_1.lstatSync)(s.r.path(`rootfs${PREFIX}`)).isDirectory());
});
(0, node_test_1.test)('createRuntime: native build container is left alone', (t) => {
    const s = setup(arch_js_1.Arch.of('x86_64'));
    t.after(() => s.r.remove());
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)(s.stdin, s.deps), 'native');
    strict_1.default.deepEqual(s.mounted, []);
});
(0, node_test_1.test)('createRuntime: a config that already carries the mount (precreate ran) is left alone', (t) => {
    const s = setup(arch_js_1.Arch.of('aarch64'), `{"destination":"${PREFIX}","source":"${PREFIX}","type":"bind"}`);
    t.after(() => s.r.remove());
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)(s.stdin, s.deps), 'unchanged');
    strict_1.default.deepEqual(s.mounted, []);
});
(0, node_test_1.test)('createRuntime: after pivot_root the host prefix is out of reach: logged, not mounted', (t) => {
    const s = setup(arch_js_1.Arch.of('aarch64'), '', true);
    t.after(() => s.r.remove());
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)(s.stdin, s.deps), 'failed');
    strict_1.default.deepEqual(s.mounted, []);
});
(0, node_test_1.test)('createRuntime: a symlink planted on the mount point path is refused', (t) => {
    const s = setup(arch_js_1.Arch.of('aarch64'));
    t.after(() => s.r.remove());
    const first = PREFIX.split('/').filter(Boolean)[0] ?? 'tmp';
    (0, node_fs_1.symlinkSync)('/etc', s.r.path(`rootfs/${first}`));
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)(s.stdin, s.deps), 'failed');
    strict_1.default.deepEqual(s.mounted, []);
});
(0, node_test_1.test)('createRuntime: garbage state is survived', () => {
    const s = setup(arch_js_1.Arch.of('aarch64'));
    s.r.remove();
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)('{"pid":"x"}', s.deps), 'failed');
    strict_1.default.equal((0, create_runtime_js_1.createRuntime)('', s.deps), 'failed');
});
(0, node_test_1.test)('mountPoints undoes mountinfo escapes', () => {
    const mi = '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n';
    strict_1.default.deepEqual((0, namespace_mount_js_1.mountPoints)(mi), ['/mnt/with space']);
});
