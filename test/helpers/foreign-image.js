"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.hostArch = hostArch;
exports.foreignArches = foreignArches;
exports.cacheDir = cacheDir;
exports.debianPackages = debianPackages;
exports.buildRootfs = buildRootfs;
exports.podmanImage = podmanImage;
/**
 * Real foreign-architecture test material, built from Debian's own packages
 * (no container registry is reachable here): static busybox and, for the
 * "dynamic" flavour, libc6 + coreutils, unpacked with dpkg-deb and imported
 * into podman with the right --arch. "Foreign" is relative to the host, so the
 * same helper serves an aarch64 host (it then builds amd64/i386 images).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_os_1 = require("node:os");
const arch_js_1 = require("../../src/common/arch.js");
function hostArch() {
    return arch_js_1.Arch.fromNode(process.arch);
}
/** Foreign guest architectures for this host, 64-bit first. */
function foreignArches(host = hostArch()) {
    if (host.name === 'x86_64')
        return [arch_js_1.Arch.of('aarch64'), arch_js_1.Arch.of('arm')];
    if (host.name === 'aarch64')
        return [arch_js_1.Arch.of('x86_64'), arch_js_1.Arch.of('i386')];
    return [arch_js_1.Arch.of('x86_64')];
}
function cacheDir() {
    const base = process.env['FEXPOD_TEST_CACHE'] ?? (0, node_path_1.join)(process.env['HOME'] ?? (0, node_os_1.tmpdir)(), '.cache', 'fexpod-test');
    (0, node_fs_1.mkdirSync)(base, { recursive: true });
    return base;
}
/** Downloads Debian packages for an architecture (cached), returns their paths. */
function debianPackages(arch, names) {
    const dir = (0, node_path_1.join)(cacheDir(), 'debs', arch.debian);
    (0, node_fs_1.mkdirSync)(dir, { recursive: true });
    const have = () => (0, node_fs_1.readdirSync)(dir).filter((f) => f.endsWith('.deb'));
    const missing = names.filter((n) => !have().some((f) => f.startsWith(`${n}_`)));
    if (missing.length > 0) {
        (0, node_child_process_1.execFileSync)('apt-get', ['download', ...missing.map((n) => `${n}:${arch.debian}`)], {
            cwd: dir,
            stdio: ['ignore', 'ignore', 'pipe'],
        });
    }
    return names.map((n) => {
        const f = have().find((x) => x.startsWith(`${n}_`));
        if (!f)
            throw new Error(`apt-get download ${n}:${arch.debian} produced nothing`);
        return (0, node_path_1.join)(dir, f);
    });
}
const DYNAMIC_PKGS = ['busybox-static', 'libc6', 'libgcc-s1', 'coreutils', 'libacl1', 'libattr1', 'libselinux1', 'libpcre2-8-0', 'libgmp10'];
/**
 * Builds a rootfs directory: static busybox as /bin/sh and friends; the
 * dynamic flavour adds Debian's libc6 and coreutils so /usr/bin/uname is a
 * dynamically linked foreign binary that needs the guest's own loader.
 */
function buildRootfs(arch, flavour, dest) {
    const root = dest ?? (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), `fexpod-rootfs-${arch.name}-`));
    const pkgs = flavour === 'static' ? ['busybox-static'] : DYNAMIC_PKGS;
    for (const deb of debianPackages(arch, pkgs))
        (0, node_child_process_1.execFileSync)('dpkg-deb', ['-x', deb, root]);
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, 'usr', 'bin'), { recursive: true });
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, 'bin'), { recursive: true });
    for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp', 'run'])
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, d), { recursive: true });
    const applets = ['sh', 'ls', 'cat', 'echo', 'sleep', 'true', 'env', 'mount', 'grep', 'ps', 'id'];
    if (flavour === 'static')
        applets.push('uname');
    for (const a of applets) {
        const link = (0, node_path_1.join)(root, 'bin', a);
        if (!(0, node_fs_1.existsSync)(link))
            (0, node_fs_1.symlinkSync)('busybox', link);
    }
    return root;
}
/** Imports a rootfs into podman as an image of the given architecture; returns the reference. */
function podmanImage(arch, flavour) {
    const ref = `localhost/fexpod-test-${flavour}:${arch.oci.architecture}${arch.oci.variant ? `-${arch.oci.variant}` : ''}`;
    try {
        (0, node_child_process_1.execFileSync)('podman', ['image', 'exists', ref]);
        return ref;
    }
    catch {
        // build below
    }
    const root = buildRootfs(arch, flavour);
    try {
        const args = ['import', '--arch', arch.oci.architecture];
        if (arch.oci.variant)
            args.push('--variant', arch.oci.variant);
        args.push('--change', 'ENV=PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', '--change', 'CMD=["/bin/sh"]');
        const tar = (0, node_child_process_1.execFileSync)('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
        (0, node_child_process_1.execFileSync)('podman', [...args, '-', ref], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
    }
    finally {
        (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
    }
    return ref;
}
