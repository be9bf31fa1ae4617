/**
 * The HTTP edge: GET with redirects, a header timeout, optional Range. file:// URLs are read
 * from disk so a local mirror works without a web server. URLs are redacted before they reach
 * any message (userinfo never leaves this module).
 */
import { createReadStream } from 'node:fs';
import { Agent as HttpAgent, get as httpGet, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
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

/** Redirects followed before giving up (fetch's limit). */
const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * node:http/https for http(s) (keep-alive agents), the filesystem for file://. Not the built-in
 * fetch: undici's web streams cost ~300 ms of CPU on the large set's 157 MB (docs/build.md),
 * node:http hands the body over as Buffers. Redirects are followed here; the credentials of a
 * URL's userinfo go as Basic auth to its own origin only (dropped when a redirect leaves it).
 */
export function nodeHttpClient(opts: NodeHttpOptions = {}): HttpClient {
  const headerTimeout = opts.headerTimeoutMs ?? 30_000;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return {
    async get(url, o = {}) {
      const parsed = new URL(url);
      if (parsed.protocol === 'file:') return fileGet(parsed, o);
      const base: Record<string, string> = { 'user-agent': opts.userAgent ?? 'fexpod' };
      if (o.from && o.from > 0) base['range'] = `bytes=${o.from}-`;
      let auth: { origin: string; header: string } | undefined;
      if (parsed.username || parsed.password) {
        auth = { origin: parsed.origin, header: `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}` };
        parsed.username = '';
        parsed.password = '';
      }
      let target = parsed;
      for (let hop = 0; ; hop++) {
        const headers = auth && auth.origin === target.origin ? { ...base, authorization: auth.header } : base;
        const res = await request(target, headers, agents, headerTimeout, o.signal).catch((err: unknown) => {
          throw new HttpError(url, undefined, err instanceof Error ? err.message : String(err), { cause: err });
        });
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location) {
          res.resume();
          if (hop >= MAX_REDIRECTS) throw new HttpError(url, status, `more than ${MAX_REDIRECTS} redirects`);
          target = new URL(location, target);
          if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new HttpError(url, status, `redirected to a ${target.protocol} URL`);
          continue;
        }
        return {
          status,
          header: (n) => {
            const v = res.headers[n.toLowerCase()];
            return Array.isArray(v) ? v.join(', ') : v;
          },
          body: res,
          cancel: async () => {
            res.destroy();
          },
        };
      }
    },
  };
}

/** One GET; resolves with the response once its headers are in (within `timeoutMs`). */
function request(url: URL, headers: Record<string, string>, agents: { http: HttpAgent; https: HttpsAgent }, timeoutMs: number, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const send = url.protocol === 'https:' ? httpsGet : httpGet;
    const req = send(url, { headers, agent: url.protocol === 'https:' ? agents.https : agents.http });
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs / 1000} s`)), timeoutMs);
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      clearTimeout(timer);
      // An abort after the headers ends the body: the caller's read fails with the reason.
      if (signal) res.once('close', () => signal.removeEventListener('abort', onAbort));
      resolve(res);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
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
