/**
 * The overlay profile (Mesa-style, design.md §1): the tree is base + overlay
 * packages installed together; the image keeps only what differs from the
 * base RootFS (new or changed entries, plus the directories leading to them),
 * so it can be stacked on the base as an EroFS overlay. Before diffing, the
 * combined tree gets the base's RootFS trimming so that host-owned files do
 * not reappear, and a fresh ld.so.cache that knows the overlay's libraries.
 *
 * Files removed by the overlay's packages are not whited out (FEX's overlay
 * stacking only adds); this is stated in docs/build.md.
 */
import { FexpodError } from '../../common/errors.js';
import { parentPath, type TreeEntry } from '../tree/tree.js';
import { applyRootfs, type RootfsOptions } from './profile-rootfs.js';
import type { ProfileContext, ProfileResult } from './profile.js';

export interface OverlayOptions {
  /** Trim the combined tree like the base before diffing ("rootfs") or not ("none"). */
  readonly trim: 'rootfs' | 'none';
  readonly rootfs: RootfsOptions;
  readonly ldSoCache: boolean;
}

export const OVERLAY_DEFAULTS = { trim: 'rootfs', ldSoCache: true } as const;

async function sameContent(a: TreeEntry, b: TreeEntry): Promise<boolean> {
  if (!a.content || !b.content) return !a.content && !b.content;
  if (a.content.size !== b.content.size) return false;
  if (a.content.sha256 && b.content.sha256) return a.content.sha256 === b.content.sha256;
  return Buffer.from(await a.content.read()).equals(Buffer.from(await b.content.read()));
}

function sameXattrs(a: TreeEntry, b: TreeEntry): boolean {
  const ka = Object.keys(a.xattrs ?? {}).sort();
  const kb = Object.keys(b.xattrs ?? {}).sort();
  if (ka.join('\0') !== kb.join('\0')) return false;
  return ka.every((k) => Buffer.from(a.xattrs?.[k] ?? []).equals(Buffer.from(b.xattrs?.[k] ?? [])));
}

/** Whether an entry is identical in the base (type, metadata, target, content). mtime is ignored. */
export async function identical(a: TreeEntry, b: TreeEntry): Promise<boolean> {
  if (a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.linkTarget !== b.linkTarget || a.devMajor !== b.devMajor || a.devMinor !== b.devMinor) return false;
  if (!sameXattrs(a, b)) return false;
  return sameContent(a, b);
}

export async function applyOverlay(entries: readonly TreeEntry[], o: OverlayOptions, ctx: ProfileContext): Promise<ProfileResult> {
  if (!ctx.base) {
    throw new FexpodError('the overlay profile needs the base tree', { fix: 'set base = "<base definition>.toml" in the definition' });
  }
  const notes: string[] = [];
  let combined: readonly TreeEntry[] = entries;
  if (o.trim === 'rootfs') {
    const r = await applyRootfs(entries, { ...o.rootfs, ldSoCache: o.ldSoCache }, ctx);
    combined = r.entries;
  }
  const base = new Map(ctx.base.map((e) => [e.path, e]));
  const byPath = new Map(combined.map((e) => [e.path, e]));
  const keep = new Set<string>();
  for (const e of combined) {
    const b = base.get(e.path);
    if (b && (await identical(e, b))) continue; // an identical directory comes back below only as a parent
    keep.add(e.path);
  }
  // A hardlink needs its first link in the same image.
  for (const p of [...keep]) {
    const e = byPath.get(p);
    if (e?.type === 'hardlink' && e.linkTarget !== undefined) keep.add(e.linkTarget);
  }
  for (const p of [...keep]) for (let d = parentPath(p); d !== ''; d = parentPath(d)) if (byPath.has(d)) keep.add(d);
  const out = combined.filter((e) => keep.has(e.path));
  notes.push(`overlay keeps ${out.length} of ${combined.length} entries (the rest are identical in the base)`);
  return { entries: out, notes };
}
