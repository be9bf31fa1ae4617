/**
 * `fexpod build`, top to bottom (like apko's build): one list of named steps
 * over a build context (build-context.ts), each in the file named after it
 * under steps/:
 *
 *   resolve  → the lock (an existing one, or a fresh libsolv resolution)
 *   reuse    → the verified outputs of an identical earlier build, if any: done
 *   fetch    → every package downloaded and verified in the cache (not waited for:
 *   extract  → … each package extracted as soon as it is verified) into one tree
 *   profile  → the rootfs / sysroot / overlay transform
 *   layer    → one streamed pass of the tree's tar: diff_id, compressed blob,
 *              and the tar fed to mksquashfs and mkfs.erofs
 *   outputs  → OCI layout, oci-archive, EroFS, SquashFS, dir, SBOM, FEX index
 *   record   → what the next build's reuse step checks
 *   publish  → with --push, the outputs to a registry
 *   load     → with --load, the OCI image into the local engine
 *
 * An overlay's base is a context of its own: resolved with the overlay (the
 * reuse check needs both locks), then fetched, extracted and shaped by its own
 * profile before the overlay's tree is diffed against it.
 */
import type { BuildContext } from './build-context.js';
import { extract } from './steps/extract.js';
import { fetch } from './steps/fetch.js';
import { layer } from './steps/layer.js';
import { load, type Loaded } from './steps/load.js';
import { outputs, type Built } from './steps/outputs.js';
import { profile } from './steps/profile.js';
import { publish, type Published } from './steps/publish.js';
import { resolve } from './steps/resolve.js';
import { record, reuse } from './steps/reuse.js';

export type { BuildResult } from './steps/outputs.js';

export async function build(ctx: BuildContext): Promise<BuildContext & Built & Published & Loaded> {
  const base = ctx.base ? await resolve(ctx.base) : undefined;
  const resolved = await reuse(await resolve(ctx), base);
  if (resolved.reused) return load(await publish({ ...resolved, result: resolved.reused }));
  const baseTree = base ? await profile(await extract(fetch(base))) : undefined;
  const shaped = await profile(await extract(fetch(resolved)), baseTree);
  const built = await record(await outputs(await layer(shaped)));
  return load(await publish(built));
}
