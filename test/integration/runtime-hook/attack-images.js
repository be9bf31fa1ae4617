"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.HOST_SENTINEL = void 0;
exports.makeHostSentinel = makeHostSentinel;
exports.attacks = attacks;
exports.attackImageRef = attackImageRef;
exports.buildAttackImage = buildAttackImage;
/**
 * Images built to attack the hook's args[0] resolution: absolute and ".."
 * symlinks for args[0] and PATH entries that point at a host "sentinel"
 * directory, a "#!" loop, a huge and a truncated ELF file, a FIFO and a
 * missing args[0]. The host sentinel holds files with the *host's* ELF
 * identity; the image holds the same paths as foreign busybox applets. A hook
 * that followed a symlink out of the rootfs would see a native binary and
 * leave the container without its emulator — and the container would fail.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const rootfs_fixture_js_1 = require("../../unit/runtime-hook/rootfs-fixture.js");
exports.HOST_SENTINEL = '/tmp/fexpod-hook-sentinel';
function makeHostSentinel(host) {
    (0, node_fs_1.mkdirSync)(exports.HOST_SENTINEL, { recursive: true });
    for (const n of ['uname', 'sh']) {
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.HOST_SENTINEL, n), (0, rootfs_fixture_js_1.elfHeader)(host));
        (0, node_fs_1.chmodSync)((0, node_path_1.join)(exports.HOST_SENTINEL, n), 0o755);
    }
}
/** The image's own copy of the sentinel paths: foreign busybox applets. */
function inImageSentinel(root) {
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, exports.HOST_SENTINEL), { recursive: true });
    (0, node_fs_1.symlinkSync)('/bin/busybox', (0, node_path_1.join)(root, exports.HOST_SENTINEL, 'uname'));
    (0, node_fs_1.symlinkSync)('/bin/busybox', (0, node_path_1.join)(root, exports.HOST_SENTINEL, 'sh'));
}
function attacks(guest) {
    const uname = guest.name === 'arm' ? 'armv7l' : guest.name;
    return [
        { name: 'path-abs-symlink', setup: (r) => { inImageSentinel(r); (0, node_fs_1.symlinkSync)(exports.HOST_SENTINEL, (0, node_path_1.join)(r, 'evil')); }, path: '/evil:/bin', cmd: ['uname', '-m'], expect: 'works', stdout: uname },
        { name: 'path-dotdot-symlink', setup: (r) => { inImageSentinel(r); (0, node_fs_1.symlinkSync)(`../../../../../..${exports.HOST_SENTINEL}`, (0, node_path_1.join)(r, 'evil')); }, path: '/evil:/bin', cmd: ['uname', '-m'], expect: 'works', stdout: uname },
        { name: 'path-symlink-loop', setup: (r) => { (0, node_fs_1.symlinkSync)('/l2', (0, node_path_1.join)(r, 'l1')); (0, node_fs_1.symlinkSync)('/l1', (0, node_path_1.join)(r, 'l2')); }, path: '/l1:/bin', cmd: ['uname', '-m'], expect: 'works', stdout: uname },
        // busybox picks its applet from basename(argv[0]), so the attack links keep applet names.
        { name: 'args0-abs-symlink', setup: (r) => { inImageSentinel(r); (0, node_fs_1.mkdirSync)((0, node_path_1.join)(r, 'evil')); (0, node_fs_1.symlinkSync)(`${exports.HOST_SENTINEL}/uname`, (0, node_path_1.join)(r, 'evil', 'uname')); }, cmd: ['/evil/uname', '-m'], expect: 'works', stdout: uname },
        { name: 'args0-dotdot-symlink', setup: (r) => { inImageSentinel(r); (0, node_fs_1.mkdirSync)((0, node_path_1.join)(r, 'evil')); (0, node_fs_1.symlinkSync)(`../../../../../../..${exports.HOST_SENTINEL}/uname`, (0, node_path_1.join)(r, 'evil', 'uname')); }, cmd: ['/evil/uname', '-m'], expect: 'works', stdout: uname },
        {
            name: 'shebang-abs-symlink',
            setup: (r) => { inImageSentinel(r); (0, node_fs_1.mkdirSync)((0, node_path_1.join)(r, 'evil')); (0, node_fs_1.symlinkSync)(`${exports.HOST_SENTINEL}/sh`, (0, node_path_1.join)(r, 'evil', 'sh')); (0, node_fs_1.writeFileSync)((0, node_path_1.join)(r, 'script'), '#!/evil/sh\necho hook-ok\n'); (0, node_fs_1.chmodSync)((0, node_path_1.join)(r, 'script'), 0o755); },
            cmd: ['/script'], expect: 'works', stdout: 'hook-ok',
        },
        {
            name: 'huge-elf',
            setup: (r) => { (0, node_fs_1.mkdirSync)((0, node_path_1.join)(r, 'huge')); (0, node_fs_1.copyFileSync)((0, node_path_1.join)(r, 'bin', 'busybox'), (0, node_path_1.join)(r, 'huge', 'busybox')); (0, node_fs_1.chmodSync)((0, node_path_1.join)(r, 'huge', 'busybox'), 0o755); (0, node_fs_1.truncateSync)((0, node_path_1.join)(r, 'huge', 'busybox'), 32 << 20); },
            cmd: ['/huge/busybox', 'uname', '-m'], expect: 'works', stdout: uname,
        },
        { name: 'shebang-loop', setup: (r) => { (0, node_fs_1.writeFileSync)((0, node_path_1.join)(r, 'loop'), '#!/loop\n'); (0, node_fs_1.chmodSync)((0, node_path_1.join)(r, 'loop'), 0o755); }, cmd: ['/loop'], expect: 'fails' },
        { name: 'truncated-elf', setup: (r) => { (0, node_fs_1.writeFileSync)((0, node_path_1.join)(r, 'bin', 'trunc'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])); (0, node_fs_1.chmodSync)((0, node_path_1.join)(r, 'bin', 'trunc'), 0o755); }, cmd: ['/bin/trunc'], expect: 'fails' },
        { name: 'fifo-args0', setup: (r) => { (0, node_child_process_1.execFileSync)('mkfifo', ['-m', '0755', (0, node_path_1.join)(r, 'bin', 'fifo')]); }, cmd: ['/bin/fifo'], expect: 'fails' },
        { name: 'missing-args0', setup: () => { }, cmd: ['/nonexistent'], expect: 'fails' },
    ];
}
function attackImageRef(guest, a) {
    return `localhost/fexpod-hook-attack:${a.name}-${guest.oci.architecture}`;
}
function buildAttackImage(guest, a) {
    const ref = attackImageRef(guest, a);
    const root = (0, foreign_image_js_1.buildRootfs)(guest, 'static', (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-attack-')));
    try {
        a.setup(root);
        const args = ['import', '--arch', guest.oci.architecture];
        if (guest.oci.variant)
            args.push('--variant', guest.oci.variant);
        args.push('--change', `ENV=PATH=${a.path ?? '/bin'}`, '--change', `CMD=${JSON.stringify(a.cmd)}`);
        const tar = (0, node_child_process_1.execFileSync)('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
        (0, node_child_process_1.execFileSync)('podman', [...args, '-', ref], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
    }
    finally {
        (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
    }
    return ref;
}
