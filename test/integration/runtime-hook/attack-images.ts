/**
 * Images built to attack the hook's args[0] resolution: absolute and ".."
 * symlinks for args[0] and PATH entries that point at a host "sentinel"
 * directory, a "#!" loop, a huge and a truncated ELF file, a FIFO and a
 * missing args[0]. The host sentinel holds files with the *host's* ELF
 * identity; the image holds the same paths as foreign busybox applets. A hook
 * that followed a symlink out of the rootfs would see a native binary and
 * leave the container without its emulator — and the container would fail.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arch } from '../../../src/common/arch.js';
import { buildRootfs } from '../../helpers/foreign-image.js';
import { elfHeader } from '../../unit/runtime-hook/rootfs-fixture.js';

export const HOST_SENTINEL = '/tmp/fexpod-hook-sentinel';

export interface Attack {
  readonly name: string;
  /** Extra rootfs entries: [path, kind, value]. */
  readonly setup: (root: string) => void;
  readonly cmd: readonly string[];
  readonly path?: string;
  /** 'works': prints `stdout`; 'fails': the container fails with or without the hook. */
  readonly expect: 'works' | 'fails';
  readonly stdout?: string;
}

export function makeHostSentinel(host: Arch): void {
  mkdirSync(HOST_SENTINEL, { recursive: true });
  for (const n of ['uname', 'sh']) {
    writeFileSync(join(HOST_SENTINEL, n), elfHeader(host));
    chmodSync(join(HOST_SENTINEL, n), 0o755);
  }
}

/** The image's own copy of the sentinel paths: foreign busybox applets. */
function inImageSentinel(root: string): void {
  mkdirSync(join(root, HOST_SENTINEL), { recursive: true });
  symlinkSync('/bin/busybox', join(root, HOST_SENTINEL, 'uname'));
  symlinkSync('/bin/busybox', join(root, HOST_SENTINEL, 'sh'));
}

export function attacks(guest: Arch): Attack[] {
  const uname = guest.name === 'arm' ? 'armv7l' : guest.name;
  return [
    { name: 'path-abs-symlink', setup: (r) => { inImageSentinel(r); symlinkSync(HOST_SENTINEL, join(r, 'evil')); }, path: '/evil:/bin', cmd: ['uname', '-m'], expect: 'works', stdout: uname },
    { name: 'path-dotdot-symlink', setup: (r) => { inImageSentinel(r); symlinkSync(`../../../../../..${HOST_SENTINEL}`, join(r, 'evil')); }, path: '/evil:/bin', cmd: ['uname', '-m'], expect: 'works', stdout: uname },
    { name: 'path-symlink-loop', setup: (r) => { symlinkSync('/l2', join(r, 'l1')); symlinkSync('/l1', join(r, 'l2')); }, path: '/l1:/bin', cmd: ['uname', '-m'], expect: 'works', stdout: uname },
    // busybox picks its applet from basename(argv[0]), so the attack links keep applet names.
    { name: 'args0-abs-symlink', setup: (r) => { inImageSentinel(r); mkdirSync(join(r, 'evil')); symlinkSync(`${HOST_SENTINEL}/uname`, join(r, 'evil', 'uname')); }, cmd: ['/evil/uname', '-m'], expect: 'works', stdout: uname },
    { name: 'args0-dotdot-symlink', setup: (r) => { inImageSentinel(r); mkdirSync(join(r, 'evil')); symlinkSync(`../../../../../../..${HOST_SENTINEL}/uname`, join(r, 'evil', 'uname')); }, cmd: ['/evil/uname', '-m'], expect: 'works', stdout: uname },
    {
      name: 'shebang-abs-symlink',
      setup: (r) => { inImageSentinel(r); mkdirSync(join(r, 'evil')); symlinkSync(`${HOST_SENTINEL}/sh`, join(r, 'evil', 'sh')); writeFileSync(join(r, 'script'), '#!/evil/sh\necho hook-ok\n'); chmodSync(join(r, 'script'), 0o755); },
      cmd: ['/script'], expect: 'works', stdout: 'hook-ok',
    },
    {
      name: 'huge-elf',
      setup: (r) => { mkdirSync(join(r, 'huge')); copyFileSync(join(r, 'bin', 'busybox'), join(r, 'huge', 'busybox')); chmodSync(join(r, 'huge', 'busybox'), 0o755); truncateSync(join(r, 'huge', 'busybox'), 32 << 20); },
      cmd: ['/huge/busybox', 'uname', '-m'], expect: 'works', stdout: uname,
    },
    { name: 'shebang-loop', setup: (r) => { writeFileSync(join(r, 'loop'), '#!/loop\n'); chmodSync(join(r, 'loop'), 0o755); }, cmd: ['/loop'], expect: 'fails' },
    { name: 'truncated-elf', setup: (r) => { writeFileSync(join(r, 'bin', 'trunc'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0])); chmodSync(join(r, 'bin', 'trunc'), 0o755); }, cmd: ['/bin/trunc'], expect: 'fails' },
    { name: 'fifo-args0', setup: (r) => { execFileSync('mkfifo', ['-m', '0755', join(r, 'bin', 'fifo')]); }, cmd: ['/bin/fifo'], expect: 'fails' },
    { name: 'missing-args0', setup: () => {}, cmd: ['/nonexistent'], expect: 'fails' },
  ];
}

export function attackImageRef(guest: Arch, a: Attack): string {
  return `localhost/fexpod-hook-attack:${a.name}-${guest.oci.architecture}`;
}

export function buildAttackImage(guest: Arch, a: Attack): string {
  const ref = attackImageRef(guest, a);
  const root = buildRootfs(guest, 'static', mkdtempSync(join(tmpdir(), 'fexpod-hook-attack-')));
  try {
    a.setup(root);
    const args = ['import', '--arch', guest.oci.architecture];
    if (guest.oci.variant) args.push('--variant', guest.oci.variant);
    args.push('--change', `ENV=PATH=${a.path ?? '/bin'}`, '--change', `CMD=${JSON.stringify(a.cmd)}`);
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
    execFileSync('podman', [...args, '-', ref], { input: tar, stdio: ['pipe', 'ignore', 'pipe'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return ref;
}
