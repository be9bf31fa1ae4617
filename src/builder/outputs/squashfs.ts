/**
 * SquashFS output: the deterministic layer tar fed to `mksquashfs - OUT -tar`
 * (squashfs-tools >= 4.5), zstd-compressed.
 *
 * Reproducibility, checked on squashfs-tools 4.5.1: SOURCE_DATE_EPOCH in the
 * child's environment sets the superblock time and the root directory's time
 * and clamps file times (already clamped in the tar); we pass neither
 * -mkfs-time nor -all-time (with SOURCE_DATE_EPOCH set those are fatal).
 * With -tar, 4.5.1 ignores -root-uid/-root-gid/-root-time and gives the root
 * directory the builder's uid/gid: as non-root we therefore run it under
 * fakeroot, which makes a byte-identical image. Parallel compression does not
 * change the output.
 */
import { FexpodError } from '../../common/errors.js';
import type { CommandRunner } from '../../common/process-runner.js';
import { atomicOutput } from '../../common/atomic-output.js';
import { sha256File } from '../../common/hash.js';

export interface SquashfsOptions {
  readonly dest: string;
  readonly sourceDateEpoch: number;
  readonly compression?: string;
  readonly blockSize?: number;
}

export interface SquashfsDeps {
  readonly runner: CommandRunner;
  readonly privileged: boolean;
  /** The environment the tool inherits (SOURCE_DATE_EPOCH is set/overridden here). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** mksquashfs arguments (pure). */
export function mksquashfsArgs(opts: SquashfsOptions, image: string): string[] {
  return [
    '-', image, '-tar',
    '-comp', opts.compression ?? 'zstd',
    '-b', String(opts.blockSize ?? 131072),
    '-noappend', '-root-mode', '755', '-quiet', '-no-progress',
  ];
}

export interface SquashfsResult {
  readonly path: string;
  readonly sha256: string;
}

export async function writeSquashfs(layerTar: Uint8Array | AsyncIterable<Uint8Array>, opts: SquashfsOptions, deps: SquashfsDeps): Promise<SquashfsResult> {
  await atomicOutput(opts.dest, async (image) => {
    const args = mksquashfsArgs(opts, image);
    const env = { ...deps.env, SOURCE_DATE_EPOCH: String(opts.sourceDateEpoch) };
    try {
      if (deps.privileged) await deps.runner.run('mksquashfs', args, { env, input: layerTar });
      else await deps.runner.run('fakeroot', ['--', 'mksquashfs', ...args], { env, input: layerTar });
    } catch (err) {
      throw new FexpodError('mksquashfs failed', {
        cause: err,
        fix: deps.privileged
          ? 'install squashfs-tools >= 4.5 (it has -tar)'
          : 'install squashfs-tools >= 4.5 and fakeroot (the root directory must be owned by root)',
      });
    }
  });
  return { path: opts.dest, sha256: await sha256File(opts.dest) };
}
