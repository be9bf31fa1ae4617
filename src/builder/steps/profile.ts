/**
 * Step "profile": the installed tree → the image its consumer needs
 * (profile/): the FEX RootFS (host-owned files removed, /etc trimmed,
 * setuid/setgid stripped, ld.so.cache generated), the thunk sysroot (relative
 * symlinks, crt objects and libstdc++ links checked), or an overlay: only what
 * the packages add to the base's shaped tree.
 */
import { inContext } from '../../common/errors.js';
import type { BuildContext } from '../build-context.js';
import { applyProfile } from '../profile/profile.js';
import type { TreeEntry } from '../tree/tree.js';
import type { Extracted } from './extract.js';

export interface Profiled {
  /** The shaped tree. */
  readonly entries: readonly TreeEntry[];
  /** What the profile did ("removed 16 host-owned or /etc entries"). */
  readonly notes: readonly string[];
}

/** `base`: an overlay's base, shaped by its own profile. */
export async function profile<C extends BuildContext & Extracted>(ctx: C, base?: Profiled): Promise<C & Profiled> {
  const { definition: def, deps } = ctx;
  const spec = def.profile;
  deps.progress?.(`profile ${spec.kind}${ctx.isBase ? ` (base ${def.name})` : ''}`);
  const ldSoCache = deps.ldSoCache;
  const shaped = await inContext(`applying the ${spec.kind} profile`, () =>
    applyProfile(ctx.installed.entries, spec, {
      sourceDateEpoch: ctx.sourceDateEpoch,
      ...(ldSoCache ? { ldSoCache } : {}),
      ...(base ? { base: base.entries } : {}),
    }),
  );
  // The image's own notes (a base's shaping is not what the image is).
  if (!ctx.isBase) for (const n of shaped.notes) deps.log.info(`  ${n}`);
  return { ...ctx, entries: shaped.entries, notes: shaped.notes };
}
