/**
 * Blob upload (distribution-spec "push"): HEAD first (the registry may have
 * it), then a cross-repository mount when a sibling repository has it, then
 * an upload session: a blob up to the chunk size goes in one PUT (monolithic),
 * a larger one in PATCH chunks with Content-Range, closed by a PUT with the digest.
 *
 * A chunk that fails (dropped connection, 5xx, 429) is not simply sent again
 * from the start: the client asks the upload URL for its status (GET, Range
 * header) and resumes at the offset the registry confirms. A registry that
 * lost or invalidated the session (distribution 2.x cancels it when a request
 * died half-way) gets a fresh session. The registry verifies the digest on
 * the final PUT, so a corrupted resume cannot produce a wrong blob.
 */
import type { Readable } from 'node:stream';
import { FexpodError } from '../common/errors.js';
import { logUrl, pullScope, pushScope, type RegistryClient, type SentResponse } from './registry-client.js';
import { isRetryableStatus, retryDelay, DEFAULT_RETRY } from './retry.js';
import { drain, header, isNetworkError } from './transport.js';

/** Blob bytes that can be read again from any offset (a file). */
export interface BlobSource {
  readonly digest: string;
  readonly size: number;
  open(start: number, end: number): Readable;
}

export interface UploadOptions {
  /** Blobs up to this size go in one PUT; bigger ones in PATCH chunks of this size. */
  readonly chunkSize: number;
  /** Repositories on the same registry that may hold the blob (cross-repository mount). */
  readonly mountFrom?: readonly string[];
  /** Bytes confirmed so far went up (negative: bytes given back after a failed request). */
  readonly onProgress?: (delta: number) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
}

export type UploadOutcome = 'exists' | 'mounted' | 'uploaded';

/**
 * By default every blob goes up in one request, as skopeo sends it: on
 * distribution 2.8 PATCH chunks cost more than they save (97 MB: 0.7–1.1 s in
 * one PUT against 1.1–1.5 s in 64 MiB chunks), and a registry that persisted
 * part of a failed request still reports it through the upload status, which
 * the resume uses. --chunk-size opts into chunks (links that drop, proxies
 * that cap request bodies).
 */
export const DEFAULT_CHUNK_SIZE = Number.MAX_SAFE_INTEGER;
const MAX_SESSIONS = 4;

export async function uploadBlob(client: RegistryClient, repo: string, blob: BlobSource, opts: UploadOptions): Promise<UploadOutcome> {
  const scopes = [pushScope(repo), ...(opts.mountFrom ?? []).filter((r) => r !== repo).map(pullScope)];
  if ((await client.blobSize(repo, blob.digest, scopes)) !== undefined) return 'exists';
  let firstMount = (opts.mountFrom ?? []).find((r) => r !== repo);
  for (let session = 0; session < MAX_SESSIONS; session++) {
    const start = await startSession(client, repo, blob, scopes, firstMount);
    firstMount = undefined; // a mount is tried once
    if (start === 'mounted') return 'mounted';
    const done = await sendSession(client, repo, blob, scopes, start, opts);
    if (done) return 'uploaded';
    client.log.debug(`upload of ${blob.digest.slice(0, 19)} to ${repo}: session lost, starting a new one`);
  }
  throw new FexpodError(`uploading blob ${blob.digest} to ${repo}: the registry lost the upload ${MAX_SESSIONS} times`, {
    fix: 'check the connection to the registry and run the push again (blobs already uploaded are not sent again)',
  });
}

async function startSession(client: RegistryClient, repo: string, blob: BlobSource, scopes: readonly string[], mountFrom: string | undefined): Promise<URL | 'mounted'> {
  const q = mountFrom ? `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(mountFrom)}` : '';
  const what = `starting the upload of ${blob.digest.slice(0, 19)} to ${repo}`;
  const res = await client.send({ method: 'POST', target: `/v2/${repo}/blobs/uploads/${q}`, scopes, body: new Uint8Array(0), what });
  await drainOrFail(client, res, [201, 202], what);
  if (res.status === 201) return 'mounted';
  return location(res, what);
}

function location(res: SentResponse, what: string): URL {
  const loc = header(res, 'location');
  if (!loc) throw new FexpodError(`${what}: the registry gave no upload Location`);
  return new URL(loc, res.url);
}

async function drainOrFail(client: RegistryClient, res: SentResponse, ok: readonly number[], what: string): Promise<void> {
  if (!ok.includes(res.status)) await client.fail(res, what);
  await drain(res);
}

function withDigest(url: URL, digest: string): URL {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u;
}

/**
 * Sends the blob through one upload session. true: the blob is complete;
 * false: the registry lost the session (start a new one). Throws when retries run out.
 */
async function sendSession(client: RegistryClient, repo: string, blob: BlobSource, scopes: readonly string[], start: URL, opts: UploadOptions): Promise<boolean> {
  let loc = start;
  let offset = 0;
  let failures = 0;
  for (;;) {
    // one PUT for a small blob sent from its start; PATCH chunks otherwise (and after a resume)
    const monolithic = offset === 0 && blob.size <= opts.chunkSize;
    const end = monolithic ? blob.size : Math.min(offset + opts.chunkSize, blob.size);
    const what = `uploading ${blob.digest.slice(0, 19)} to ${repo} (bytes ${offset}-${end})`;
    let inFlight = 0;
    const body = {
      length: end - offset,
      open: () => {
        const s = blob.open(offset, end);
        s.on('data', (c: Buffer) => {
          inFlight += c.length;
          opts.onProgress?.(c.length);
        });
        return s;
      },
    };
    let res: SentResponse | undefined;
    let err: unknown;
    try {
      res = monolithic
        ? await client.send({ method: 'PUT', target: withDigest(loc, blob.digest).href, scopes, headers: { 'content-type': 'application/octet-stream' }, body, retry: false, what })
        : await client.send({
            method: 'PATCH', target: loc.href, scopes, retry: false, what, body,
            headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${end - 1}` },
          });
    } catch (e) {
      if (!isNetworkError(e) && !isNetworkError((e as { cause?: unknown }).cause)) throw e;
      err = e;
    }
    if (res && (res.status === 201 || res.status === 202 || res.status === 204)) {
      await drain(res);
      if (monolithic) return true;
      loc = location(res, what);
      offset = end;
      failures = 0;
      if (offset < blob.size) continue;
      const closing = `finishing the upload of ${blob.digest.slice(0, 19)} to ${repo}`;
      const fin = await client.send({ method: 'PUT', target: withDigest(loc, blob.digest).href, scopes, body: new Uint8Array(0), what: closing });
      if (fin.status === 201 || fin.status === 204) {
        await drain(fin);
        return true;
      }
      if (fin.status === 404) {
        await drain(fin);
        return false;
      }
      return client.fail(fin, closing);
    }
    // failed: give back the unconfirmed bytes, then ask the registry where the session stands
    opts.onProgress?.(-inFlight);
    if (res && !isRetryableStatus(res.status) && ![400, 404, 416].includes(res.status)) await client.fail(res, what);
    if (res) await drain(res);
    const why = err instanceof Error ? err.message : `HTTP ${res?.status ?? '?'}`;
    if (++failures >= DEFAULT_RETRY.attempts) {
      throw new FexpodError(`${what}: ${why} (after ${failures} tries)`, { cause: err, fix: 'check the connection to the registry and push again: blobs already there are not sent again' });
    }
    client.log.debug(`${what}: ${why}; asking ${logUrl(loc)} for the upload status`);
    await opts.sleep(retryDelay(DEFAULT_RETRY, failures - 1, res ? header(res, 'retry-after') : undefined, opts.now(), opts.random()));
    const status = await uploadStatus(client, loc, scopes, offset);
    if (status === undefined) return false;
    loc = status.location;
    offset = status.offset;
  }
}

/**
 * GET on the upload URL: 204 with "Range: 0-LAST" → resume at LAST+1. "0-0"
 * is ambiguous in distribution (it means both "nothing" and "one byte"): it
 * is taken as nothing unless we had confirmed more. undefined: the session is gone.
 */
async function uploadStatus(client: RegistryClient, loc: URL, scopes: readonly string[], confirmed: number): Promise<{ location: URL; offset: number } | undefined> {
  const what = `asking for the upload status at ${logUrl(loc)}`;
  let res: SentResponse;
  try {
    res = await client.send({ method: 'GET', target: loc.href, scopes, what });
  } catch (err) {
    if (isNetworkError(err) || isNetworkError((err as { cause?: unknown }).cause)) return { location: loc, offset: confirmed };
    throw err;
  }
  await drain(res);
  if (res.status !== 204 && res.status !== 200) return undefined;
  const range = /^(?:bytes=)?0-(\d+)$/.exec(header(res, 'range') ?? '');
  const last = range ? Number(range[1]) : -1;
  const offset = last === 0 && confirmed === 0 ? 0 : last + 1;
  const newLoc = header(res, 'location');
  return { location: newLoc ? new URL(newLoc, loc) : loc, offset };
}
