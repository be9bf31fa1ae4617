/**
 * Step "load", where `--load` (or `--load-as REF`) is given: the OCI layout the
 * build wrote, loaded into the local engine (Docker Engine or Podman's API
 * service: src/engine) as localhost/NAME:TAG or REF. A build made for --load
 * always writes an OCI layout (build-context.ts). A reused build is loaded too.
 */
import type { LoadResult } from '../../engine/image-load.js';
import type { BuildContext } from '../build-context.js';
import type { Built } from './outputs.js';

export interface Loaded {
  readonly loaded?: LoadResult;
}

export async function load<C extends BuildContext & Built>(ctx: C): Promise<C & Loaded> {
  if (!ctx.deps.load) return ctx;
  return { ...ctx, loaded: await ctx.deps.load(ctx.result) };
}
