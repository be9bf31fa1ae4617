/**
 * /etc/ld.so.cache for a tree, generated the way glibc's x86 `ldconfig -r`
 * would (glibc elf/ldconfig.c, elf/cache.c, sysdeps/x86/readelflib.c), so the
 * tree's own x86-64 and i686 loaders find their libraries without running
 * ldconfig (an x86 binary) on the build host. Pure over the Tree.
 *
 * Format: the new-only "glibc-ld.so.cache1.1" layout glibc ≥ 2.32 writes —
 * a 48-byte header (magic, version, nlibs, len_strings, flags = 2 little
 * endian, extension_offset), nlibs 24-byte entries (flags, key, value,
 * osversion 0, hwcap 0), then the string table; string offsets count from
 * the start of the file. No extension section (extension_offset 0 is valid).
 *
 * Directories: the tree's /etc/ld.so.conf (with `include` globs) first, then
 * x86_64 ldconfig's system dirs /lib /lib64 /libx32 /usr/lib /usr/lib64
 * /usr/libx32; a directory reached twice (e.g. /lib64 → usr/lib64) counts
 * once, under its first name, as ldconfig dedups by inode.
 * Libraries: names matching lib*.so*, ld-*.so*, ld.so.*, ld64.so.*; ET_DYN
 * ELF files for x86-64 (flags 0x0303), i386 (0x0003) or aarch64 (0x0a03);
 * keyed by DT_SONAME, path dir/SONAME. Symlinks follow ldconfig's rule (a
 * link named like its soname, or a "libfoo.so" dev link, keeps its own name).
 * Entries sort by glibc's _dl_cache_libcmp, descending (the loader's binary
 * search expects that), ties by flags descending, then directory order.
 * glibc-hwcaps subdirectories are not scanned (Fedora ships none).
 *
 * Where ldconfig would create a missing SONAME symlink, the result lists it
 * in `links` so the caller can add it to the tree as ldconfig would.
 */
import { loadLdSoConfDirs } from '../../common/ld-so-conf.js';
import { parseElf } from '../../common/elf.js';
import { bufferContent, parentPath, resolveSymlinks, type Tree, type TreeEntry } from './tree.js';
import { readElfSparse } from './elf-sparse.js';

export const FLAG_ELF_LIBC6 = 0x0003;
export const FLAG_X8664_LIB64 = 0x0300;
export const FLAG_AARCH64_LIB64 = 0x0a00;
const EM_386 = 3;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const ET_DYN = 3;
const MAGIC = 'glibc-ld.so.cache1.1';
const HEADER_SIZE = 48;
const ENTRY_SIZE = 24;
const SYSTEM_DIRS = ['/lib', '/lib64', '/libx32', '/usr/lib', '/usr/lib64', '/usr/libx32'];

export interface CacheEntry {
  readonly soname: string;
  readonly path: string;
  readonly flags: number;
}

/** glibc's _dl_cache_libcmp: byte order, except runs of digits compare as numbers. */
export function dlCacheLibcmp(a: string, b: string): number {
  const p1 = Buffer.from(a);
  const p2 = Buffer.from(b);
  let i = 0;
  let j = 0;
  const digit = (x: number | undefined) => x !== undefined && x >= 0x30 && x <= 0x39;
  while (i < p1.length) {
    const c1 = p1[i];
    const c2 = p2[j];
    if (digit(c1)) {
      if (!digit(c2)) return 1;
      let v1 = 0;
      let v2 = 0;
      while (digit(p1[i])) v1 = v1 * 10 + (p1[i++] ?? 0) - 0x30;
      while (digit(p2[j])) v2 = v2 * 10 + (p2[j++] ?? 0) - 0x30;
      if (v1 !== v2) return v1 - v2;
    } else if (digit(c2)) {
      return -1;
    } else if (c1 !== c2) {
      return (c1 ?? 0) - (c2 ?? 0);
    } else {
      i++;
      j++;
    }
  }
  return 0 - (p2[j] ?? 0);
}

/** _dl_is_dso plus ldconfig's skip_dso_based_on_name. */
export function looksLikeDso(name: string): boolean {
  const dso = ((name.startsWith('lib') || name.startsWith('ld-')) && name.includes('.so')) || name.startsWith('ld.so.') || name.startsWith('ld64.so.');
  if (!dso) return false;
  if (name.includes(';') || name.endsWith('.dpkg-new') || name.endsWith('.dpkg-tmp') || /\.#prelink#(\.......)?$/.test(name)) return false;
  return true;
}

/** ldconfig's flags and soname for a library's bytes; undefined when it is not one ldconfig accepts. */
export function libraryInfo(bytes: Uint8Array): { flags: number; soname: string | undefined } | undefined {
  let elf;
  try {
    elf = parseElf(bytes);
  } catch {
    return undefined;
  }
  if (elf.type !== ET_DYN || !elf.dynamic) return undefined;
  let flags: number;
  if (elf.machine === EM_X86_64 && elf.elfClass === 2) flags = FLAG_X8664_LIB64 | FLAG_ELF_LIBC6;
  else if (elf.machine === EM_386 && elf.elfClass === 1) flags = FLAG_ELF_LIBC6;
  else if (elf.machine === EM_AARCH64 && elf.elfClass === 2) flags = FLAG_AARCH64_LIB64 | FLAG_ELF_LIBC6;
  else return undefined;
  return { flags, soname: elf.dynamic.soname };
}

/** Serializes entries (already in cache order) into the file format. */
export function encodeLdSoCache(entries: readonly CacheEntry[]): Uint8Array {
  const strings: Buffer[] = [];
  const offsets = new Map<string, number>();
  let strSize = 0;
  const base = HEADER_SIZE + entries.length * ENTRY_SIZE;
  const intern = (s: string): number => {
    const known = offsets.get(s);
    if (known !== undefined) return known;
    const b = Buffer.from(`${s}\0`);
    const off = base + strSize;
    offsets.set(s, off);
    strings.push(b);
    strSize += b.length;
    return off;
  };
  const rows = entries.map((e) => ({ flags: e.flags, key: intern(e.soname), value: intern(e.path) }));
  const out = Buffer.alloc(base + strSize);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(entries.length, 20);
  out.writeUInt32LE(strSize, 24);
  out.writeUInt8(2, 28); // cache_file_new_flags_endian_little
  out.writeUInt32LE(0, 32); // no extension directory
  rows.forEach((r, i) => {
    const o = HEADER_SIZE + i * ENTRY_SIZE;
    out.writeInt32LE(r.flags, o);
    out.writeUInt32LE(r.key, o + 4);
    out.writeUInt32LE(r.value, o + 8);
    out.writeUInt32LE(0, o + 12); // osversion_unused
    out.writeBigUInt64LE(0n, o + 16); // hwcap: none
  });
  let pos = base;
  for (const s of strings) {
    s.copy(out, pos);
    pos += s.length;
  }
  return out;
}

export interface LdSoCacheResult {
  readonly entries: readonly CacheEntry[];
  readonly bytes: Uint8Array;
  /** SONAME symlinks ldconfig would create (absent from the tree): tree path → target name. */
  readonly links: readonly { readonly path: string; readonly target: string }[];
}

/** Follows symlinks (all components) inside the tree; undefined for dangling links and loops. */
function resolveEntry(tree: Tree, path: string): TreeEntry | undefined {
  const p = resolveSymlinks(path, (x) => tree.get(x));
  return p === undefined ? undefined : tree.get(p);
}

/** Real tree path of a directory (all symlinks resolved), or undefined if it is not one. */
function realDir(tree: Tree, dir: string): string | undefined {
  const p = resolveSymlinks(dir, (x) => tree.get(x));
  return p !== undefined && tree.get(p)?.type === 'dir' ? p : undefined;
}

/** Computes the cache for a tree. */
export async function buildLdSoCache(tree: Tree): Promise<LdSoCacheResult> {
  const children = new Map<string, string[]>();
  for (const p of tree.keys()) {
    const d = parentPath(p);
    const list = children.get(d) ?? [];
    list.push(p.slice(d === '' ? 0 : d.length + 1));
    children.set(d, list);
  }
  const readText = async (path: string): Promise<string | undefined> => {
    const e = resolveEntry(tree, path);
    if (e?.type !== 'file' || !e.content) return undefined;
    return new TextDecoder().decode(await e.content.read());
  };
  const listDir = async (path: string): Promise<string[] | undefined> => {
    const d = realDir(tree, path);
    return d === undefined ? undefined : [...(children.get(d) ?? [])];
  };
  const confDirs = await loadLdSoConfDirs({ readText, listDir }, '/etc/ld.so.conf');
  const dirs: { name: string; real: string }[] = [];
  for (const raw of [...confDirs, ...SYSTEM_DIRS]) {
    const name = raw.replace(/\/+$/, '') || '/';
    const real = realDir(tree, name);
    if (real === undefined || dirs.some((d) => d.real === real)) continue;
    dirs.push({ name, real });
  }

  const entries: (CacheEntry & { seq: number })[] = [];
  const links: { path: string; target: string }[] = [];
  let seq = 0;
  for (const dir of dirs) {
    const dlibs = new Map<string, { name: string; isLink: boolean; flags: number }>();
    for (const name of (children.get(dir.real) ?? []).slice().sort()) {
      if (!looksLikeDso(name)) continue;
      const own = tree.get(dir.real === '' ? name : `${dir.real}/${name}`);
      if (!own) continue;
      let isLink = own.type === 'symlink';
      const target = isLink ? resolveEntry(tree, own.path) : own;
      if (!target || (target.type !== 'file' && target.type !== 'hardlink')) continue;
      const file = target.type === 'hardlink' && target.linkTarget !== undefined ? tree.get(target.linkTarget) : target;
      if (!file?.content) continue;
      // only the ELF parts libraryInfo reads, where the content is a file (readElfSparse says why)
      const info = libraryInfo(file.content.path ? await readElfSparse(file.content.path, file.content.size) : await file.content.read());
      if (!info) continue;
      let soname = info.soname ?? name;
      if (isLink && name !== soname && !(name.endsWith('.so') && soname.startsWith(name))) isLink = false;
      if (isLink) soname = name;
      const prev = dlibs.get(soname);
      if (prev) {
        if ((!isLink && prev.isLink) || (isLink === prev.isLink && dlCacheLibcmp(prev.name, name) < 0)) {
          dlibs.set(soname, { name, isLink, flags: prev.flags });
        }
        continue;
      }
      dlibs.set(soname, { name, isLink, flags: info.flags });
    }
    for (const [soname, lib] of [...dlibs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const linkPath = dir.real === '' ? soname : `${dir.real}/${soname}`;
      if (!lib.isLink && lib.name !== soname && !tree.has(linkPath)) links.push({ path: linkPath, target: lib.name });
      entries.push({ soname, path: `${dir.name === '/' ? '' : dir.name}/${soname}`, flags: lib.flags, seq: seq++ });
    }
  }
  entries.sort((a, b) => dlCacheLibcmp(b.soname, a.soname) || b.flags - a.flags || a.seq - b.seq);
  const out = entries.map(({ soname, path, flags }) => ({ soname, path, flags }));
  return { entries: out, bytes: encodeLdSoCache(out), links };
}

/**
 * Adds etc/ld.so.cache (0644 root, mtime = sourceDateEpoch) and any SONAME
 * links ldconfig would create to a copy of the tree.
 */
export async function withLdSoCache(tree: Tree, sourceDateEpoch: number): Promise<{ tree: Tree; cache: LdSoCacheResult }> {
  const cache = await buildLdSoCache(tree);
  const out: Tree = new Map(tree);
  const base = { uid: 0, gid: 0, mtime: sourceDateEpoch };
  for (const l of cache.links) out.set(l.path, { ...base, path: l.path, type: 'symlink', mode: 0o777, linkTarget: l.target });
  if (!out.has('etc')) out.set('etc', { ...base, path: 'etc', type: 'dir', mode: 0o755 });
  out.set('etc/ld.so.cache', { ...base, path: 'etc/ld.so.cache', type: 'file', mode: 0o644, content: bufferContent(cache.bytes) });
  return { tree: out, cache };
}

/**
 * The cache bytes for a list of entries — the shape profiles take
 * (ProfileContext.ldSoCache). SONAME links ldconfig would add are not added
 * here; use withLdSoCache for that.
 */
export async function ldSoCacheBytes(entries: readonly TreeEntry[]): Promise<Uint8Array> {
  return (await buildLdSoCache(new Map(entries.map((e) => [e.path, e])))).bytes;
}
