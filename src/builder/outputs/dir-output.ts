/**
 * Writing a Tree onto the real filesystem: the `dir` output (for debugging)
 * and the staging directory mkfs.erofs 1.5 needs (it has no --tar), each
 * through common/atomic-output.ts (built in a temp sibling, then renamed).
 *
 * Ownership, device nodes and xattrs need root. As another user they cannot be
 * applied; materializeTree reports them (in `notApplied`) instead of failing,
 * and the EroFS writer replays them under fakeroot.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmod, mkdir, utimes } from 'node:fs/promises';
import {
  chmodSync, closeSync, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, symlinkSync, utimesSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { canonicalEntries, parentPath, type TreeEntry } from '../tree/tree.js';
import { atomicOutput } from '../../common/atomic-output.js';
import { FexpodError, errnoCode } from '../../common/errors.js';

const run = promisify(execFile);

export interface NotApplied {
  readonly path: string;
  readonly what: 'owner' | 'device' | 'xattr';
}

export interface MaterializeOptions {
  /** Whether to chown/mknod/setxattr (root). Otherwise those are reported in notApplied. */
  readonly privileged: boolean;
  /** mtimes are clamped to this (SOURCE_DATE_EPOCH). */
  readonly sourceDateEpoch: number;
}

export interface MaterializeResult {
  readonly notApplied: readonly NotApplied[];
}

/**
 * Writes every entry under dir (which must be empty or absent). Parents come
 * first; an entry whose parent is not a directory of the tree is refused, so
 * nothing is ever written through a symlink.
 */
export async function materializeTree(
  entries: readonly TreeEntry[],
  dir: string,
  opts: MaterializeOptions,
): Promise<MaterializeResult> {
  // canonical order: parents first, and each hardlink set headed by its first member
  const sorted = canonicalEntries(entries);
  const all = new Set(sorted.map((e) => e.path));
  const dirs = new Set<string>(['']);
  const notApplied: NotApplied[] = [];
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const abs = (p: string) => join(dir, p);
  const clamp = (t: number) => Math.min(t, opts.sourceDateEpoch);

  // Synchronous file-system calls: thousands of small files, each a handful of
  // syscalls; a thread-pool round trip per call (fs/promises) costs more than
  // the call itself, and the pool is busy with the layer's gzip meanwhile.
  for (const e of sorted) {
    const parent = parentPath(e.path);
    if (!dirs.has(parent)) {
      // Implicit parents (not in the tree) are made 0755 root. An ancestor that is in the tree
      // but not a directory (a symlink: mkdir -p would follow it out of dir) is a conflict.
      for (let p = parent; p !== '' && !dirs.has(p); p = parentPath(p)) {
        if (all.has(p)) throw new FexpodError(`cannot write ${e.path}: its parent ${p} is not a directory in the tree`);
      }
      mkdirSync(abs(parent), { recursive: true });
      for (let p = parent; p !== '' && !dirs.has(p); p = parentPath(p)) {
        chmodSync(abs(p), 0o755); // explicit: mkdir's mode is cut by the umask
        dirs.add(p);
      }
    }
    const target = abs(e.path);
    const owned = e.uid !== 0 || e.gid !== 0;
    const xattrs = e.xattrs && Object.keys(e.xattrs).length > 0 ? e.xattrs : undefined;
    if (e.type === 'file') {
      // content that streams (the extraction cache: verified as it is read) is written piece by
      // piece, never held whole; the rest is written from memory
      const stream = e.content?.stream?.bind(e.content);
      const data = stream ? new Uint8Array() : e.content ? await e.content.read() : new Uint8Array();
      // one descriptor for content, owner, mode and times
      const fd = openSync(target, 'wx', 0o600);
      try {
        if (stream) for await (const piece of stream()) for (let off = 0; off < piece.length; ) off += writeSync(fd, piece, off, piece.length - off);
        for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
        if (opts.privileged) fchownSync(fd, e.uid, e.gid);
        else if (owned) notApplied.push({ path: e.path, what: 'owner' });
        if (xattrs && !opts.privileged) notApplied.push({ path: e.path, what: 'xattr' });
        // chmod after chown: chown clears setuid/setgid.
        if (!xattrs) {
          fchmodSync(fd, e.mode & 0o7777);
          futimesSync(fd, clamp(e.mtime), clamp(e.mtime));
        }
      } finally {
        closeSync(fd);
      }
      if (xattrs) {
        if (opts.privileged) await applyXattrs(target, xattrs);
        chmodSync(target, e.mode & 0o7777);
        lutimesSync(target, clamp(e.mtime), clamp(e.mtime));
      }
      continue;
    }
    switch (e.type) {
      case 'dir':
        try {
          mkdirSync(target, { mode: 0o700 });
        } catch (err) {
          if (errnoCode(err) !== 'EEXIST') throw err;
        }
        dirs.add(e.path);
        break;
      case 'symlink':
        symlinkSync(e.linkTarget ?? '', target);
        break;
      case 'hardlink':
        linkSync(abs(e.linkTarget ?? ''), target);
        continue; // shares the inode (and its attributes) with its first link
      case 'char':
      case 'block':
      case 'fifo':
        if (!opts.privileged && e.type !== 'fifo') {
          notApplied.push({ path: e.path, what: 'device' });
          continue;
        }
        await run('mknod', [
          '-m', (e.mode & 0o7777).toString(8), target,
          ...(e.type === 'fifo' ? ['p'] : [e.type === 'char' ? 'c' : 'b', String(e.devMajor ?? 0), String(e.devMinor ?? 0)]),
        ]);
        break;
    }
    if (owned) {
      if (opts.privileged) lchownSync(target, e.uid, e.gid);
      else notApplied.push({ path: e.path, what: 'owner' });
    } else if (opts.privileged) {
      lchownSync(target, 0, 0);
    }
    if (xattrs) {
      if (opts.privileged) await applyXattrs(target, xattrs);
      else notApplied.push({ path: e.path, what: 'xattr' });
    }
    // chmod after chown: chown clears setuid/setgid. Directories get their mode in the last pass.
    if (e.type !== 'symlink' && e.type !== 'dir') chmodSync(target, e.mode & 0o7777);
    if (e.type !== 'dir') lutimesSync(target, clamp(e.mtime), clamp(e.mtime));
  }
  // Children are all written: now directory modes and times (deepest first).
  for (const e of [...sorted].reverse()) {
    if (e.type !== 'dir') continue;
    chmodSync(abs(e.path), e.mode & 0o7777);
    utimesSync(abs(e.path), clamp(e.mtime), clamp(e.mtime));
  }
  await chmod(dir, 0o755);
  await utimes(dir, opts.sourceDateEpoch, opts.sourceDateEpoch);
  return { notApplied };
}

/** xattrs through setfattr (Node has no xattr API); values are binary, passed as hex. */
async function applyXattrs(path: string, xattrs: Readonly<Record<string, Uint8Array>>): Promise<void> {
  for (const [name, value] of Object.entries(xattrs).sort(([a], [b]) => (a < b ? -1 : 1))) {
    try {
      await run('setfattr', ['-h', '-n', name, '-v', `0x${Buffer.from(value).toString('hex')}`, path]);
    } catch (err) {
      throw new FexpodError(`setting xattr ${name} on ${path}`, {
        cause: err,
        fix: 'install setfattr (Debian/Fedora package "attr") and build on a filesystem with xattr support',
      });
    }
  }
}

/** The `dir` output: the tree written as a plain directory, atomically. */
export async function writeDirOutput(
  entries: readonly TreeEntry[],
  dest: string,
  opts: MaterializeOptions,
): Promise<MaterializeResult> {
  return atomicOutput(dest, (tmp) => materializeTree(entries, tmp, opts));
}
