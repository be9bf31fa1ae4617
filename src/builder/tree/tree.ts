/**
 * The file tree an image is made of: what scriptless RPM installation
 * produces, what profiles transform, and what every output (tar layer, EroFS,
 * SquashFS, directory) is written from. Pure data.
 *
 * Paths are relative to the tree root, normalized, without leading "/" or "./"
 * ("usr/lib64/libc.so.6"); the root itself is never an entry.
 */
import { createHash } from 'node:crypto';
import type { ChunkPool } from './chunk-pool.js';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** Where a regular file's bytes come from: loaded lazily so a tree need not hold every byte. */
export interface ContentSource {
  readonly size: number;
  /** sha256 hex of the content, when known (used for dedup and SBOM). */
  readonly sha256?: string;
  /** A file that holds exactly these bytes and stays unchanged (the content store's spill file), if any. */
  readonly path?: string;
  read(): Promise<Uint8Array>;
  /**
   * The same bytes in pieces (large files are never held whole); verified against sha256 where it
   * is given. With a pool, every piece is read into one of its buffers and the caller release()s it.
   */
  stream?(pool?: ChunkPool): AsyncIterable<Uint8Array>;
}

export interface TreeEntry {
  readonly path: string;
  readonly type: EntryType;
  /** Permission bits including setuid/setgid/sticky (no file-type bits). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Seconds since the epoch. Outputs clamp it to SOURCE_DATE_EPOCH. */
  readonly mtime: number;
  /** Symlink target (as stored) or, for hardlinks, the tree path of the first link. */
  readonly linkTarget?: string;
  /** Device numbers for char/block entries. */
  readonly devMajor?: number;
  readonly devMinor?: number;
  /** Extended attributes, binary values (e.g. security.capability). */
  readonly xattrs?: Readonly<Record<string, Uint8Array>>;
  /** Regular file content. */
  readonly content?: ContentSource;
  /** NEVRA of the package that owns the entry, if any. */
  readonly owner?: string;
}

/** Normalizes a path to tree form; rejects anything that escapes the root. */
export function treePath(p: string): string {
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new Error(`path escapes the tree root: ${p}`);
    parts.push(seg);
  }
  return parts.join('/');
}

/** Parent directory of a tree path ("" for top-level entries). */
export function parentPath(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/**
 * Canonical order for every output: parents before children, siblings by
 * byte order of their names. Comparing segment-wise gives exactly that.
 */
export function compareTreePaths(a: string, b: string): number {
  // Equivalent to comparing segment by segment in UTF-8 byte order: "/" sorts
  // below every other character, and UTF-16 units are fixed up to code point
  // order (= UTF-8 byte order) around the surrogate range. No allocation.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 0x2f) return -1;
    if (y === 0x2f) return 1;
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

export function bufferContent(data: Uint8Array): ContentSource {
  return { size: data.length, read: async () => data };
}

/**
 * A whole tree: entries keyed by tree path. Insertion order is irrelevant;
 * outputs always walk it in canonical order (see canonicalEntries).
 */
export type Tree = Map<string, TreeEntry>;

/**
 * The entries of a tree in canonical order, ready for an output writer:
 * sorted parents first (compareTreePaths), and every hardlink set rearranged
 * so that the member that sorts first carries the content and metadata and
 * the others link to it (an archive can only link back to an earlier entry).
 * Throws when a hardlink points at nothing or at a non-file.
 */
export function canonicalEntries(entries: Iterable<TreeEntry>): TreeEntry[] {
  const byPath = new Map<string, TreeEntry>();
  for (const e of entries) {
    if (byPath.has(e.path)) throw new Error(`duplicate tree path: ${e.path}`);
    byPath.set(e.path, e);
  }
  // Resolve every hardlink to the regular file that holds its data.
  const groups = new Map<string, string[]>();
  for (const e of byPath.values()) {
    if (e.type !== 'hardlink') continue;
    let target = e.linkTarget;
    const seen = new Set<string>([e.path]);
    for (;;) {
      if (target === undefined) throw new Error(`hardlink without target: ${e.path}`);
      const t = byPath.get(target);
      if (!t) throw new Error(`hardlink ${e.path} points at missing ${target}`);
      if (t.type === 'file') break;
      if (t.type !== 'hardlink' || seen.has(target)) throw new Error(`hardlink ${e.path} does not lead to a regular file`);
      seen.add(target);
      target = t.linkTarget;
    }
    const members = groups.get(target) ?? [target];
    members.push(e.path);
    groups.set(target, members);
  }
  for (const [head, members] of groups) {
    members.sort(compareTreePaths);
    const first = members[0];
    const data = byPath.get(head);
    if (first === undefined || !data) continue;
    byPath.set(first, { ...data, path: first });
    for (const m of members.slice(1)) {
      const old = byPath.get(m) ?? data;
      const { content: _content, xattrs: _xattrs, ...rest } = data;
      byPath.set(m, { ...rest, owner: old.owner ?? data.owner, path: m, type: 'hardlink', linkTarget: first });
    }
  }
  return [...byPath.values()].sort((a, b) => compareTreePaths(a.path, b.path));
}

/**
 * The segments a symlink in directory `dir` (segments) with `target` points at,
 * chroot-style: an absolute target restarts at the root, ".." stops there.
 */
function followLink(dir: readonly string[], target: string): string[] {
  const out = target.startsWith('/') ? [] : [...dir];
  for (const s of target.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out;
}

/**
 * Resolves symlinks among the directory components of `path` inside the
 * tree, like a lookup under chroot: absolute targets restart at the tree
 * root, ".." never climbs above it. The last component is not followed.
 * Used to place "/lib64/foo" under "usr/lib64" when lib64 is a symlink.
 */
export function resolveParentSymlinks(path: string, get: (p: string) => TreeEntry | undefined): string {
  let segs = treePath(path).split('/').filter((s) => s !== '');
  for (let hops = 0, i = 0; i < segs.length - 1; ) {
    const prefix = segs.slice(0, i + 1).join('/');
    const e = get(prefix);
    if (e?.type !== 'symlink' || e.linkTarget === undefined) {
      i++;
      continue;
    }
    if (++hops > 40) throw new Error(`too many levels of symbolic links resolving ${path}`);
    segs = [...followLink(segs.slice(0, i), e.linkTarget), ...segs.slice(i + 1)];
    i = 0;
  }
  return segs.join('/');
}

/**
 * Resolves every symlink in `path` inside the tree, the last component too
 * (chroot semantics as resolveParentSymlinks). Returns the final tree path,
 * or undefined for a loop.
 */
export function resolveSymlinks(path: string, get: (p: string) => TreeEntry | undefined): string | undefined {
  let p = treePath(path);
  for (let hops = 0; hops < 40; hops++) {
    p = resolveParentSymlinks(p, get);
    const e = get(p);
    if (e?.type !== 'symlink' || e.linkTarget === undefined) return p;
    const dir = parentPath(p);
    p = followLink(dir === '' ? [] : dir.split('/'), e.linkTarget).join('/');
  }
  return undefined;
}

/**
 * A digest of everything an image is made of (each entry's path, type, mode,
 * owner, time clamped to the epoch, link target, device numbers, xattrs and
 * content sha256), in canonical order. Known before any output is written, so
 * an output can be named by it (the EroFS UUID) without waiting for the layer
 * tar; two trees with the same digest give the same layer.
 */
export async function treeDigest(entries: readonly TreeEntry[], sourceDateEpoch: number): Promise<string> {
  const h = createHash('sha256');
  h.update(`fexpod-tree-v1\0${sourceDateEpoch}\0`);
  for (const e of canonicalEntries(entries)) {
    let sha = '';
    if (e.type === 'file' && e.content) sha = e.content.sha256 ?? createHash('sha256').update(await e.content.read()).digest('hex');
    const xattrs = Object.entries(e.xattrs ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${Buffer.from(v).toString('hex')}`)
      .join(',');
    const fields = [e.path, e.type, e.mode, e.uid, e.gid, Math.min(e.mtime, sourceDateEpoch), e.linkTarget ?? '', e.devMajor ?? '', e.devMinor ?? '', xattrs, e.content?.size ?? '', sha];
    h.update(JSON.stringify(fields) + '\n');
  }
  return `sha256:${h.digest('hex')}`;
}
