/**
 * Path patterns used by the profiles' data ("etc/passwd*", "usr/lib/gcc/*\/*\/crtbegin.o")
 * and the tree edits they share: removing subtrees without leaving dangling
 * hardlinks. Pure.
 */
import { parentPath, type TreeEntry } from '../tree/tree.js';

/** `*` and `?` match within one path segment; everything else is literal. */
export function patternRegExp(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern.replace(/^\/+/, '').replace(/\/+$/, '')) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export class PathMatcher {
  private readonly res: RegExp[];
  constructor(patterns: readonly string[]) {
    this.res = patterns.map(patternRegExp);
  }
  /** The path itself matches. */
  matches(path: string): boolean {
    return this.res.some((r) => r.test(path));
  }
  /** The path or one of its ancestors matches (subtree semantics). */
  covers(path: string): boolean {
    for (let p = path; p !== ''; p = parentPath(p)) if (this.matches(p)) return true;
    return false;
  }
}

/**
 * Drops every entry for which `drop` is true. A hardlink whose first link is
 * dropped is promoted: the first surviving member becomes the regular file
 * and the others point at it.
 */
export function removeEntries(entries: readonly TreeEntry[], drop: (e: TreeEntry) => boolean): TreeEntry[] {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const dropped = new Set(entries.filter(drop).map((e) => e.path));
  const promoted = new Map<string, string>(); // old head → new head
  const out: TreeEntry[] = [];
  for (const e of entries) {
    if (dropped.has(e.path)) continue;
    if (e.type === 'hardlink' && e.linkTarget !== undefined && dropped.has(e.linkTarget)) {
      const head = promoted.get(e.linkTarget);
      if (head === undefined) {
        const data = byPath.get(e.linkTarget);
        promoted.set(e.linkTarget, e.path);
        const { linkTarget: _l, ...rest } = data ?? e;
        out.push({ ...rest, path: e.path, type: data?.type ?? 'file', owner: e.owner ?? data?.owner });
        continue;
      }
      out.push({ ...e, linkTarget: head });
      continue;
    }
    out.push(e);
  }
  return out;
}

/** Relative symlink target from the directory of `from` to the tree path `to`. */
export function relativeTarget(from: string, to: string): string {
  const fromDir = parentPath(from).split('/').filter((s) => s !== '');
  const toParts = to.split('/').filter((s) => s !== '');
  let i = 0;
  while (i < fromDir.length && i < toParts.length && fromDir[i] === toParts[i]) i++;
  const up = fromDir.slice(i).map(() => '..');
  const rel = [...up, ...toParts.slice(i)].join('/');
  return rel === '' ? '.' : rel;
}
