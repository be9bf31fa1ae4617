/**
 * The `--load` step of `fexpod build`: find the engine, load the OCI layout
 * the build wrote, say where it went. Kept apart from build-command.ts so
 * the builder only imports it (and dockerode) when --load is given.
 */
import { UsageError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { connectEngine, dockerodeDeps, type EngineDeps } from './engine-client.js';
import { engineCandidates } from './engine-socket.js';
import { loadIntoEngine, readLayoutImage, type LoadResult } from './image-load.js';

export interface LoadOptions {
  /** Reference to load as (default: localhost/NAME:TAG from the layout's ref.name). */
  readonly reference?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number | undefined;
  readonly log: Logger;
  readonly deps?: EngineDeps;
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** A tagged image reference, "localhost/NAME:latest" for a bare name; refuses what engines would refuse. */
export function normalizeReference(ref: string): string {
  const bad = (why: string) => new UsageError(`--load-as ${ref}: ${why}`, 'give a reference like localhost/fex-rootfs:43 or registry.example.com/fex/sysroot:latest');
  if (ref.includes('@')) throw bad('a digest cannot be loaded under; give a tag');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
  if (!TAG.test(tag)) throw bad(`"${tag}" is not a valid tag`);
  const parts = repo.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasDomain ? parts.slice(1) : parts;
  if (hasDomain && !DOMAIN.test(first)) throw bad(`"${first}" is not a registry host`);
  if (path.length === 0 || !path.every((p) => NAME.test(p))) throw bad('repository names are lower-case letters, digits and . _ - separated by /');
  return `${hasDomain ? first : 'localhost'}/${path.join('/')}:${tag}`;
}

export async function loadBuiltImage(
  result: { readonly outputs: readonly { readonly kind: string; readonly path: string }[] },
  opts: LoadOptions,
): Promise<LoadResult> {
  const layout = result.outputs.find((o) => o.kind === 'oci')?.path;
  if (!layout) throw new UsageError('--load: the build wrote no OCI layout', 'add oci to --format');
  const refName = (await readLayoutImage(layout)).manifest.annotations?.['org.opencontainers.image.ref.name'];
  const reference = normalizeReference(opts.reference ?? refName ?? 'fexpod-image:latest');
  const engine = await connectEngine(engineCandidates(opts.env, opts.uid), opts.deps ?? dockerodeDeps);
  opts.log.info(`loading ${reference} into ${engine.product} at ${engine.address}`);
  return loadIntoEngine(engine, layout, reference);
}
