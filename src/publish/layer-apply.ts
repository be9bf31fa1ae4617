/**
 * Applying image layers to a directory as a normal user, the way a container
 * engine stacks them, but safely for hostile layers:
 *
 *   - entry names with ".." are refused; every parent is resolved inside the
 *     root (fs-safe.ts), so a symlink planted by a layer cannot redirect a
 *     later write out of it; the entry itself is never followed
 *   - whiteouts: ".wh.NAME" removes NAME, ".wh..wh..opq" empties its
 *     directory of what lower layers put there (OCI image-spec "layer")
 *   - device nodes and FIFOs are skipped and counted; owners are applied only
 *     as root; directories stay writable until the end, then get their modes
 *     and times (deepest first)
 *
 * The stream of each layer is verified by the caller (it errors at its end on
 * a digest mismatch), so a tampered layer fails the whole extraction.
 */
import { chmodSync, closeSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { FexpodError, errnoCode } from '../common/errors.js';
import { cleanEntryPath, makeWritable, resolveInRoot } from './fs-safe.js';

export interface ApplyOptions {
  /** chown entries to their uid/gid (root only). */
  readonly privileged: boolean;
}

export interface ApplyStats {
  entries: number;
  whiteouts: number;
  skippedDevices: number;
  skippedOwners: number;
}

/** A tar entry's body (tar-stream's streamx Readable). */
type EntryStream = AsyncIterable<unknown> & { on(event: 'end', cb: () => void): unknown; resume(): unknown };

interface DirMeta {
  readonly mode: number;
  readonly mtime: number;
}

/** State across the layers of one image. */
export class LayerApplier {
  readonly stats: ApplyStats = { entries: 0, whiteouts: 0, skippedDevices: 0, skippedOwners: 0 };
  private readonly dirs = new Map<string, DirMeta>();

  constructor(private readonly root: string, private readonly opts: ApplyOptions) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  /** Applies one (decompressed) layer tar. */
  async apply(tar: Readable, what: string): Promise<void> {
    const thisLayer = new Set<string>();
    const extract = tarStream.extract();
    extract.on('entry', (h, stream, next) => {
      this.entry(h, stream, thisLayer).then(
        () => next(),
        (err: unknown) => {
          stream.resume();
          next(err instanceof FexpodError ? new FexpodError(`${what}: ${err.message}`, { cause: err, ...(err.fix ? { fix: err.fix } : {}) }) : new FexpodError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
        },
      );
    });
    await pipeline(tar, extract);
  }

  private async entry(h: tarStream.Header, stream: EntryStream, thisLayer: Set<string>): Promise<void> {
    const rel = cleanEntryPath(h.name);
    const drain = () => new Promise<void>((r) => {
      stream.on('end', r);
      stream.resume();
    });
    if (rel === '') return drain();
    const slash = rel.lastIndexOf('/');
    const parent = slash < 0 ? '' : rel.slice(0, slash);
    const base = rel.slice(slash + 1);
    if (base === '.wh..wh..opq') {
      this.stats.whiteouts++;
      const dir = resolveInRoot(this.root, parent);
      for (const name of safeReaddir(dir)) {
        const childRel = parent === '' ? name : `${parent}/${name}`;
        if (!thisLayer.has(childRel)) this.remove(join(dir, name));
      }
      return drain();
    }
    if (base.startsWith('.wh.')) {
      this.stats.whiteouts++;
      this.remove(resolveInRoot(this.root, parent === '' ? base.slice(4) : `${parent}/${base.slice(4)}`, false));
      return drain();
    }
    thisLayer.add(rel);
    this.stats.entries++;
    const target = resolveInRoot(this.root, rel, false);
    const mode = (h.mode ?? 0o644) & 0o7777;
    const mtime = Math.floor((h.mtime?.getTime() ?? 0) / 1000);
    const made = mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    // parents the layer did not list: 0755, like the build's implicit directories
    for (let d = dirname(target); made !== undefined && d.length >= made.length; d = dirname(d)) {
      if (!this.dirs.has(d)) this.dirs.set(d, { mode: 0o755, mtime });
    }
    const existing = lstatOrUndefined(target);
    if (existing && !(existing.isDirectory() && h.type === 'directory')) this.remove(target);
    switch (h.type) {
      case 'directory':
        if (!existing?.isDirectory()) mkdirSync(target, { mode: 0o700 });
        chmodSync(target, 0o700 | mode);
        this.own(target, h);
        this.dirs.set(target, { mode, mtime });
        return drain();
      case 'file':
      case 'contiguous-file': {
        const fd = openSync(target, 'wx', 0o600);
        try {
          for await (const chunk of stream) {
            const b = chunk as Buffer;
            for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
          }
        } finally {
          closeSync(fd);
        }
        this.own(target, h);
        chmodSync(target, mode); // after chown: chown clears setuid
        utimesSync(target, mtime, mtime);
        return;
      }
      case 'symlink':
        symlinkSync(h.linkname ?? '', target);
        this.own(target, h);
        lutimesSync(target, mtime, mtime);
        return drain();
      case 'link': {
        const from = resolveInRoot(this.root, cleanEntryPath(h.linkname ?? ''), false);
        const st = lstatOrUndefined(from);
        if (!st?.isFile()) throw new FexpodError(`hard link ${rel} → ${h.linkname ?? ''}: the target is not a file in the image`);
        linkSync(from, target);
        return drain();
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        this.stats.skippedDevices++;
        return drain();
      default:
        return drain();
    }
  }

  private own(path: string, h: tarStream.Header): void {
    const uid = h.uid ?? 0;
    const gid = h.gid ?? 0;
    if (this.opts.privileged) lchownSync(path, uid, gid);
    else if (uid !== 0 || gid !== 0) this.stats.skippedOwners++;
  }

  private remove(path: string): void {
    if (path === this.root || !path.startsWith(this.root + '/')) return;
    const st = lstatOrUndefined(path);
    if (!st) return;
    if (st.isDirectory()) makeWritable(path);
    rmSync(path, { recursive: true, force: true });
    for (const d of [...this.dirs.keys()]) if (d === path || d.startsWith(path + '/')) this.dirs.delete(d);
  }

  /** Directory modes and times, deepest first (writing children changes a parent's mtime). */
  finish(rootMtime: number): void {
    const sorted = [...this.dirs.entries()].filter(([d]) => lstatOrUndefined(d)?.isDirectory()).sort(([a], [b]) => b.length - a.length);
    for (const [d, m] of sorted) {
      chmodSync(d, m.mode);
      utimesSync(d, m.mtime, m.mtime);
    }
    chmodSync(this.root, 0o755);
    utimesSync(this.root, rootMtime, rootMtime);
  }
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

