/**
 * Comparable listings of a file tree, from a directory (a loop-mounted EroFS
 * or SquashFS, a `dir` output) or from a layer tar: name, type, mode, owner,
 * symlink target and sha256 of contents. Hardlinks are listed as the file
 * they share an inode with, so a tar and a mounted image compare equal.
 * Also builds test Trees from a directory.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { bufferContent, type TreeEntry } from '../../src/builder/tree/tree.js';

export interface Listed {
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly target?: string;
  readonly sha256?: string;
  readonly mtime?: number;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function typeOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'other';
}

/** path → listing for everything under dir (dir itself excluded). */
export function listDirectory(dir: string, withMtime = false): Map<string, Listed> {
  const out = new Map<string, Listed>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(join(dir, p));
      const type = typeOf(st);
      out.set(p, {
        type,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        ...(type === 'symlink' ? { target: readlinkSync(join(dir, p)) } : {}),
        ...(type === 'file' ? { sha256: sha(readFileSync(join(dir, p))) } : {}),
        ...(withMtime ? { mtime: Math.floor(st.mtimeMs / 1000) } : {}),
      });
      if (type === 'dir') walk(p);
    }
  };
  walk('');
  return out;
}

/** The same listing from a tar (an OCI layer). */
export async function listTar(tar: Uint8Array, withMtime = false): Promise<Map<string, Listed>> {
  const out = new Map<string, Listed>();
  const extract = tarStream.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => { if (Buffer.isBuffer(c)) chunks.push(c); });
      stream.on('end', () => {
        const p = h.name.replace(/^\.\//, '').replace(/\/$/, '');
        const base = { mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, ...(withMtime ? { mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000) } : {}) };
        if (h.type === 'link') {
          const t = out.get((h.linkname ?? '').replace(/^\.\//, ''));
          if (t) out.set(p, t);
        } else if (h.type === 'directory') out.set(p, { type: 'dir', ...base });
        else if (h.type === 'symlink') out.set(p, { type: 'symlink', ...base, target: h.linkname ?? '' });
        else if (h.type === 'file') out.set(p, { type: 'file', ...base, sha256: sha(Buffer.concat(chunks)) });
        else if (h.type === 'character-device') out.set(p, { type: 'char', ...base });
        else if (h.type === 'block-device') out.set(p, { type: 'block', ...base });
        else if (h.type === 'fifo') out.set(p, { type: 'fifo', ...base });
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([Buffer.from(tar)]).pipe(extract);
  await done;
  return out;
}

/** Symlinks are 0777 on Linux whatever a tar says: compare them without mode. */
export function normalized(m: Map<string, Listed>): Record<string, Listed> {
  const o: Record<string, Listed> = {};
  for (const [k, v] of [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) o[k] = v.type === 'symlink' ? { ...v, mode: 0o777 } : v;
  return o;
}

/** A test Tree from a real directory (owners as found unless overridden). */
export function treeFromDirectory(dir: string, owner?: { uid: number; gid: number }): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const abs = join(dir, p);
      const st = lstatSync(abs);
      const base = { path: p, mode: st.mode & 0o7777, uid: owner?.uid ?? st.uid, gid: owner?.gid ?? st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
      if (st.isDirectory()) {
        entries.push({ ...base, type: 'dir' });
        walk(p);
      } else if (st.isSymbolicLink()) entries.push({ ...base, type: 'symlink', linkTarget: readlinkSync(abs) });
      else if (st.isFile()) entries.push({ ...base, type: 'file', content: bufferContent(readFileSync(abs)) });
    }
  };
  walk('');
  return entries;
}
