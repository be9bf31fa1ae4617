/**
 * The file list of an RPM, from its main header (pure): paths, modes, owners
 * by name, sizes, mtimes, symlink targets, digests, flags (%ghost, %doc,
 * %license, %config…), languages, capabilities, colors and hardlink sets.
 * The payload only carries bytes; everything else an installer needs is here.
 */
import { RpmHashAlgo, RpmTag, type RpmHeader, RpmFormatError } from './rpm-header.js';

/** RPMFILE_* flags (FILEFLAGS). */
export const RpmFileFlag = {
  CONFIG: 1 << 0,
  DOC: 1 << 1,
  MISSINGOK: 1 << 3,
  NOREPLACE: 1 << 4,
  GHOST: 1 << 6,
  LICENSE: 1 << 7,
  README: 1 << 8,
  ARTIFACT: 1 << 12,
} as const;

/** st_mode file-type bits. */
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;
export const S_IFSOCK = 0o140000;

export interface RpmFile {
  readonly index: number;
  /** Absolute path as installed ("/usr/bin/ls"). */
  readonly path: string;
  /** Full st_mode: type and permission bits. */
  readonly mode: number;
  readonly size: number;
  readonly user: string;
  readonly group: string;
  readonly mtime: number;
  /** Symlink target ("" for non-symlinks). */
  readonly linkTo: string;
  readonly flags: number;
  /** Hex digest of a regular file's content ("" when not recorded). */
  readonly digest: string;
  /** Locale of the file ("" = any). */
  readonly lang: string;
  /** FILECAPS text ("" = none). */
  readonly caps: string;
  /** FILECOLORS: 1 = 32-bit ELF, 2 = 64-bit ELF, 0 = other. */
  readonly color: number;
  readonly rdev: number;
  /** Other members of this file's hardlink set, in index order (including itself); empty if none. */
  readonly hardlinks: readonly number[];
}

export interface RpmFileList {
  readonly files: readonly RpmFile[];
  /** Hash algorithm of the digests (node:crypto name). */
  readonly digestAlgo: string;
}

function pick<T>(arr: readonly T[], i: number, dflt: T): T {
  const v = arr[i];
  return v === undefined ? dflt : v;
}

export function fileType(mode: number): number {
  return mode & S_IFMT;
}

/** Reads the file list. Throws RpmFormatError on inconsistent tag counts. */
export function rpmFileList(h: RpmHeader): RpmFileList {
  let paths: string[];
  const basenames = h.strings(RpmTag.BASENAMES);
  if (basenames.length > 0) {
    const dirnames = h.strings(RpmTag.DIRNAMES);
    const dirindexes = h.numbers(RpmTag.DIRINDEXES);
    if (dirindexes.length !== basenames.length) throw new RpmFormatError('DIRINDEXES and BASENAMES differ in length');
    paths = basenames.map((b, i) => {
      const d = dirnames[dirindexes[i] ?? -1];
      if (d === undefined) throw new RpmFormatError(`file ${i}: DIRINDEXES points outside DIRNAMES`);
      return d + b;
    });
  } else {
    paths = h.strings(RpmTag.OLDFILENAMES);
  }
  const n = paths.length;
  const sizes = h.has(RpmTag.LONGFILESIZES) ? h.numbers(RpmTag.LONGFILESIZES) : h.numbers(RpmTag.FILESIZES);
  const modes = h.numbers(RpmTag.FILEMODES);
  const users = h.strings(RpmTag.FILEUSERNAME);
  const groups = h.strings(RpmTag.FILEGROUPNAME);
  const mtimes = h.numbers(RpmTag.FILEMTIMES);
  const links = h.strings(RpmTag.FILELINKTOS);
  const flags = h.numbers(RpmTag.FILEFLAGS);
  const digests = h.strings(RpmTag.FILEDIGESTS);
  const langs = h.strings(RpmTag.FILELANGS);
  const caps = h.strings(RpmTag.FILECAPS);
  const colors = h.numbers(RpmTag.FILECOLORS);
  const rdevs = h.numbers(RpmTag.FILERDEVS);
  const inodes = h.numbers(RpmTag.FILEINODES);
  const devices = h.numbers(RpmTag.FILEDEVICES);
  for (const [name, arr] of [['FILEMODES', modes], ['FILESIZES', sizes]] as const) {
    if (n > 0 && arr.length !== n) throw new RpmFormatError(`${name} has ${arr.length} entries for ${n} files`);
  }
  const algoId = h.number(RpmTag.FILEDIGESTALGO) ?? 1;
  const digestAlgo = RpmHashAlgo[algoId];
  if (digestAlgo === undefined) throw new RpmFormatError(`unknown FILEDIGESTALGO ${algoId}`);

  // Hardlink sets: regular, non-ghost files sharing (device, inode), as rpm's rpmfilesBuildNLink.
  const sets = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const mode = pick(modes, i, 0);
    const ino = pick(inodes, i, 0);
    if (fileType(mode) !== S_IFREG || (pick(flags, i, 0) & RpmFileFlag.GHOST) || ino <= 0) continue;
    const key = `${pick(devices, i, 0)}:${ino}`;
    const set = sets.get(key) ?? [];
    set.push(i);
    sets.set(key, set);
  }
  const linkOf = new Map<number, number[]>();
  for (const set of sets.values()) if (set.length > 1) for (const i of set) linkOf.set(i, set);

  const files: RpmFile[] = [];
  for (let i = 0; i < n; i++) {
    files.push({
      index: i,
      path: pick(paths, i, ''),
      mode: pick(modes, i, 0),
      size: pick(sizes, i, 0),
      user: pick(users, i, 'root'),
      group: pick(groups, i, 'root'),
      mtime: pick(mtimes, i, 0),
      linkTo: pick(links, i, ''),
      flags: pick(flags, i, 0),
      digest: pick(digests, i, '').toLowerCase(),
      lang: pick(langs, i, ''),
      caps: pick(caps, i, ''),
      color: pick(colors, i, 0),
      rdev: pick(rdevs, i, 0),
      hardlinks: linkOf.get(i) ?? [],
    });
  }
  return { files, digestAlgo };
}
