"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SAMPLE_EPOCH = exports.CAP_NET_RAW = exports.BUSYBOX = void 0;
exports.sampleTree = sampleTree;
exports.hostArch = hostArch;
exports.sampleOutputs = sampleOutputs;
exports.withLoopMount = withLoopMount;
exports.fileSha256 = fileSha256;
/**
 * A hand-built image tree that exercises every output: the host's static
 * busybox (so a container made from it runs), applet symlinks (absolute and
 * relative), a setuid file, a hardlink pair, a file owned by a non-root user,
 * a path longer than 100 bytes, an empty file, a read-only directory and a
 * security.capability xattr. Static busybox is the host's arch: images made
 * from it are native here (x86_64 → amd64).
 */
const node_fs_1 = require("node:fs");
const tree_js_1 = require("../../src/builder/tree/tree.js");
exports.BUSYBOX = '/bin/busybox';
/** cap_net_raw+ep as a VFS_CAP_REVISION_2 security.capability value. */
exports.CAP_NET_RAW = Uint8Array.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
function sampleTree(opts = {}) {
    const t0 = 1_700_000_000;
    const bb = (0, node_fs_1.readFileSync)(exports.BUSYBOX);
    const dir = (path, mode = 0o755) => ({ path, type: 'dir', mode, uid: 0, gid: 0, mtime: t0 });
    const link = (path, linkTarget) => ({ path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: t0, linkTarget });
    const file = (path, data, mode = 0o644, uid = 0, gid = 0) => ({
        path, type: 'file', mode, uid, gid, mtime: t0,
        content: (0, tree_js_1.bufferContent)(typeof data === 'string' ? Buffer.from(data) : data),
    });
    const long = `usr/share/${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`;
    return [
        dir('usr'), dir('usr/bin'), dir('usr/sbin'), dir('usr/share'),
        dir(`usr/share/${'d'.repeat(60)}`), dir(`usr/share/${'d'.repeat(60)}/${'e'.repeat(60)}`),
        link('bin', 'usr/bin'), link('sbin', 'usr/sbin'),
        { ...file('usr/bin/busybox', bb, 0o755) },
        ...['sh', 'ls', 'cat', 'uname', 'id', 'stat', 'echo', 'sha256sum', 'find'].map((a) => link(`usr/bin/${a}`, 'busybox')),
        link('usr/sbin/ping-abs', '/usr/bin/busybox'),
        file('usr/bin/suid-tool', '#!/bin/sh\necho suid\n', 0o4755),
        file('usr/bin/sgid-tool', '#!/bin/sh\necho sgid\n', 0o2755),
        {
            ...file('usr/bin/ping', '#!/bin/sh\necho ping\n', 0o755),
            ...(opts.xattrs ? { xattrs: { 'security.capability': exports.CAP_NET_RAW } } : {}),
        },
        file('usr/share/hello.txt', 'hello from fexpod\n'),
        { path: 'usr/share/hello-hardlink.txt', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, mtime: t0, linkTarget: 'usr/share/hello.txt' },
        file('usr/share/empty', ''),
        file(long, 'long path\n'),
        dir('var'), dir('var/lib'), dir('var/lib/games', 0o775),
        { ...file('var/lib/games/score', '0\n', 0o664, 12, 20) },
        dir('proc', 0o555), dir('etc'),
        file('etc/os-release', 'NAME=fexpod-sample\nID=fexpod\n'),
        { ...dir('tmp', 0o1777) },
    ];
}
const node_child_process_1 = require("node:child_process");
const node_fs_2 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../src/common/arch.js");
const log_js_1 = require("../../src/common/log.js");
const process_runner_js_1 = require("../../src/common/process-runner.js");
const output_plan_js_1 = require("../../src/builder/outputs/output-plan.js");
const tar_writer_js_1 = require("../../src/builder/layer/tar-writer.js");
const outputs_js_1 = require("../../src/builder/steps/outputs.js");
exports.SAMPLE_EPOCH = 1_700_000_100;
function hostArch() {
    return arch_js_1.Arch.fromNode(process.arch);
}
/** Writes the sample tree's outputs into a fresh temp dir. */
async function sampleOutputs(formats, opts = {}) {
    const dir = (0, node_fs_2.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-out-'));
    const entries = sampleTree({ xattrs: opts.xattrs ?? false });
    const result = await (0, outputs_js_1.writeOutputs)({
        entries, formats, outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('sample'), arch: hostArch(), sourceDateEpoch: exports.SAMPLE_EPOCH,
        image: { refName: 'sample:latest', createdBy: 'fexpod test', cmd: ['/bin/sh'] },
        sbom: { imageName: 'sample', distro: { id: 'fedora', release: '42' }, packages: [], toolVersion: 'test' },
    }, { runner: process_runner_js_1.processRunner, privileged: opts.privileged ?? process.getuid?.() === 0, pageSize: 4096, env: process.env, log: log_js_1.silentLogger });
    return { dir, result, tar: await (0, tar_writer_js_1.layerTar)(entries, exports.SAMPLE_EPOCH) };
}
/** Loop-mounts an image read-only, runs fn on the mount point, unmounts. */
async function withLoopMount(image, fstype, fn) {
    const mnt = (0, node_fs_2.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-mnt-'));
    (0, node_fs_2.mkdirSync)(mnt, { recursive: true });
    (0, node_child_process_1.execFileSync)('mount', ['-o', 'loop,ro', '-t', fstype, image, mnt]);
    try {
        return await fn(mnt);
    }
    finally {
        (0, node_child_process_1.execFileSync)('umount', [mnt]);
        (0, node_fs_2.rmdirSync)(mnt);
    }
}
function fileSha256(path) {
    return (0, node_child_process_1.execFileSync)('sha256sum', [path]).toString().split(' ')[0] ?? '';
}
