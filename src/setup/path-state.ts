/**
 * The state of one path, as `fexpod setup` records it before changing it and
 * as `fexpod setup --undo` puts it back: absent, a regular file (bytes and
 * mode), a symlink (its target) or a directory. Only the small files setup
 * writes are recorded byte for byte (hook JSON, drop-ins, binfmt.d files,
 * units, fexpod's state); staged prefixes are recorded as trees setup created.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { symlinkAtomic, writeFileAtomic } from '../common/atomic-write.js';
import { FexpodError, errnoCode } from '../common/errors.js';
import { sha256Hex } from '../common/hash.js';

export type PathState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'file'; readonly mode: number; readonly base64: string; readonly sha256: string }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'dir' };

/** Files larger than this are not something setup writes; refuse rather than fill the journal. */
export const MAX_RECORDED_FILE = 1 << 20;

export function fileState(bytes: Uint8Array, mode: number): PathState {
  return { kind: 'file', mode: mode & 0o7777, base64: Buffer.from(bytes).toString('base64'), sha256: sha256Hex(bytes) };
}

/** Reads a path's state without following a final symlink. */
export function capturePath(path: string): PathState {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return { kind: 'absent' };
    throw err;
  }
  if (st.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(path) };
  if (st.isDirectory()) return { kind: 'dir' };
  if (!st.isFile()) throw new FexpodError(`${path} is neither a file, a symlink nor a directory; setup does not touch it`, { fix: `move ${path} away and run setup again` });
  if (st.size > MAX_RECORDED_FILE) throw new FexpodError(`${path} is ${st.size} bytes; setup only replaces small configuration files`, { fix: `move ${path} away and run setup again` });
  return fileState(readFileSync(path), st.mode);
}

export function samePathState(a: PathState, b: PathState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'file' && b.kind === 'file') return a.sha256 === b.sha256 && a.mode === b.mode;
  if (a.kind === 'symlink' && b.kind === 'symlink') return a.target === b.target;
  return true;
}

export function describePathState(s: PathState): string {
  switch (s.kind) {
    case 'absent':
      return 'absent';
    case 'file':
      return `file (${Buffer.from(s.base64, 'base64').length} bytes, mode ${s.mode.toString(8)})`;
    case 'symlink':
      return `symlink to ${s.target}`;
    case 'dir':
      return 'directory';
  }
}

/**
 * Puts a path back into a recorded state: files are written to a temporary
 * name, flushed and renamed over (readers never see half a file), symlinks are
 * renamed over too. A directory state only ensures the directory exists.
 */
export function restorePath(path: string, state: PathState): void {
  if (state.kind === 'absent') {
    rmSync(path, { force: true });
    return;
  }
  if (state.kind === 'dir') {
    mkdirSync(path, { recursive: true });
    return;
  }
  if (state.kind === 'symlink') symlinkAtomic(state.target, path);
  else writeFileAtomic(path, Buffer.from(state.base64, 'base64'), state.mode);
}
