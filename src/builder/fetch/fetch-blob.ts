/**
 * Fetch one content-addressed blob into the cache, trying mirrors in order.
 *
 * Per attempt: resume from the partial file with Range when the server honours it, stream to
 * disk, then verify size + digest and the request's own check (for packages: the RPM
 * verification) and rename into place (BlobCache.commit). A 4xx/5xx, a connection drop, a
 * stall, a truncated body or wrong bytes move on to the next mirror; the partial file is kept
 * after a drop (for resume) and deleted after wrong bytes. A failed check is not a mirror's
 * fault (the bytes are the ones the digest names, every mirror has the same): it stops at once.
 * So does a local error (the cache directory not writable, a full disk), named as such.
 */
import { open, rm, stat } from 'node:fs/promises';
import { FexpodError, errnoCode, errorMessage } from '../../common/errors.js';
import { BlobCache, DigestMismatchError, type BlobCheck, type Digest } from './cache.js';
import { HttpError, redactUrl, type HttpClient } from './http.js';

export interface BlobRequest {
  readonly digest: Digest;
  /** Expected size when known (package size from primary.xml). */
  readonly size: number | undefined;
  /** Upper bound when the size is only advisory (repomd.xml sizes are not always exact). */
  readonly maxSize?: number;
  /** Full URLs of the same file on each mirror, in preference order. */
  readonly urls: readonly string[];
  /** For messages: "glibc-2.40-1.fc42.x86_64.rpm". */
  readonly what: string;
  /**
   * Checks the content beyond its digest before it enters the cache, and each time a cached
   * copy is used (a cached blob may have been verified against another definition's keys).
   */
  readonly check?: BlobCheck;
}

export type BlobEvent =
  | { readonly type: 'cached'; readonly what: string; readonly size: number }
  | { readonly type: 'start'; readonly what: string; readonly url: string; readonly from: number; readonly total: number | undefined }
  | { readonly type: 'bytes'; readonly what: string; readonly n: number }
  | { readonly type: 'retry'; readonly what: string; readonly url: string; readonly reason: string }
  /** The download is complete; its digest and check run now (nothing is in the cache yet). */
  | { readonly type: 'verify'; readonly what: string }
  /** Verified; it is renamed into the cache next. */
  | { readonly type: 'verified'; readonly what: string }
  | { readonly type: 'done'; readonly what: string; readonly size: number };

export interface FetchBlobDeps {
  readonly http: HttpClient;
  readonly cache: BlobCache;
  readonly onEvent?: (e: BlobEvent) => void;
  readonly signal?: AbortSignal;
  /** No data for this long aborts the attempt (ms). */
  readonly stallTimeoutMs?: number;
  /** Passes over the mirror list before giving up. */
  readonly rounds?: number;
}

export class FetchError extends FexpodError {
  constructor(
    message: string,
    options: { fix?: string } = {},
    /** Every mirror answered 404 on every attempt: the file is gone, not merely unreachable. */
    readonly notFound = false,
  ) {
    super(message, options);
  }
}

/** A local failure (the cache directory, the disk): no mirror can help, so no retry. */
export class CacheStoreError extends FexpodError {}

function storeError(req: BlobRequest, cache: BlobCache, err: unknown): CacheStoreError {
  return new CacheStoreError(`${req.what}: cannot write it into the cache ${cache.dir}: ${errorMessage(err)}`, {
    cause: err,
    fix: errnoCode(err) === 'ENOSPC'
      ? `free disk space where the cache lives (${cache.dir}), or pass --cache-dir DIR on a larger disk`
      : `check that ${cache.dir} is a writable directory (or pass --cache-dir DIR)`,
  });
}

/**
 * Path of the verified blob, downloading it if needed. Two requests for one blob at once (two
 * repositories on one mirror share metadata files) download it once; the second is then served
 * as a cached blob.
 */
export async function fetchBlob(req: BlobRequest, deps: FetchBlobDeps): Promise<string> {
  const { cache } = deps;
  const cached = async (path: string): Promise<string> => {
    await req.check?.(path, false);
    deps.onEvent?.({ type: 'cached', what: req.what, size: req.size ?? 0 });
    return path;
  };
  if (await cache.has(req.digest, req.size)) return cached(cache.path(req.digest));
  return cache.once(req.digest, () => download(req, deps), cached);
}

async function download(req: BlobRequest, deps: FetchBlobDeps): Promise<string> {
  const { cache } = deps;
  if (req.urls.length === 0) {
    throw new FetchError(`${req.what}: no mirror to fetch it from`, { fix: 'give its repository a baseurl, metalink or mirrorlist (or --repo ID=URL)' });
  }
  await cache.ensureDir(req.digest).catch((err: unknown) => {
    throw storeError(req, cache, err);
  });
  const failures: string[] = [];
  let allNotFound = true;
  let allWrongBytes = true;
  const rounds = deps.rounds ?? 2;
  for (let round = 0; round < rounds; round++) {
    for (const url of req.urls) {
      deps.signal?.throwIfAborted();
      let failure: unknown;
      try {
        await attempt(url, req, deps);
      } catch (err) {
        if (deps.signal?.aborted || err instanceof CacheStoreError) throw err;
        failure = err;
      }
      if (failure === undefined) {
        try {
          deps.onEvent?.({ type: 'verify', what: req.what });
          const path = await cache.commit(req.digest, req.size, req.check, () => deps.onEvent?.({ type: 'verified', what: req.what }));
          deps.onEvent?.({ type: 'done', what: req.what, size: req.size ?? 0 });
          return path;
        } catch (err) {
          // Wrong bytes are this mirror's fault; a failed check of the right bytes is the same on
          // every mirror (the partial is deleted), and a local error is no mirror's fault at all.
          if (!(err instanceof DigestMismatchError)) throw err instanceof FexpodError || !errnoCode(err) ? err : storeError(req, cache, err);
          failure = err;
        }
      }
      const reason = errorMessage(failure).replace(`${redactUrl(url)}: `, '');
      failures.push(`${redactUrl(url)}: ${reason}`);
      allNotFound &&= failure instanceof HttpError && failure.status === 404;
      allWrongBytes &&= failure instanceof DigestMismatchError;
      deps.onEvent?.({ type: 'retry', what: req.what, url: redactUrl(url), reason });
    }
  }
  throw new FetchError(
    `${req.what}: every mirror failed:\n  ${failures.join('\n  ')}`,
    {
      fix: allWrongBytes
        ? 'every mirror serves other bytes than the checksum names: the repository changed since it was locked (re-resolve with "fexpod lock DEF.toml"), or the mirrors cannot be trusted'
        : 'check the network and the mirrors; rerun to resume (verified partial downloads are kept)',
    },
    allNotFound,
  );
}

/** A batch of network chunks is written when it holds this many bytes or this many chunks (a slow link still writes often, for resume). */
const WRITE_BATCH_BYTES = 1 << 20;
const WRITE_BATCH_CHUNKS = 16;

/** One download attempt into the partial file (commit verifies it). */
async function attempt(url: string, req: BlobRequest, deps: FetchBlobDeps): Promise<void> {
  const partial = deps.cache.partialPath(req.digest);
  // undefined: there is no partial file yet (a 0-byte blob must still be downloaded to exist)
  let have: number | undefined;
  try {
    have = (await stat(partial)).size;
  } catch {
    have = undefined;
  }
  if (req.size !== undefined && have !== undefined && have > req.size) {
    await rm(partial, { force: true });
    have = undefined;
  }
  if (req.size !== undefined && have === req.size) return; // complete already; commit verifies
  have ??= 0;
  const stallMs = deps.stallTimeoutMs ?? 30_000;
  const ac = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, ac.signal]) : ac.signal;
  const res = await deps.http.get(url, { from: have, signal });
  let from = 0;
  if (res.status === 206 && have > 0) {
    const m = /^bytes (\d+)-/.exec(res.header('content-range') ?? '');
    if (!m || Number(m[1]) !== have) {
      await res.cancel();
      throw new HttpError(url, 206, 'server answered a different byte range');
    }
    from = have;
  } else if (res.status === 416 && have > 0) {
    // Nothing after our partial file: it may be complete already (a run killed before the
    // rename). Commit verifies it; wrong bytes delete it and the next attempt starts over.
    await res.cancel();
    return;
  } else if (res.status !== 200) {
    await res.cancel();
    throw new HttpError(url, res.status, res.status === 416 ? 'HTTP 416 (range not satisfiable)' : `HTTP ${res.status}`);
  }
  const total = req.size;
  deps.onEvent?.({ type: 'start', what: req.what, url: redactUrl(url), from, total });
  const fh = await open(partial, from > 0 ? 'a' : 'w', 0o644).catch((err: unknown) => {
    throw storeError(req, deps.cache, err);
  });
  let written = from;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(new HttpError(url, res.status, `stalled: no data for ${stallMs / 1000} s`)), stallMs);
  };
  // Network chunks (often 16–64 KiB) go to disk in batches (WRITE_BATCH_*), one writev each:
  // a few hundred syscalls for a large package instead of thousands.
  let batch: Uint8Array[] = [];
  let batched = 0;
  const writeBatch = async (): Promise<void> => {
    if (batched === 0) return;
    const [data, n] = [batch, batched];
    batch = [];
    batched = 0;
    const { bytesWritten } = await fh.writev(data).catch((err: unknown) => {
      throw storeError(req, deps.cache, err);
    });
    if (bytesWritten !== n) throw storeError(req, deps.cache, new Error(`short write: ${bytesWritten} of ${n} bytes`));
    deps.onEvent?.({ type: 'bytes', what: req.what, n });
  };
  try {
    arm();
    for await (const chunk of res.body) {
      arm();
      written += chunk.length;
      if (total !== undefined && written > total) {
        await res.cancel();
        throw new HttpError(url, res.status, `sent more than the expected ${total} bytes`);
      }
      if (req.maxSize !== undefined && written > req.maxSize) {
        await res.cancel();
        throw new HttpError(url, res.status, `sent more than ${req.maxSize} bytes`);
      }
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= WRITE_BATCH_BYTES || batch.length >= WRITE_BATCH_CHUNKS) await writeBatch();
    }
    await writeBatch();
  } catch (err) {
    if (err instanceof CacheStoreError) {
      await res.cancel();
      throw err;
    }
    // The bytes received before the failure stay in the partial file, for a resume.
    await writeBatch().catch(() => undefined);
    if (ac.signal.aborted && ac.signal.reason instanceof Error) throw ac.signal.reason;
    if (err instanceof HttpError) throw err;
    throw new HttpError(url, res.status, `transfer broke off after ${written} bytes: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
    await fh.close();
  }
  if (total !== undefined && written < total) {
    throw new HttpError(url, res.status, `truncated: got ${written} of ${total} bytes`);
  }
}
