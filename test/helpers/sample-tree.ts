/**
 * A hand-built image tree that exercises every output: the host's static
 * busybox (so a container made from it runs), applet symlinks (absolute and
 * relative), a setuid file, a hardlink pair, a file owned by a non-root user,
 * a path longer than 100 bytes, an empty file, a read-only directory and a
 * security.capability xattr. Static busybox is the host's arch: images made
 * from it are native here (x86_64 → amd64).
 */
import { readFileSync } from "node:fs";
import { bufferContent, type TreeEntry } from '../../src/builder/tree/tree.js';

export const BUSYBOX = '/bin/busybox';

/** cap_net_raw+ep as a VFS_CAP_REVISION_2 security.capability value. */
export const CAP_NET_RAW = Uint8Array.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);

export function sampleTree(opts: { xattrs?: boolean } = {}): TreeEntry[] {
  const t0 = 1_700_000_000;
  const bb = readFileSync(BUSYBOX);
  const dir = (path: string, mode = 0o755): TreeEntry => ({ path, type: 'dir', mode, uid: 0, gid: 0, mtime: t0 });
  const link = (path: string, linkTarget: string): TreeEntry => ({ path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: t0, linkTarget });
  const file = (path: string, data: Uint8Array | string, mode = 0o644, uid = 0, gid = 0): TreeEntry => ({
    path, type: 'file', mode, uid, gid, mtime: t0,
    content: bufferContent(typeof data === 'string' ? Buffer.from(data) : data),
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
      ...(opts.xattrs ? { xattrs: { 'security.capability': CAP_NET_RAW } } : {}),
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

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch } from '../../src/common/arch.js';
import { silentLogger } from '../../src/common/log.js';
import { processRunner } from '../../src/common/process-runner.js';
import { defaultOutputNames, type OutputKind, type OutputsResult } from '../../src/builder/outputs/output-plan.js';
import { layerTar } from '../../src/builder/layer/tar-writer.js';
import { writeOutputs } from '../../src/builder/steps/outputs.js';

export const SAMPLE_EPOCH = 1_700_000_100;

export function hostArch(): Arch {
  return Arch.fromNode(process.arch);
}

/** Writes the sample tree's outputs into a fresh temp dir. */
export async function sampleOutputs(
  formats: readonly OutputKind[],
  opts: { privileged?: boolean; xattrs?: boolean; env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<{ dir: string; result: OutputsResult; tar: Uint8Array }> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-out-'));
  const entries = sampleTree({ xattrs: opts.xattrs ?? false });
  const result = await writeOutputs(
    {
      entries, formats, outDir: dir, names: defaultOutputNames('sample'), arch: hostArch(), sourceDateEpoch: SAMPLE_EPOCH,
      image: { refName: 'sample:latest', createdBy: 'fexpod test', cmd: ['/bin/sh'] },
      sbom: { imageName: 'sample', distro: { id: 'fedora', release: '42' }, packages: [], toolVersion: 'test' },
    },
    { runner: processRunner, privileged: opts.privileged ?? process.getuid?.() === 0, pageSize: 4096, env: opts.env ?? process.env, log: silentLogger },
  );
  return { dir, result, tar: await layerTar(entries, SAMPLE_EPOCH) };
}

/** Loop-mounts an image read-only, runs fn on the mount point, unmounts. */
export async function withLoopMount<T>(image: string, fstype: 'erofs' | 'squashfs', fn: (mnt: string) => Promise<T>): Promise<T> {
  const mnt = mkdtempSync(join(tmpdir(), 'fexpod-mnt-'));
  mkdirSync(mnt, { recursive: true });
  execFileSync('mount', ['-o', 'loop,ro', '-t', fstype, image, mnt]);
  try {
    return await fn(mnt);
  } finally {
    execFileSync('umount', [mnt]);
    rmdirSync(mnt);
  }
}

export function fileSha256(path: string): string {
  return execFileSync('sha256sum', [path]).toString().split(' ')[0] ?? '';
}
