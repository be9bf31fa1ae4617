/**
 * The local stand-in for Fedora's base image (registry.fedoraproject.org/fedora):
 * no container registry is reachable here, so the builder image's tests build
 * FROM a Debian 13 ("trixie", Node.js 20 like Fedora) tree made from Debian's
 * package mirror and imported into podman with the right --arch.
 *
 * Two recipes:
 * - `minbase` (the host's architecture): `mmdebstrap --variant=minbase` (what
 *   `debootstrap --variant=minbase` makes, in ~40 s here instead of ~80 s), so
 *   containerfiles/install-packages.sh installs with apt-get there as it does
 *   with dnf on Fedora.
 * - `prepared` (any architecture, used for the foreign one): `mmdebstrap
 *   --variant=extract` unpacks the essential set, apt and the builder image's
 *   runtime packages natively — no maintainer script runs, so nothing runs under
 *   emulation (a foreign debootstrap's second stage took ~8 min here, and
 *   apt-get in the Containerfile ran under emulation after it: ~7 min). What the maintainer scripts
 *   would have done that the image needs is written natively here (see
 *   `finishNatively`); install-packages.sh then finds every tool present and
 *   runs no package manager (its "prepared base" path).
 *
 * Cached outside the repository (FEXPOD_TEST_CACHE, default ~/.cache/fexpod-test)
 * as a tarball keyed by its inputs, and in podman storage under a tag carrying
 * that key, so the suite makes each base once per machine.
 *
 * A foreign `minbase` needs emulation for its maintainer scripts: the caller
 * holds the binfmt test lock; this helper registers fexpod's own entry for the
 * static QEMU (`fexpod binfmt install --emulator qemu-user-static`, which works in
 * a chroot: F flag, no libraries to find) and removes it again.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../src/common/arch.js';
import { cacheDir, hostArch } from './foreign-image.js';
import { cliPath } from './demo-build.js';
import { extractPrepared, finishNatively, runtimePackages } from './standin-prepared.js';

export const STANDIN_SUITE = 'trixie';
export const STANDIN_MIRROR = 'http://deb.debian.org/debian';

/** minbase: Debian's minbase, packages installed by the Containerfile; prepared: runtime packages unpacked natively. */
export type StandinRecipe = 'minbase' | 'prepared';

/** Bump when a recipe changes: a new key, a new base. */
const RECIPE_VERSION: Record<StandinRecipe, string> = { minbase: 'v2', prepared: 'p2' };

export function standinKey(arch: Arch, recipe: StandinRecipe = 'minbase'): string {
  const inputs = [RECIPE_VERSION[recipe], STANDIN_SUITE, STANDIN_MIRROR, recipe, arch.debian];
  if (recipe === 'prepared') inputs.push(runtimePackages().join(' '));
  return createHash('sha256').update(inputs.join('\n')).digest('hex').slice(0, 12);
}

export function standinRef(arch: Arch, recipe: StandinRecipe = 'minbase'): string {
  return `localhost/fexpod-standin-fedora-base:${arch.debian}-${recipe === 'prepared' ? 'prepared-' : ''}${standinKey(arch, recipe)}`;
}

function sh(cmd: string, args: readonly string[], timeout = 20 * 60_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-3000)}${r.error ? ` ${r.error.message}` : ''}`);
  return r.stdout;
}

/** mmdebstrap into a temp dir, then one tarball, renamed into place (an interrupted run leaves no entry). */
function makeTarball(arch: Arch, recipe: StandinRecipe, tarball: string): void {
  const work = mkdtempSync(join(cacheDir(), 'standin-work-'));
  const foreign = recipe === 'minbase' && arch.name !== hostArch().name;
  const stateDir = join(work, 'binfmt-state');
  try {
    if (foreign) {
      mkdirSync(stateDir);
      sh(process.execPath, [cliPath(), 'binfmt', 'install', '--guest', arch.name, '--emulator', 'qemu-user-static', '--state-dir', stateDir]);
    }
    const root = join(work, 'root');
    if (recipe === 'prepared') {
      extractPrepared(arch.debian, STANDIN_SUITE, STANDIN_MIRROR, root);
      finishNatively(root);
    } else {
      sh('mmdebstrap', ['--variant=minbase', '--mode=root', '--quiet', `--arch=${arch.debian}`, STANDIN_SUITE, root, STANDIN_MIRROR]);
    }
    // Nothing of the build host's in the image: package lists and caches go.
    for (const d of ['var/lib/apt/lists', 'var/cache/apt/archives']) {
      rmSync(join(root, d), { recursive: true, force: true });
      mkdirSync(join(root, d, 'partial'), { recursive: true });
    }
    sh('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', `${tarball}.part`, '.']);
    renameSync(`${tarball}.part`, tarball);
  } finally {
    if (foreign) spawnSync(process.execPath, [cliPath(), 'binfmt', 'uninstall', '--state-dir', stateDir], { encoding: 'utf8' });
    rmSync(work, { recursive: true, force: true });
    rmSync(`${tarball}.part`, { force: true });
  }
}

/**
 * The stand-in base for arch as a podman image reference (built or reused).
 * For a foreign arch with the minbase recipe the caller must hold the binfmt test lock.
 */
export function standinBase(arch: Arch, recipe: StandinRecipe = 'minbase'): { ref: string; built: boolean } {
  const ref = standinRef(arch, recipe);
  if (spawnSync('podman', ['image', 'exists', ref]).status === 0) return { ref, built: false };
  const dir = join(cacheDir(), 'standin-base');
  mkdirSync(dir, { recursive: true });
  const tarball = join(dir, `${STANDIN_SUITE}-${arch.debian}-${recipe === 'prepared' ? 'prepared-' : ''}${standinKey(arch, recipe)}.tar`);
  const built = !existsSync(tarball);
  if (built) makeTarball(arch, recipe, tarball);
  const args = ['import', '--arch', arch.oci.architecture, ...(arch.oci.variant ? ['--variant', arch.oci.variant] : []), '--change', 'CMD=["/bin/bash"]', tarball, ref];
  execFileSync('podman', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return { ref, built };
}
