/**
 * HTTP for the registry client: node:http/https with keep-alive agents and
 * the TLS settings skopeo takes (--tls-verify, --cert-dir: *.crt are CA roots
 * added to the system ones, a *.cert/*.key pair is the client certificate).
 *
 * Node's own HTTP stack instead of a registry library: the npm registry
 * clients are either Docker-daemon wrappers (dockerode) or unmaintained, and
 * none does resumable chunked uploads; node:https gives us streaming bodies,
 * custom CAs and client certificates with no dependency.
 *
 * One request, one response: retries, redirects and auth live in the client.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type IncomingHttpHeaders, type RequestOptions, type ClientRequest } from 'node:http';
import type { Agent as HttpsAgentType } from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FexpodError, errnoCode } from '../common/errors.js';

export interface TlsSettings {
  /** false: accept any certificate (and, for the client, plain HTTP). */
  readonly verify: boolean;
  /** Extra CA roots (PEM), added to Node's bundled roots. */
  readonly ca?: readonly Buffer[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** A request body that can be sent again (for retries): bytes, or a stream factory. */
export type Body = Uint8Array | { readonly length: number; open(): Readable };

export interface TransportRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Body;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: IncomingMessage;
}

export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  close(): void;
}

/** Network-level failures worth retrying (the connection, not the answer). */
export function isNetworkError(err: unknown): boolean {
  const code = errnoCode(err);
  if (code && ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET'].includes(code)) return true;
  return err instanceof Error && /socket hang up|aborted|timed out/i.test(err.message);
}

/** TLS handshake failures: certificate problems, or HTTP spoken on the other end. */
export function isTlsError(err: unknown): boolean {
  const code = errnoCode(err) ?? '';
  return code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /CERT|SELF_SIGNED|UNABLE_TO|DEPTH_ZERO|EPROTO/.test(code) ||
    (err instanceof Error && /wrong version number|certificate|SSL routines/i.test(err.message));
}

const IDLE_TIMEOUT_MS = 120_000;

const require = createRequire(import.meta.url);

export function nodeTransport(tls: TlsSettings): Transport {
  const agentOpts = { keepAlive: true, maxSockets: 16 };
  const http = new HttpAgent(agentOpts);
  // node:https and node:tls load only for an https registry (a third of a short run's start-up)
  let https: { agent: HttpsAgentType; request: (url: URL, opts: RequestOptions, cb: (res: IncomingMessage) => void) => ClientRequest } | undefined;
  const secureStack = () => {
    if (!https) {
      const mod = require('node:https') as typeof import('node:https');
      const { rootCertificates } = require('node:tls') as typeof import('node:tls');
      https = {
        request: mod.request,
        agent: new mod.Agent({
          ...agentOpts,
          rejectUnauthorized: tls.verify,
          ...(tls.ca && tls.ca.length > 0 ? { ca: [...rootCertificates, ...tls.ca.map((c) => c.toString('utf8'))] } : {}),
          ...(tls.cert ? { cert: tls.cert } : {}),
          ...(tls.key ? { key: tls.key } : {}),
        }),
      };
    }
    return https;
  };
  return {
    request(req) {
      return new Promise<TransportResponse>((resolve, reject) => {
        const secure = req.url.protocol === 'https:';
        const stack = secure ? secureStack() : undefined;
        const send = stack ? stack.request : httpRequest;
        const headers: Record<string, string> = { 'user-agent': 'fexpod/0.1', ...req.headers };
        const body = req.body;
        if (body !== undefined) headers['content-length'] = String(body.length);
        const r = send(req.url, { method: req.method, headers, agent: stack ? stack.agent : http }, (res) => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        });
        r.setTimeout(IDLE_TIMEOUT_MS, () => r.destroy(Object.assign(new Error(`${req.method} ${req.url.host}: timed out`), { code: 'ETIMEDOUT' })));
        r.on('error', reject);
        if (body === undefined) r.end();
        else if (body instanceof Uint8Array) r.end(body);
        else {
          const stream = body.open();
          stream.on('error', (err) => r.destroy(err));
          stream.pipe(r);
        }
      });
    },
    close() {
      http.destroy();
      https?.agent.destroy();
    },
  };
}

/** Reads a response body up to limit bytes. */
export async function readAll(res: TransportResponse, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body) {
    const b = c as Buffer;
    n += b.length;
    if (n > limit) {
      res.body.destroy();
      throw new FexpodError(`${what}: the registry sent more than ${limit} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Throws the body away so the connection can be reused. */
export async function drain(res: TransportResponse): Promise<void> {
  try {
    for await (const _ of res.body) void _;
  } catch {
    /* a broken body: the socket is not reused anyway */
  }
}

export function header(res: TransportResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * skopeo's --cert-dir: every *.crt is a CA root, NAME.cert + NAME.key a client
 * certificate. Without --cert-dir, the per-registry directories Podman reads:
 * $XDG_CONFIG_HOME/containers/certs.d/HOST, /etc/containers/certs.d/HOST, /etc/docker/certs.d/HOST.
 */
export async function loadCertDir(dir: string): Promise<Pick<TlsSettings, 'ca' | 'cert' | 'key'>> {
  // small files, read in one synchronous call each (every push looks at three directories)
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return {};
    throw new FexpodError(`cannot read certificate directory ${dir}`, { cause: err, fix: 'check --cert-dir' });
  }
  const ca: Buffer[] = [];
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  for (const n of names) {
    if (n.endsWith('.crt')) ca.push(readFileSync(join(dir, n)));
    else if (n.endsWith('.cert')) {
      const keyName = `${n.slice(0, -'.cert'.length)}.key`;
      if (!names.includes(keyName)) throw new FexpodError(`${join(dir, n)} has no matching ${keyName}`, { fix: 'put the client key next to its certificate, or remove the certificate' });
      cert = readFileSync(join(dir, n));
      key = readFileSync(join(dir, keyName));
    }
  }
  return { ...(ca.length > 0 ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

export function defaultCertDirs(host: string, env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  const h = host.replace(/[[\]]/g, '');
  return [
    join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'containers', 'certs.d', h),
    join('/etc/containers/certs.d', h),
    join('/etc/docker/certs.d', h),
  ];
}
