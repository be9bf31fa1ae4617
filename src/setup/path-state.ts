/**
 * The state of one path, as `fexpod setup` records it before changing it and
 * as `fexpod setup --undo` puts it back: absent, a regular file (bytes and
 * mode), a symlink (its target) or a directory. Only the small files setup
 * writes are recorded byte for byte (hook JSON, drop-ins, binfmt.d files,
 * units, fexpod's state); staged prefixes are recorded as trees setup created.
 * A large file (the RootFS image setup installs where there was none) is
 * recorded by its digest only ("blob"): setup never replaces one, so undo only
 * needs to recognise it, never to write it back.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readlinkSync, rmSync } from 'node:fs';
import { symlinkAtomic, writeFileAtomic } from '../common/atomic-write.js';
import { FexpodError, errnoCode } from '../common/errors.js';
import { sha256Hex } from '../common/hash.js';

function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

export type PathState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'file'; readonly mode: number; readonly base64: string; readonly sha256: string }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'dir' }
  | { readonly kind: 'blob'; readonly mode: number; readonly size: number; readonly sha256: string };

/** Files larger than this are not something setup writes; refuse rather than fill the journal. */
export const MAX_RECORDED_FILE = 1 << 20;

export function fileState(bytes: Uint8Array, mode: number): PathState {
  return { kind: 'file', mode: mode & 0o7777, base64: Buffer.from(bytes).toString('base64'), sha256: sha256Hex(bytes) };
}

/**
 * Reads a path's state without following a final symlink. A file over
 * MAX_RECORDED_FILE is refused, unless `large` allows its digest only.
 */
export function capturePath(path: string, large: 'refuse' | 'digest' = 'refuse'): PathState {
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
  if (st.size > MAX_RECORDED_FILE && large === 'digest') return { kind: 'blob', mode: st.mode & 0o7777, size: st.size, sha256: sha256File(path) };
  if (st.size > MAX_RECORDED_FILE) throw new FexpodError(`${path} is ${st.size} bytes; setup only replaces small configuration files`, { fix: `move ${path} away and run setup again` });
  return fileState(readFileSync(path), st.mode);
}

export function samePathState(a: PathState, b: PathState): boolean {
  if (a.kind !== b.kind) return false;
  if ((a.kind === 'file' || a.kind === 'blob') && (b.kind === 'file' || b.kind === 'blob')) return a.sha256 === b.sha256 && a.mode === b.mode;
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
    case 'blob':
      return `file (${s.size} bytes, mode ${s.mode.toString(8)}, sha256 ${s.sha256.slice(0, 12)}…)`;
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
  if (state.kind === 'blob') throw new FexpodError(`${path}: setup recorded only its digest (sha256 ${state.sha256}) and cannot write it back`, { fix: 'put the file back from where it came' });
  if (state.kind === 'symlink') symlinkAtomic(state.target, path);
  else writeFileAtomic(path, Buffer.from(state.base64, 'base64'), state.mode);
}
