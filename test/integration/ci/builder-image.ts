/**
 * Building containerfiles/fexpod.Containerfile in tests: from the local
 * stand-in base (test/helpers/standin-base.ts), with a fresh REVISION so the
 * image's smoke RUN step runs every time (the package layers come from
 * podman's cache after the first run on a machine).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Arch } from '../../../src/common/arch.js';
import { repoRoot } from '../../helpers/integration.js';
import { hostArch } from '../../helpers/foreign-image.js';
import { standinRef } from '../../helpers/standin-base.js';

export const CONTAINERFILE = join(repoRoot(), 'containerfiles', 'fexpod.Containerfile');

/** Where this host keeps the CA bundle npm needs behind a TLS-intercepting proxy (handed over as a build secret). */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export function podman(args: readonly string[], timeout = 30 * 60_000): SpawnSyncReturns<string> {
  return spawnSync('podman', args, { encoding: 'utf8', timeout, maxBuffer: 256 << 20 });
}

export interface ImageBuild {
  readonly tag: string;
  readonly seconds: number;
  readonly output: string;
}

export function buildBuilderImage(arch: Arch, base: string, tag: string, extra: readonly string[] = []): ImageBuild {
  const args = [
    'build', '--platform', `linux/${arch.oci.architecture}${arch.oci.variant ? `/${arch.oci.variant}` : ''}`,
    '--build-arg', `BASE=${base}`, '--build-arg', `REVISION=test-${randomBytes(6).toString('hex')}`,
    // Podman 4.3 (buildah 1.28) sets BUILDPLATFORM to the *target* platform: a foreign build
    // names the host's base by image ID, so the first stage compiles natively (see the Containerfile).
    ...(arch.name === hostArch().name ? [] : ['--build-arg', `BUILD_BASE=${imageId(standinRef(hostArch()))}`]),
    ...(existsSync(CA_BUNDLE) ? ['--secret', `id=ca-certificates,src=${CA_BUNDLE}`] : []),
    ...extra, '-f', CONTAINERFILE, '-t', tag, repoRoot(),
  ];
  const t0 = Date.now();
  const r = podman(args);
  const seconds = (Date.now() - t0) / 1000;
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.status ?? r.signal}):\n${output.slice(-6000)}`);
  return { tag, seconds, output };
}

export function imageId(ref: string): string {
  const r = podman(['image', 'inspect', '--format', '{{.Id}}', ref]);
  if (r.status !== 0) throw new Error(`podman image inspect ${ref}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Bytes of the image as podman stores it (uncompressed layers). */
export function imageSize(ref: string): number {
  return Number(podman(['image', 'inspect', '--format', '{{.Size}}', ref]).stdout.trim());
}

export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
