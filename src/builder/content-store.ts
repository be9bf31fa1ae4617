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
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
        let exists = false;
        try {
          exists = statSync(final).size === size;
        } catch {
          exists = false;
        }
        if (exists) unlinkSync(tmp);
        else renameSync(tmp, final);
        return fileSource(final, size, sha256);
      },
    };
  };
  return { create, remove: () => rmSync(opts.dir, { recursive: true, force: true }) };
}
