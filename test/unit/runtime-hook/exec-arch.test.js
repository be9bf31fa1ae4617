"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const arch_js_1 = require("../../../src/common/arch.js");
const exec_arch_js_1 = require("../../../src/runtime-hook/hook/exec-arch.js");
const host_fs_js_1 = require("../../../src/runtime-hook/hook/host-fs.js");
const rootfs_fixture_js_1 = require("./rootfs-fixture.js");
const fs = (0, host_fs_js_1.hostExecFs)();
const arm64 = (0, rootfs_fixture_js_1.elfHeader)(arch_js_1.Arch.of('aarch64'));
const armhf = (0, rootfs_fixture_js_1.elfHeader)(arch_js_1.Arch.of('arm'));
const x64 = (0, rootfs_fixture_js_1.elfHeader)(arch_js_1.Arch.of('x86_64'));
const i386 = (0, rootfs_fixture_js_1.elfHeader)(arch_js_1.Arch.of('i386'));
const cases = [
    { name: 'aarch64 ELF through PATH', entries: [{ file: 'bin/uname', bytes: arm64 }], args0: 'uname', env: ['PATH=/bin'], want: 'aarch64' },
    { name: 'armhf ELF', entries: [{ file: 'bin/sh', bytes: armhf }], args0: '/bin/sh', want: 'arm' },
    { name: 'x86_64 ELF', entries: [{ file: 'usr/bin/true', bytes: x64 }], args0: 'true', want: 'x86_64' },
    { name: 'i386 ELF', entries: [{ file: 'usr/bin/true', bytes: i386 }], args0: 'true', want: 'i386' },
    { name: 'busybox applet symlink', entries: [{ file: 'bin/busybox', bytes: arm64 }, { link: 'bin/uname', to: 'busybox' }], args0: 'uname', env: ['PATH=/bin'], want: 'aarch64' },
    { name: 'default PATH when the container has none', entries: [{ file: 'usr/sbin/init', bytes: arm64 }], args0: 'init', env: [], want: 'aarch64' },
    { name: '#! script: its interpreter decides', entries: [{ file: 'bin/sh', bytes: arm64 }, { file: 'entry.sh', bytes: '#!/bin/sh\necho hi\n' }], args0: '/entry.sh', want: 'aarch64' },
    { name: '#!/usr/bin/env NAME resolves NAME through PATH', entries: [{ file: 'usr/bin/env', bytes: x64 }, { file: 'usr/local/bin/python3', bytes: arm64 }, { file: 'app', bytes: '#!/usr/bin/env python3\n' }], args0: '/app', env: ['PATH=/usr/local/bin:/usr/bin'], want: 'aarch64' },
    { name: '#!/usr/bin/env -S NAME', entries: [{ file: 'usr/bin/env', bytes: x64 }, { file: 'usr/bin/node', bytes: armhf }, { file: 'app', bytes: '#!/usr/bin/env -S node --foo\n' }], args0: '/app', env: ['PATH=/usr/bin'], want: 'arm' },
    { name: '#! loop (script whose interpreter is itself)', entries: [{ file: 'loop', bytes: '#!/loop\n' }], args0: '/loop', want: /itself a #! script/ },
    { name: '#! chain is followed once only', entries: [{ file: 'a', bytes: '#!/b\n' }, { file: 'b', bytes: '#!/bin/sh\n' }, { file: 'bin/sh', bytes: arm64 }], args0: '/a', want: /followed once only/ },
    { name: '#! interpreter symlinked to a host path stays inside', entries: [{ link: 'bin/sh', to: '/bin/bash' }, { file: 's', bytes: '#!/bin/sh\n' }], args0: '/s', want: /interpreter: \/bin\/bash does not exist/ },
    { name: 'absolute args[0] symlink to a host binary', entries: [{ link: 'usr/bin/uname', to: '/usr/bin/uname' }], args0: '/usr/bin/uname', want: /too many symlinks/ },
    { name: '".." args[0] symlink', entries: [{ link: 'bin/x', to: '../../../../../../../usr/bin/env' }], args0: '/bin/x', want: /does not exist in the rootfs/ },
    { name: 'PATH entry symlinked out of the rootfs', entries: [{ link: 'hostbin', to: '/usr/bin' }], args0: 'env', env: ['PATH=/hostbin'], want: /not found in PATH/ },
    { name: 'symlink loop in args[0]', entries: [{ link: 'bin/a', to: 'b' }, { link: 'bin/b', to: 'a' }], args0: '/bin/a', want: /too many symlinks/ },
    { name: 'truncated ELF header', entries: [{ file: 'bin/t', bytes: arm64.subarray(0, 12) }], args0: '/bin/t', want: /neither ELF/ },
    { name: 'ELF with an unknown machine', entries: [{ file: 'bin/t', bytes: Buffer.concat([arm64.subarray(0, 18), Buffer.from([0x99, 0x99]), arm64.subarray(20)]) }], args0: '/bin/t', want: /machine 0x9999/ },
    { name: 'ELF with a bad class', entries: [{ file: 'bin/t', bytes: Buffer.concat([arm64.subarray(0, 4), Buffer.from([7]), arm64.subarray(5)]) }], args0: '/bin/t', want: /neither ELF/ },
    { name: 'empty file', entries: [{ file: 'bin/t', bytes: '' }], args0: '/bin/t', want: /neither ELF/ },
    { name: 'missing args[0]', entries: [], args0: undefined, want: /args is empty/ },
    { name: 'args[0] not in the image', entries: [{ dir: 'bin' }], args0: 'nope', env: ['PATH=/bin'], want: /not found in PATH/ },
    { name: 'args[0] is a directory', entries: [{ dir: 'bin/d' }], args0: '/bin/d', want: /not a regular file/ },
];
for (const c of cases) {
    (0, node_test_1.test)(`execArch: ${c.name}`, (t) => {
        const r = new rootfs_fixture_js_1.TempRoot(c.entries);
        t.after(() => r.remove());
        const got = (0, exec_arch_js_1.execArch)(fs, { root: r.root, args0: c.args0, env: c.env, cwd: c.cwd });
        if (typeof c.want === 'string') {
            strict_1.default.equal(got.kind, 'elf', got.kind === 'unknown' ? got.reason : '');
            strict_1.default.equal(got.kind === 'elf' ? got.arch.name : '', c.want);
        }
        else {
            strict_1.default.equal(got.kind, 'unknown');
            strict_1.default.match(got.kind === 'unknown' ? got.reason : '', c.want);
        }
    });
}
(0, node_test_1.test)('execArch: a huge file is read no further than 64 bytes', (t) => {
    const big = Buffer.alloc(8 << 20, 0x41);
    arm64.copy(big, 0);
    const r = new rootfs_fixture_js_1.TempRoot([{ file: 'bin/big', bytes: big }]);
    t.after(() => r.remove());
    const reads = [];
    const spy = { ...fs, readHead: (p, root, max) => { reads.push(max); return fs.readHead(p, root, max); } };
    const got = (0, exec_arch_js_1.execArch)(spy, { root: r.root, args0: '/bin/big', env: undefined, cwd: undefined });
    strict_1.default.equal(got.kind === 'elf' ? got.arch.name : got.reason, 'aarch64');
    strict_1.default.deepEqual(reads, [64]);
});
(0, node_test_1.test)('readHead refuses a FIFO without blocking and a file outside the root', (t) => {
    const r = new rootfs_fixture_js_1.TempRoot([{ file: 'bin/ok', bytes: arm64 }]);
    t.after(() => r.remove());
    (0, node_child_process_1.execFileSync)('mkfifo', [r.path('bin/fifo')]);
    strict_1.default.equal(fs.readHead(r.path('bin/fifo'), r.root, 64), undefined);
    // /etc/hostname exists on the host, but is not under this root.
    strict_1.default.equal(fs.readHead('/etc/hostname', r.root, 64), undefined);
    strict_1.default.equal(fs.readHead(r.path('bin/ok'), r.root, 64)?.length, 64);
});
