/**
 * Scriptless installation of a locked package set into one Tree, never
 * touching the host filesystem and never running scriptlets:
 *
 * 1. packages are laid down in lock order; %ghost files are not created (rpm
 *    does not create them either), %doc files and foreign-locale files are
 *    left out as configured (rpm's --excludedocs / %_install_langs);
 * 2. paths go through directory symlinks already in the tree (filesystem's
 *    /lib64 → usr/lib64), missing parents become 0755 root directories;
 * 3. file conflicts are found the way rpm does (lib/rpmfi rpmfilesCompare):
 *    identical files (same type, mode, owner and digest or link target) and
 *    directories never conflict, and multilib ELF files of different color
 *    resolve silently in favour of the preferred color (64-bit on x86_64);
 *    everything else is reported with both package names;
 * 4. owners (names in the header) become numeric ids through the tree's own
 *    /etc/passwd and /etc/group (from `setup`), then fixed ids declared in
 *    the tree's sysusers.d files (users Fedora creates in scriptlets), root = 0
 *    as fallback; unknown names are reported and mapped to root, as rpm does;
 * 5. FILECAPS become binary `security.capability` xattrs.
 */
import { FexpodError } from '../../common/errors.js';
import type { ContentStore } from './content-store.js';
import { fileCapsXattr, SECURITY_CAPABILITY } from '../rpm/file-caps.js';
import { idMap, sysusersIds } from './passwd.js';
import { extractRpmFile, type ExtractedRpm } from '../rpm/rpm-extract.js';
import {
  fileType, RpmFileFlag, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG, S_IFSOCK, type RpmFile,
} from '../rpm/rpm-files.js';
import { compareTreePaths, parentPath, resolveParentSymlinks, resolveSymlinks, treePath, type EntryType, type Tree, type TreeEntry } from './tree.js';

export interface InstallOptions {
  /** Install %doc files (rpm --excludedocs is docs: false). %license files are always kept. */
  readonly docs: boolean;
  /** Locales to keep for files that carry a FILELANGS value ('all' keeps every one). */
  readonly langs: readonly string[] | 'all';
  /** mtime of directories the installer creates implicitly. */
  readonly sourceDateEpoch: number;
  /** ELF color that wins multilib collisions: 2 = 64-bit (x86_64 trees), 1 = 32-bit, 0 = none. */
  readonly preferColor?: 0 | 1 | 2;
  /** 'error' (default) fails on file conflicts; 'report' lets the later package win and reports. */
  readonly onConflict?: 'error' | 'report';
}

export interface FileConflict {
  readonly path: string;
  /** The package installed first, and the one that conflicts with it. */
  readonly packages: readonly [string, string];
  readonly reason: string;
}

export interface InstallReport {
  readonly conflicts: readonly FileConflict[];
  readonly unknownOwners: readonly { readonly path: string; readonly package: string; readonly name: string; readonly kind: 'user' | 'group' }[];
  /** Counts of files left out, by reason. */
  readonly skipped: Readonly<Record<'ghost' | 'doc' | 'lang' | 'socket', number>>;
}

export class FileConflictError extends FexpodError {
  constructor(readonly conflicts: readonly FileConflict[]) {
    const lines = conflicts.slice(0, 10).map((c) => `  /${c.path}: ${c.packages[0]} vs ${c.packages[1]} (${c.reason})`);
    super(`${conflicts.length} file conflict(s) between packages:\n${lines.join('\n')}${conflicts.length > 10 ? '\n  …' : ''}`, {
      fix: 'drop one of the conflicting packages from the image definition, or allow conflicts (later package wins)',
    });
  }
}

/** An entry being placed: owners still by name. */
interface Placed {
  entry: TreeEntry;
  user: string;
  group: string;
  pkg: string;
  file?: RpmFile;
  digest?: string;
  implicit?: boolean;
}

function langWanted(lang: string, langs: readonly string[] | 'all'): boolean {
  if (lang === '' || langs === 'all') return true;
  return langs.some((l) => l === 'all' || lang === l || lang.startsWith(`${l}_`) || lang.startsWith(`${l}.`) || lang.startsWith(`${l}@`));
}

const TYPES: ReadonlyMap<number, EntryType> = new Map([
  [S_IFREG, 'file'], [S_IFDIR, 'dir'], [S_IFLNK, 'symlink'], [S_IFCHR, 'char'], [S_IFBLK, 'block'], [S_IFIFO, 'fifo'],
]);

/** rpmfilesCompare: true when the two files differ in a way rpm calls a conflict. */
function differs(a: Placed, b: Placed): string | undefined {
  const fa = a.file;
  const fb = b.file;
  if (!fa || !fb) return a.entry.type === b.entry.type ? undefined : `${a.entry.type} vs ${b.entry.type}`;
  const ta = fileType(fa.mode);
  const tb = fileType(fb.mode);
  if (ta !== tb) return 'different file types';
  if (ta === S_IFLNK) return fa.linkTo === fb.linkTo ? undefined : `symlink targets differ (${fa.linkTo} vs ${fb.linkTo})`;
  if (fa.mode !== fb.mode) return `modes differ (${fa.mode.toString(8)} vs ${fb.mode.toString(8)})`;
  if (ta === S_IFREG) {
    const ca = a.entry.content?.sha256 ?? a.digest;
    const cb = b.entry.content?.sha256 ?? b.digest;
    if (ca !== cb) return 'contents differ';
  }
  if (a.user !== b.user || a.group !== b.group) return `owners differ (${a.user}:${a.group} vs ${b.user}:${b.group})`;
  return undefined;
}

/**
 * A package laid down before the one that owns a directory symlink (a lock
 * order with /bin/x before filesystem's bin → usr/bin) left entries below
 * what is now a symlink: move them to where rpm, writing through the
 * filesystem, would have put them. Same-path clashes follow the usual rules.
 */
function relocateBelowSymlinks(
  placed: Map<string, Placed>,
  conflicts: FileConflict[],
  ensureParents: (path: string, pkg: string) => void,
): void {
  const get = (p: string) => placed.get(p)?.entry;
  for (const path of [...placed.keys()].sort(compareTreePaths)) {
    const p = placed.get(path);
    if (!p) continue;
    const target = resolveParentSymlinks(path, get);
    if (target === path) continue;
    placed.delete(path);
    const moved: Placed = { ...p, entry: { ...p.entry, path: target } };
    const old = placed.get(target);
    if (old && !old.implicit) {
      if (old.entry.type === 'dir' && moved.entry.type === 'dir') continue;
      const why = differs(old, moved);
      if (why !== undefined) conflicts.push({ path: target, packages: [old.pkg, p.pkg], reason: why });
      continue;
    }
    if (p.implicit && old) continue;
    ensureParents(target, p.pkg);
    placed.set(target, moved);
  }
  // Hardlinks that pointed at a moved file follow it.
  for (const [path, p] of placed) {
    if (p.entry.type !== 'hardlink' || p.entry.linkTarget === undefined || placed.has(p.entry.linkTarget)) continue;
    const t = resolveParentSymlinks(p.entry.linkTarget, get);
    placed.set(path, { ...p, entry: { ...p.entry, linkTarget: t } });
  }
}

/** Lays the packages down in order. Pure apart from reading /etc/passwd and /etc/group content from the tree. */
export async function installPackages(pkgs: readonly ExtractedRpm[], opts: InstallOptions): Promise<{ tree: Tree; report: InstallReport }> {
  const placed = new Map<string, Placed>();
  const conflicts: FileConflict[] = [];
  const skipped = { ghost: 0, doc: 0, lang: 0, socket: 0 };
  const prefer = opts.preferColor ?? 0;
  const get = (p: string) => placed.get(p)?.entry;

  const ensureParents = (path: string, pkg: string): void => {
    const missing: string[] = [];
    for (let p = parentPath(path); p !== ''; p = parentPath(p)) {
      const e = placed.get(p);
      if (e) {
        if (e.entry.type !== 'dir') conflicts.push({ path: p, packages: [e.pkg, pkg], reason: `needed as a directory, but is a ${e.entry.type}` });
        break;
      }
      missing.push(p);
    }
    for (const p of missing) {
      placed.set(p, {
        entry: { path: p, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: opts.sourceDateEpoch },
        user: 'root', group: 'root', pkg: '', implicit: true,
      });
    }
  };

  for (const pkg of pkgs) {
    // First placed member of each hardlink set carries the data; the others link to it.
    const linkHead = new Map<number, string>();
    for (const f of pkg.files) {
      if (f.flags & RpmFileFlag.GHOST) { skipped.ghost++; continue; }
      if (!opts.docs && (f.flags & RpmFileFlag.DOC)) { skipped.doc++; continue; }
      if (!langWanted(f.lang, opts.langs)) { skipped.lang++; continue; }
      const ft = fileType(f.mode);
      if (ft === S_IFSOCK) { skipped.socket++; continue; }
      const type = TYPES.get(ft);
      if (type === undefined) throw new FexpodError(`${pkg.nevra}: ${f.path} has unknown file type ${ft.toString(8)}`);
      let path: string;
      let caps: Uint8Array | undefined;
      try {
        path = resolveParentSymlinks(treePath(f.path), get);
        caps = f.caps ? fileCapsXattr(f.caps) : undefined;
      } catch (err) {
        throw new FexpodError(`${pkg.nevra}: ${f.path}: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
          fix: 'the package has a file entry fexpod cannot install safely; report it to the packager',
        });
      }
      if (path === '') continue; // the root directory itself
      const base = { path, mode: f.mode & 0o7777, uid: 0, gid: 0, mtime: f.mtime, owner: pkg.nevra };
      let entry: TreeEntry;
      if (type === 'file') {
        const content = pkg.content.get(f.index);
        if (!content) throw new FexpodError(`${pkg.nevra}: ${f.path} has no content`);
        const setKey = f.hardlinks.length > 1 ? f.hardlinks[0] : undefined;
        const head = setKey === undefined ? undefined : linkHead.get(setKey);
        if (head !== undefined && placed.get(head)?.pkg === pkg.nevra) {
          entry = { ...base, type: 'hardlink', linkTarget: head };
        } else {
          if (setKey !== undefined) linkHead.set(setKey, path);
          entry = { ...base, type: 'file', content, ...(caps ? { xattrs: { [SECURITY_CAPABILITY]: caps } } : {}) };
        }
      } else if (type === 'symlink') {
        entry = { ...base, type, linkTarget: f.linkTo };
      } else if (type === 'char' || type === 'block') {
        entry = { ...base, type, devMajor: (f.rdev >> 8) & 0xff, devMinor: f.rdev & 0xff };
      } else {
        entry = { ...base, type, ...(caps && type !== 'dir' ? { xattrs: { [SECURITY_CAPABILITY]: caps } } : {}) };
      }
      const cand: Placed = { entry, user: f.user, group: f.group, pkg: pkg.nevra, file: f, digest: f.digest };
      const old = placed.get(path);
      if (old?.entry.type === 'symlink' && entry.type === 'dir') {
        // rpm keeps a symlink to a directory where a package has a directory (filesystem's /lib64 → usr/lib64).
        const real = resolveSymlinks(path, get);
        if (real !== undefined && placed.get(real)?.entry.type === 'dir') continue;
      }
      if (old && !old.implicit && !(old.entry.type === 'dir' && entry.type === 'dir')) {
        const why = differs(old, cand);
        if (why === undefined) continue; // identical: the first stays
        const oc = old.file?.color ?? 0;
        if (prefer !== 0 && oc !== 0 && f.color !== 0 && oc !== f.color) {
          if (f.color & prefer) placed.set(path, cand);
          continue;
        }
        conflicts.push({ path, packages: [old.pkg, pkg.nevra], reason: why });
        if ((opts.onConflict ?? 'error') === 'error') continue;
      }
      ensureParents(path, pkg.nevra);
      placed.set(path, cand);
    }
  }
  relocateBelowSymlinks(placed, conflicts, ensureParents);
  if (conflicts.length > 0 && (opts.onConflict ?? 'error') === 'error') throw new FileConflictError(conflicts);

  const text = async (p: string): Promise<string | undefined> => {
    const e = placed.get(p)?.entry;
    if (e?.type !== 'file' || !e.content) return undefined;
    return new TextDecoder().decode(await e.content.read());
  };
  const ids = idMap(await text('etc/passwd'), await text('etc/group'));
  const sysusers: string[] = [];
  for (const p of [...placed.keys()].sort()) {
    if (/^(usr\/lib|etc)\/sysusers\.d\/[^/]+\.conf$/.test(p)) sysusers.push((await text(p)) ?? '');
  }
  const declared = sysusersIds(sysusers);
  const users = new Map([...declared.users, ...ids.users]);
  const groups = new Map([...declared.groups, ...ids.groups]);
  const unknownOwners: { path: string; package: string; name: string; kind: 'user' | 'group' }[] = [];
  const tree: Tree = new Map();
  for (const [path, p] of placed) {
    const uid = users.get(p.user);
    const gid = groups.get(p.group);
    if (uid === undefined) unknownOwners.push({ path, package: p.pkg, name: p.user, kind: 'user' });
    if (gid === undefined) unknownOwners.push({ path, package: p.pkg, name: p.group, kind: 'group' });
    tree.set(path, { ...p.entry, uid: uid ?? 0, gid: gid ?? 0 });
  }
  return { tree, report: { conflicts, unknownOwners, skipped } };
}

/**
 * Packages extracted at once: each payload is decompressed by its own child
 * process (zstd/xz) while this thread parses cpio and hashes, so two or three
 * in flight keep two cores busy. The result order is the lock order whatever
 * order they finish in; the content store is content-addressed, so what it
 * holds does not depend on that order either.
 */
export const EXTRACT_CONCURRENCY = 3;

/** Extracts each RPM (a few at a time) into the store and installs them, in lock order, into one tree. */
export async function installRpmFiles(
  paths: readonly (string | Promise<string>)[],
  opts: InstallOptions,
  store: ContentStore,
  /** Extracts package `index` (the extraction cache); default: into `store`. */
  extract?: (path: string, index: number) => Promise<ExtractedRpm>,
): Promise<{ tree: Tree; report: InstallReport; packages: readonly ExtractedRpm[] }> {
  const pkgs: ExtractedRpm[] = new Array<ExtractedRpm>(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < paths.length; i = next++) {
      const p = await paths[i]; // a path, or one still being downloaded (in lock order)
      if (p !== undefined) pkgs[i] = await (extract ? extract(p, i) : extractRpmFile(p, store));
    }
  };
  await Promise.all(Array.from({ length: Math.min(EXTRACT_CONCURRENCY, paths.length) }, worker));
  const { tree, report } = await installPackages(pkgs, opts);
  return { tree, report, packages: pkgs };
}
