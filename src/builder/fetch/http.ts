/**
 * The HTTP edge: GET with redirects, a header timeout, optional Range. file:// URLs are read
 * from disk so a local mirror works without a web server. URLs are redacted before they reach
 * any message (userinfo never leaves this module).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface HttpResponse {
  readonly status: number;
  header(name: string): string | undefined;
  /** The body; must be consumed or cancelled. */
  readonly body: AsyncIterable<Uint8Array>;
  cancel(): Promise<void>;
}

export interface HttpGetOptions {
  /** Ask for bytes from this offset on (Range: bytes=N-). */
  readonly from?: number;
  readonly signal?: AbortSignal;
}

export interface HttpClient {
  get(url: string, opts?: HttpGetOptions): Promise<HttpResponse>;
}

/** URL with any user:password removed, for messages and logs. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    for (const k of [...url.searchParams.keys()]) {
      if (/token|key|secret|password|auth/i.test(k)) url.searchParams.set(k, '***');
    }
    return url.toString();
  } catch {
    return u.replace(/\/\/[^/@]*@/, '//***@');
  }
}

/** A base URL ending in '/', so relative locations resolve under it. */
export function withTrailingSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

export class HttpError extends Error {
  constructor(readonly url: string, readonly status: number | undefined, message: string, options?: { cause?: unknown }) {
    super(`${redactUrl(url)}: ${message}`, options);
    this.name = 'HttpError';
  }
}

export interface NodeHttpOptions {
  /** Time to wait for response headers (ms). */
  readonly headerTimeoutMs?: number;
  readonly userAgent?: string;
}

/** Node's built-in fetch (undici) for http(s), the filesystem for file://. */
export function nodeHttpClient(opts: NodeHttpOptions = {}): HttpClient {
  const headerTimeout = opts.headerTimeoutMs ?? 30_000;
  return {
    async get(url, o = {}) {
      const parsed = new URL(url);
      if (parsed.protocol === 'file:') return fileGet(parsed, o);
      const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? 'fexpod' };
      if (o.from && o.from > 0) headers['range'] = `bytes=${o.from}-`;
      // Credentials in the URL become a header; undici refuses userinfo in URLs.
      if (parsed.username || parsed.password) {
        headers['authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
        parsed.username = '';
        parsed.password = '';
      }
      // The timeout covers waiting for the response headers only; a long body is the caller's
      // business (fetch-blob aborts stalled transfers, not slow ones).
      const headers_ = new AbortController();
      const timer = setTimeout(() => headers_.abort(), headerTimeout);
      const signal = o.signal ? AbortSignal.any([o.signal, headers_.signal]) : headers_.signal;
      let res: Response;
      try {
        res = await fetch(parsed, { headers, redirect: 'follow', signal });
      } catch (err) {
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
        throw new HttpError(url, undefined, headers_.signal.aborted ? `no response within ${headerTimeout / 1000} s` : cause, { cause: err });
      } finally {
        clearTimeout(timer);
      }
      const body = res.body;
      return {
        status: res.status,
        header: (n) => res.headers.get(n) ?? undefined,
        body: body ?? (async function* () {})(),
        cancel: async () => {
          await body?.cancel().catch(() => {});
        },
      };
    },
  };
}

async function fileGet(url: URL, o: HttpGetOptions): Promise<HttpResponse> {
  const path = fileURLToPath(url);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    return { status: 404, header: () => undefined, body: (async function* () {})(), cancel: async () => {} };
  }
  const from = o.from ?? 0;
  const stream = createReadStream(path, { start: from });
  return {
    status: from > 0 ? 206 : 200,
    header: (n) => {
      const k = n.toLowerCase();
      if (k === 'content-length') return String(size - from);
      if (k === 'content-range' && from > 0) return `bytes ${from}-${size - 1}/${size}`;
      return undefined;
    },
    body: stream,
    cancel: async () => {
      stream.destroy();
    },
  };
}

/** Reads a whole (small) response body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body) {
    n += c.length;
    if (n > limit) {
      await res.cancel();
      throw new HttpError(url, res.status, `response larger than ${limit} bytes`);
    }
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}

/** GET a small document (metalink, mirrorlist, repomd.xml, key) into memory. */
export async function getSmall(http: HttpClient, url: string, limit = 64 * 1024 * 1024, signal?: AbortSignal): Promise<Buffer> {
  const res = await http.get(url, signal ? { signal } : {});
  if (res.status !== 200) {
    await res.cancel();
    throw new HttpError(url, res.status, `HTTP ${res.status}`);
  }
  try {
    return await readBody(res, limit, url);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(url, res.status, `transfer failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
