/**
 * Where extracted file contents live between extraction and output writing.
 *
 * A Fedora RootFS is 1–2 GB uncompressed: too much to hold in memory next to
 * everything else, and re-decompressing a payload per file is quadratic. So
 * contents are written once into a private, content-addressed spill directory
 * (sha256 names, identical files stored once) and read back lazily by the
 * output writers; small files (below `memoryThreshold`, default 64 KiB) stay
 * in memory until `memoryBudget` (default 256 MiB) is used up. The spill
 * directory belongs to the build: it is never the tree's root, nothing is
 * extracted "to disk" as files of the image, and remove() deletes it.
 *
 * The memory-only store is for tests and small trees.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { FexpodError } from '../../common/errors.js';
import type { ChunkPool } from './chunk-pool.js';
import type { ContentSource } from './tree.js';

export interface ContentWriter {
  write(chunk: Uint8Array): void;
  /** Completes the content; returns its source (with sha256 set). */
  finish(): ContentSource;
}

export interface ContentStore {
  create(): ContentWriter;
  /** Frees everything the store holds (spill files). */
  remove(): void;
}

class MemoryWriter implements ContentWriter {
  private readonly parts: Uint8Array[] = [];
  private readonly hash: Hash = createHash('sha256');
  private size = 0;
  write(chunk: Uint8Array): void {
    this.parts.push(chunk.slice());
    this.hash.update(chunk);
    this.size += chunk.length;
  }
  finish(): ContentSource {
    const data = Buffer.concat(this.parts, this.size);
    const sha256 = this.hash.digest('hex');
    return { size: data.length, sha256, read: async () => data };
  }
}

export function memoryContentStore(): ContentStore {
  return { create: () => new MemoryWriter(), remove: () => {} };
}

export interface SpillStoreOptions {
  /** A private, empty (or new) directory for this build. */
  readonly dir: string;
  readonly memoryThreshold?: number;
  readonly memoryBudget?: number;
}

/** A complete temp file becomes the content-addressed `final`, unless an entry of that size is there (same content). */
function settle(tmp: string, final: string, size: number): void {
  if (statSync(final, { throwIfNoEntry: false })?.size === size) unlinkSync(tmp);
  else renameSync(tmp, final);
}

/** Memory for small files, a content-addressed spill directory for the rest. */
export function spillContentStore(opts: SpillStoreOptions): ContentStore {
  const threshold = opts.memoryThreshold ?? 64 * 1024;
  let budget = opts.memoryBudget ?? 256 * 1024 * 1024;
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  let seq = 0;
  const fileSource = (path: string, size: number, sha256: string): ContentSource => ({
    size,
    sha256,
    path,
    read: async () => readFileSync(path),
  });
  const create = (): ContentWriter => {
    const hash = createHash('sha256');
    let mem: Uint8Array[] | undefined = [];
    let memSize = 0;
    let fd: number | undefined;
    let tmp = '';
    let size = 0;
    const spill = (): void => {
      tmp = join(opts.dir, `tmp-${process.pid}-${seq++}`);
      fd = openSync(tmp, 'w', 0o600);
      for (const p of mem ?? []) writeSync(fd, p);
      mem = undefined;
    };
    return {
      write(chunk: Uint8Array): void {
        hash.update(chunk);
        size += chunk.length;
        if (mem !== undefined && memSize + chunk.length <= threshold && budget - memSize - chunk.length >= 0) {
          mem.push(chunk.slice());
          memSize += chunk.length;
          return;
        }
        if (fd === undefined) spill();
        if (fd !== undefined) writeSync(fd, chunk);
      },
      finish(): ContentSource {
        const sha256 = hash.digest('hex');
        if (mem !== undefined) {
          const data = Buffer.concat(mem, memSize);
          budget -= memSize;
          return { size: data.length, sha256, read: async () => data };
        }
        if (fd !== undefined) closeSync(fd);
        const final = join(opts.dir, sha256);
        settle(tmp, final, size);
        return fileSource(final, size, sha256);
      },
    };
  };
  return { create, remove: () => rmSync(opts.dir, { recursive: true, force: true }) };
}

/** A content file as a source: read whole or streamed in pieces; `verify` re-hashes it on every read. */
export function fileContentSource(path: string, size: number, sha256: string, verify: boolean): ContentSource {
  // checked once per build: later reads of the same source (ld.so.cache, then the layer) trust that check
  let pending = verify;
  const check = (h: Hash): void => {
    const got = h.digest('hex');
    if (got === sha256) {
      pending = false;
      return;
    }
    try {
      unlinkSync(path); // a corrupt cache entry goes, so the next build extracts the package again
    } catch {
      /* already gone */
    }
    throw new FexpodError(`cached content ${path} has sha256 ${got}, expected ${sha256}`, {
      fix: 'the extraction cache was changed on disk; the bad entry was removed: run the build again',
    });
  };
  return {
    size,
    sha256,
    path,
    read: async () => {
      const data = readFileSync(path);
      if (pending) check(createHash('sha256').update(data));
      return data;
    },
    async *stream(pool?: ChunkPool) {
      const h = pending ? createHash('sha256') : undefined;
      if (!pool) {
        for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
          const b = chunk as Buffer;
          h?.update(b);
          yield b;
        }
      } else {
        const fh = await open(path, 'r');
        try {
          for (;;) {
            const buf = await pool.acquire();
            let n = 0;
            try {
              n = (await fh.read(buf, 0, buf.length, null)).bytesRead;
            } finally {
              if (n === 0) pool.release(buf);
            }
            if (n === 0) break;
            const piece = buf.subarray(0, n);
            h?.update(piece);
            yield piece; // the caller's from here: it releases it
          }
        } finally {
          await fh.close();
        }
      }
      if (h) check(h);
    },
  };
}

/** Where a content-addressed file lives in a disk store. */
export function contentPath(dir: string, sha256: string): string {
  return join(dir, sha256.slice(0, 2), sha256);
}

/**
 * Every content on disk, content-addressed (dir/ab/abcd…), nothing held in
 * memory: the store of the extraction cache, shared by builds. A file is
 * written under a temp name and renamed into place once complete, so an
 * interrupted build never leaves a partial entry; an existing entry of the
 * same size is kept (identical content).
 */
export function diskContentStore(dir: string): ContentStore {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let seq = 0;
  const create = (): ContentWriter => {
    const hash = createHash('sha256');
    const tmp = join(dir, `.tmp-${process.pid}-${seq++}-${Math.random().toString(36).slice(2)}`);
    const fd = openSync(tmp, 'wx', 0o600);
    let size = 0;
    return {
      write(chunk: Uint8Array): void {
        hash.update(chunk);
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
        size += chunk.length;
      },
      finish(): ContentSource {
        closeSync(fd);
        const sha256 = hash.digest('hex');
        const final = contentPath(dir, sha256);
        mkdirSync(join(dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
        settle(tmp, final, size);
        return fileContentSource(final, size, sha256, false);
      },
    };
  };
  // the store outlives the build: remove() only drops temp files of this process
  return { create, remove: () => {} };
}
