/**
 * Content-addressed download cache: blobs/<alg>/<hex>. An entry is only ever created complete and
 * verified: downloads go to blobs/<alg>/.partial-<hex> in the same directory (kept for resume),
 * are checked (digest and size, then the caller's check — for packages the whole RPM
 * verification), fsync'd and renamed into place. A partial file that fails either check is
 * deleted, so a process killed at any point leaves a partial file or a verified entry, never an
 * unverified entry under its final name.
 *
 * The digest is read back from the partial file, not taken while downloading: another fexpod
 * sharing the cache may resume (append to) or restart (truncate) the same partial file, and only
 * the bytes on disk count. The directory's fsync (which makes the rename durable, not the entry
 * correct: before it, a crash can only lose the rename, leaving the partial file) runs once per
 * batch in flush(), not once per entry.
 */
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FexpodError, errnoCode } from '../../common/errors.js';
import { hashFile, type DigestAlg } from '../../common/hash.js';

/** Hashes a cache entry can be named by; repository metadata may also use sha1/sha224 (metadata-checksum.ts). */
export const DIGEST_ALGS: readonly DigestAlg[] = ['sha256', 'sha384', 'sha512'];

export interface Digest {
  readonly alg: DigestAlg;
  readonly hex: string;
}

export function parseDigestAlg(type: string, what: string): DigestAlg {
  const t = type.toLowerCase() === 'sha' ? 'sha1' : type.toLowerCase();
  const found = DIGEST_ALGS.find((a) => a === t);
  if (found) return found;
  throw new FexpodError(`${what} uses a ${type} checksum; fexpod accepts only sha256, sha384 and sha512`, {
    fix: 'regenerate the repository with createrepo_c (sha256 is its default)',
  });
}

/**
 * Where the cache lives: $XDG_CACHE_HOME/fexpod (or ~/.cache/fexpod); /var/cache/fexpod as root.
 * An explicit --cache-dir wins.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>, uid: number | undefined): string {
  if (uid === 0) return '/var/cache/fexpod';
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && xdg.startsWith('/')) return join(xdg, 'fexpod');
  if (env['HOME']) return join(env['HOME'], '.cache', 'fexpod');
  throw new FexpodError('cannot find a cache directory: neither XDG_CACHE_HOME nor HOME is set', { fix: 'pass --cache-dir DIR' });
}

/**
 * A check of a blob's content beyond its digest (throws to refuse it). `digestChecked`: the
 * blob's digest and size were verified just before (a commit), so the check need not hash the
 * whole file again; false for a cached copy, whose bytes the check covers on its own.
 */
export type BlobCheck = (path: string, digestChecked: boolean) => Promise<void>;

export class BlobCache {
  /** Work in progress per blob, so that one process fetches a blob once at a time. */
  private readonly inflight = new Map<string, Promise<string>>();
  /** Directories with renames not yet made durable (flush() syncs them). */
  private readonly unsynced = new Set<string>();

  constructor(readonly dir: string) {}

  /**
   * Runs `fetch` for a blob unless a fetch of it is already under way in this process, in which
   * case `join` continues from that one's result (or `fetch` runs anew when that one failed:
   * its failure may be its own, e.g. a check with other keys).
   */
  async once(d: Digest, fetch: () => Promise<string>, join: (path: string) => Promise<string>): Promise<string> {
    const key = `${d.alg}:${d.hex}`;
    const running = this.inflight.get(key);
    if (running) {
      const path = await running.catch(() => undefined);
      return path === undefined ? this.once(d, fetch, join) : join(path);
    }
    const p = fetch().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  path(d: Digest): string {
    return join(this.dir, 'blobs', d.alg, d.hex);
  }

  partialPath(d: Digest): string {
    return join(this.dir, 'blobs', d.alg, `.partial-${d.hex}`);
  }

  async has(d: Digest, size?: number): Promise<boolean> {
    try {
      const st = await stat(this.path(d));
      return st.isFile() && (size === undefined || st.size === size);
    } catch {
      return false;
    }
  }

  async ensureDir(d: Digest): Promise<void> {
    await mkdir(join(this.dir, 'blobs', d.alg), { recursive: true, mode: 0o755 });
  }

  /**
   * Verifies the partial file (digest and size, then `check`) and renames it into place; a
   * mismatch or a failed check deletes it. `beforeRename` runs once the file is verified.
   */
  async commit(d: Digest, size: number | undefined, check?: BlobCheck, beforeRename?: () => void): Promise<string> {
    const partial = this.partialPath(d);
    const got = await hashFile(partial, d.alg);
    const st = await stat(partial);
    if (got !== d.hex || (size !== undefined && st.size !== size)) {
      await rm(partial, { force: true });
      throw new DigestMismatchError(d, got, st.size, size);
    }
    if (check) {
      try {
        await check(partial, true);
      } catch (err) {
        await rm(partial, { force: true });
        throw err;
      }
    }
    beforeRename?.();
    const fh = await open(partial, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(partial, this.path(d));
    } catch (err) {
      // Another writer (another fexpod sharing the cache) committed the same blob first.
      if (!(errnoCode(err) === 'ENOENT' && (await this.has(d, size)))) throw err;
    }
    this.unsynced.add(join(this.dir, 'blobs', d.alg));
    return this.path(d);
  }

  /** Makes the renames of the entries committed so far durable: one fsync per directory. */
  async flush(): Promise<void> {
    const dirs = [...this.unsynced];
    this.unsynced.clear();
    for (const dir of dirs) {
      const dirh = await open(dir, 'r');
      try {
        await dirh.sync();
      } finally {
        await dirh.close();
      }
    }
  }
}

export class DigestMismatchError extends FexpodError {
  constructor(readonly expected: Digest, readonly actual: string, readonly actualSize: number, readonly expectedSize: number | undefined) {
    super(
      expectedSize !== undefined && actualSize !== expectedSize
        ? `wrong size: got ${actualSize} bytes, expected ${expectedSize}`
        : `wrong bytes: ${expected.alg} is ${actual.slice(0, 16)}…, expected ${expected.hex.slice(0, 16)}…`,
    );
  }
}
