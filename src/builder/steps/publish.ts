/**
 * Step "publish", where `--push REF` is given: the outputs to a registry
 * (src/publish, reading only the files the result names): the image to REF,
 * the EroFS/SquashFS files as RootFS/overlay artifacts to REF-erofs and
 * REF-squashfs, the SBOM as their referrer. A reused build is published too.
 */
import type { PublishResult } from '../../publish/publish.js';
import type { BuildContext } from '../build-context.js';
import type { Built } from './outputs.js';

export interface Published {
  readonly pushed?: readonly PublishResult[];
}

export async function publish<C extends BuildContext & Built>(ctx: C): Promise<C & Published> {
  if (!ctx.deps.push) return ctx;
  return { ...ctx, pushed: await ctx.deps.push(ctx.result, ctx.definition.profile.kind) };
}
