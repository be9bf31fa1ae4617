"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.STANDIN_MIRROR = exports.STANDIN_SUITE = void 0;
exports.standinKey = standinKey;
exports.standinRef = standinRef;
exports.standinBase = standinBase;
/**
 * The local stand-in for Fedora's base image (registry.fedoraproject.org/fedora):
 * no container registry is reachable here, so the builder image's tests build
 * FROM a Debian 13 ("trixie", Node.js 20 like Fedora) minbase tree made with
 * debootstrap from Debian's package mirror and imported into podman with the
 * right --arch. containerfiles/install-packages.sh installs with apt-get there
 * as it does with dnf on Fedora.
 *
 * Cached outside the repository (FEXPOD_TEST_CACHE, default ~/.cache/fexpod-test)
 * as a tarball keyed by its inputs, and in podman storage under a tag carrying
 * that key, so the suite debootstraps once per machine: a cold amd64 base takes
 * ~2 min here, arm64 (second stage under emulation) ~4 min.
 *
 * A foreign-architecture base needs emulation for debootstrap's second stage:
 * the caller holds the binfmt test lock; this helper registers fexpod's own
 * entry for the static QEMU (`fexpod binfmt install --emulator qemu-user-static`,
 * which works in a chroot: F flag, no libraries to find) and removes it again.
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("./foreign-image.js");
const demo_build_js_1 = require("./demo-build.js");
exports.STANDIN_SUITE = 'trixie';
exports.STANDIN_MIRROR = 'http://deb.debian.org/debian';
const VARIANT = 'minbase';
/** Bump when the recipe below changes: a new key, a new base. */
const RECIPE = 'v1';
function standinKey(arch) {
    return (0, node_crypto_1.createHash)('sha256').update([RECIPE, exports.STANDIN_SUITE, exports.STANDIN_MIRROR, VARIANT, arch.debian].join('\n')).digest('hex').slice(0, 12);
}
function standinRef(arch) {
    return `localhost/fexpod-standin-fedora-base:${arch.debian}-${standinKey(arch)}`;
}
function sh(cmd, args, timeout = 20 * 60_000) {
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-3000)}${r.error ? ` ${r.error.message}` : ''}`);
    return r.stdout;
}
/** debootstrap into a temp dir, then one tarball, renamed into place (an interrupted run leaves no entry). */
function makeTarball(arch, tarball) {
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'standin-work-'));
    const foreign = arch.name !== (0, foreign_image_js_1.hostArch)().name;
    const stateDir = (0, node_path_1.join)(work, 'binfmt-state');
    try {
        if (foreign) {
            (0, node_fs_1.mkdirSync)(stateDir);
            sh(process.execPath, [(0, demo_build_js_1.cliPath)(), 'binfmt', 'install', '--guest', arch.name, '--emulator', 'qemu-user-static', '--state-dir', stateDir]);
        }
        const root = (0, node_path_1.join)(work, 'root');
        sh('debootstrap', [`--variant=${VARIANT}`, `--arch=${arch.debian}`, exports.STANDIN_SUITE, root, exports.STANDIN_MIRROR]);
        // Nothing of the build host's in the image: package lists and caches go.
        for (const d of ['var/lib/apt/lists', 'var/cache/apt/archives']) {
            (0, node_fs_1.rmSync)((0, node_path_1.join)(root, d), { recursive: true, force: true });
            (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, d, 'partial'), { recursive: true });
        }
        sh('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', `${tarball}.part`, '.']);
        (0, node_fs_1.renameSync)(`${tarball}.part`, tarball);
    }
    finally {
        if (foreign)
            (0, node_child_process_1.spawnSync)(process.execPath, [(0, demo_build_js_1.cliPath)(), 'binfmt', 'uninstall', '--state-dir', stateDir], { encoding: 'utf8' });
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(`${tarball}.part`, { force: true });
    }
}
/**
 * The stand-in base for arch as a podman image reference (built or reused).
 * For a foreign arch the caller must hold the binfmt test lock.
 */
function standinBase(arch) {
    const ref = standinRef(arch);
    if ((0, node_child_process_1.spawnSync)('podman', ['image', 'exists', ref]).status === 0)
        return { ref, built: false };
    const dir = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'standin-base');
    (0, node_fs_1.mkdirSync)(dir, { recursive: true });
    const tarball = (0, node_path_1.join)(dir, `${exports.STANDIN_SUITE}-${arch.debian}-${standinKey(arch)}.tar`);
    const built = !(0, node_fs_1.existsSync)(tarball);
    if (built)
        makeTarball(arch, tarball);
    const args = ['import', '--arch', arch.oci.architecture, ...(arch.oci.variant ? ['--variant', arch.oci.variant] : []), '--change', 'CMD=["/bin/bash"]', tarball, ref];
    (0, node_child_process_1.execFileSync)('podman', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return { ref, built };
}
