/**
 * Real foreign-architecture test material, built from Debian's own packages
 * (no container registry is reachable here): static busybox and, for the
 * "dynamic" flavour, libc6 + coreutils, unpacked with dpkg-deb and imported
 * into podman with the right --arch. "Foreign" is relative to the host, so the
 * same helper serves an aarch64 host (it then builds amd64/i386 images).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Arch } from '../../src/common/arch.js';

export function hostArch(): Arch {
  return Arch.fromNode(process.arch);
}

/** Foreign guest architectures for this host, 64-bit first. */
export function foreignArches(host: Arch = hostArch()): Arch[] {
  if (host.name === 'x86_64') return [Arch.of('aarch64'), Arch.of('arm')];
  if (host.name === 'aarch64') return [Arch.of('x86_64'), Arch.of('i386')];
  return [Arch.of('x86_64')];
}

export function cacheDir(): string {
  const base = process.env['FEXPOD_TEST_CACHE'] ?? join(process.env['HOME'] ?? tmpdir(), '.cache', 'fexpod-test');
  mkdirSync(base, { recursive: true });
  return base;
}

/** Downloads Debian packages for an architecture (cached), returns their paths. */
export function debianPackages(arch: Arch, names: readonly string[]): string[] {
  const dir = join(cacheDir(), 'debs', arch.debian);
  mkdirSync(dir, { recursive: true });
  const have = () => readdirSync(dir).filter((f) => f.endsWith('.deb'));
  const missing = names.filter((n) => !have().some((f) => f.startsWith(`${n}_`)));
  if (missing.length > 0) {
    execFileSync('apt-get', ['download', ...missing.map((n) => `${n}:${arch.debian}`)], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }
  return names.map((n) => {
    const f = have().find((x) => x.startsWith(`${n}_`));
    if (!f) throw new Error(`apt-get download ${n}:${arch.debian} produced nothing`);
    return join(dir, f);
  });
}

export type RootfsFlavour = 'static' | 'dynamic';

const DYNAMIC_PKGS = ['busybox-static', 'libc6', 'libgcc-s1', 'coreutils', 'libacl1', 'libattr1', 'libselinux1', 'libpcre2-8-0', 'libgmp10'];

/**
 * Builds a rootfs directory: static busybox as /bin/sh and friends; the
 * dynamic flavour adds Debian's libc6 and coreutils so /usr/bin/uname is a
 * dynamically linked foreign binary that needs the guest's own loader.
 */
export function buildRootfs(arch: Arch, flavour: RootfsFlavour, dest?: string): string {
  const root = dest ?? mkdtempSync(join(tmpdir(), `fexpod-rootfs-${arch.name}-`));
  const pkgs = flavour === 'static' ? ['busybox-static'] : DYNAMIC_PKGS;
  for (const deb of debianPackages(arch, pkgs)) execFileSync('dpkg-deb', ['-x', deb, root]);
  mkdirSync(join(root, 'usr', 'bin'), { recursive: true });
  mkdirSync(join(root, 'bin'), { recursive: true });
  for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp', 'run']) mkdirSync(join(root, d), { recursive: true });
  const applets = ['sh', 'ls', 'cat', 'echo', 'sleep', 'true', 'env', 'mount', 'grep', 'ps', 'id'];
  if (flavour === 'static') applets.push('uname');
  for (const a of applets) {
    const link = join(root, 'bin', a);
    if (!existsSync(link)) symlinkSync('busybox', link);
  }
  return root;
}

/** Imports a rootfs into podman as an image of the given architecture; returns the reference. */
export function podmanImage(arch: Arch, flavour: RootfsFlavour): string {
  const ref = `localhost/fexpod-test-${flavour}:${arch.oci.architecture}${arch.oci.variant ? `-${arch.oci.variant}` : ''}`;
  try {
    execFileSync('podman', ['image', 'exists', ref]);
    return ref;
  } catch {
    // build below
  }
  const root = buildRootfs(arch, flavour);
  try {
    const args = ['import', '--arch', arch.oci.architecture];
    if (arch.oci.variant) args.push('--variant', arch.oci.variant);
    args.push('--change', 'ENV=PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', '--change', 'CMD=["/bin/sh"]');
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
    execFileSync('podman', [...args, '-', ref], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return ref;
}
