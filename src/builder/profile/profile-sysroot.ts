/**
 * The thunk sysroot profile (Fedora's build-fex-sysroot, design.md §5): a tree
 * clang uses with --sysroot to build FEX's x86 guest thunks. Symlinks must be
 * relative (the sysroot lives anywhere), crtbegin.o must be there, and the
 * libstdc++.so development links must resolve.
 */
import { FexpodError } from '../../common/errors.js';
import { parentPath, treePath, type TreeEntry } from '../tree/tree.js';
import { PathMatcher, relativeTarget, removeEntries } from './profile-paths.js';
import type { ProfileResult } from './profile.js';

export interface SysrootOptions {
  readonly relativeSymlinks: boolean;
  /** Patterns that must each match at least one entry, or the build fails. */
  readonly require: readonly string[];
  /** Symlinks created when absent: path → target (relative to the link's directory). */
  readonly links: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

export const SYSROOT_DEFAULTS: SysrootOptions = {
  relativeSymlinks: true,
  require: ['usr/lib/gcc/*/*/crtbegin.o', 'usr/lib64/crt1.o', 'usr/lib64/libstdc++.so.6', 'usr/include/stdio.h'],
  // clang looks for libstdc++.so next to libstdc++.so.6 (x86_64 and i686) when the gcc dir lacks it
  links: { 'usr/lib64/libstdc++.so': 'libstdc++.so.6', 'usr/lib/libstdc++.so': 'libstdc++.so.6' },
  remove: ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale'],
};

export function applySysroot(entries: readonly TreeEntry[], o: SysrootOptions): ProfileResult {
  const notes: string[] = [];
  const remove = new PathMatcher(o.remove);
  let out = removeEntries(entries, (e) => remove.covers(e.path));
  notes.push(`removed ${entries.length - out.length} documentation entries`);

  if (o.relativeSymlinks) {
    let n = 0;
    out = out.map((e) => {
      if (e.type !== 'symlink' || !e.linkTarget?.startsWith('/')) return e;
      n++;
      const to = treePath(e.linkTarget);
      return { ...e, linkTarget: relativeTarget(e.path, to) };
    });
    notes.push(`made ${n} absolute symlinks relative`);
  }

  const have = new Set(out.map((e) => e.path));
  for (const [path, target] of Object.entries(o.links).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const p = treePath(path);
    if (have.has(p)) continue;
    const dir = parentPath(p);
    if (dir !== '' && !have.has(dir)) continue;
    const resolved = treePath(`${dir}/${target}`);
    if (!have.has(resolved)) continue;
    out.push({ path: p, type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 0, linkTarget: target });
    have.add(p);
    notes.push(`added link ${p} -> ${target}`);
  }

  const missing = o.require.filter((pat) => {
    const m = new PathMatcher([pat]);
    return !out.some((e) => m.matches(e.path));
  });
  if (missing.length > 0) {
    throw new FexpodError(`sysroot is incomplete: nothing matches ${missing.join(', ')}`, {
      fix: 'add the packages that ship them (gcc for crtbegin.o, glibc-devel for crt1.o, libstdc++ and libstdc++-devel for libstdc++) or adjust profile_options.require',
    });
  }
  return { entries: out, notes };
}
