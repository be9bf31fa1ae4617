/**
 * One registry, spoken to with the OCI distribution API: the /v2/ ping that
 * picks the scheme and learns the auth challenge, then blobs (HEAD, GET,
 * cross-repository mount), manifests (PUT as the exact bytes, GET verified by
 * digest), tags and the referrers API. Every request goes through send():
 * auth header for the request's scopes, one re-authentication on 401,
 * retries with backoff on network errors, 408/429/5xx (Retry-After honoured),
 * redirects for GET/HEAD (credentials dropped when the host changes).
 *
 * Blob uploads (monolithic, chunked, resumable) are in blob-upload.ts.
 */
import type { Logger } from '../common/log.js';
import { FexpodError, errnoCode } from '../common/errors.js';
import { Authenticator, AuthError } from './auth.js';
import type { CredentialLookup } from './auth-file.js';
import { sha256Digest } from '../common/hash.js';
import { ACCEPT_MANIFESTS } from './oci.js';
import { DEFAULT_RETRY, isRetryableStatus, retryDelay, type RetryPolicy } from './retry.js';
import { drain, header, isNetworkError, isTlsError, readAll, type Body, type Transport, type TransportResponse } from './transport.js';

export interface ClientDeps {
  readonly transport: Transport;
  readonly credentials: () => Promise<CredentialLookup>;
  readonly log: Logger;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /** false: plain HTTP is tried when HTTPS fails (skopeo's --tls-verify=false). */
  readonly tlsVerify: boolean;
  readonly retry?: RetryPolicy;
}

export class RegistryError extends FexpodError {
  constructor(message: string, readonly status: number, readonly code: string | undefined, fix?: string) {
    super(message, fix === undefined ? {} : { fix });
  }
}

export interface SendRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path under the registry ("/v2/…") or an absolute URL (upload locations). */
  readonly target: string;
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Body;
  /** Retry on network errors and retryable statuses (off for non-idempotent upload steps). */
  readonly retry?: boolean;
  readonly what: string;
}

/** A response, with the URL it finally came from (relative Locations resolve against it). */
export type SentResponse = TransportResponse & { readonly url: URL };

export interface ManifestGot {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: string;
}

const MAX_MANIFEST = 8 << 20;

/** Scope strings for the token service. */
export const pullScope = (repo: string) => `repository:${repo}:pull`;
export const pushScope = (repo: string) => `repository:${repo}:pull,push`;

/** 127.0.0.0/8, ::1 or localhost, with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** A URL for logs: no query (upload state, signed storage URLs). */
export function logUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export class RegistryClient {
  readonly auth: Authenticator;
  private base: URL | undefined;
  private readonly policy: RetryPolicy;

  get log(): Logger {
    return this.deps.log;
  }

  constructor(readonly registry: string, readonly host: string, private readonly deps: ClientDeps) {
    this.auth = new Authenticator(registry, { transport: deps.transport, credentials: deps.credentials, now: deps.now });
    this.policy = deps.retry ?? DEFAULT_RETRY;
  }

  /**
   * GET /v2/: the scheme (https, or http with --tls-verify=false) and the auth challenge.
   * With --tls-verify=false HTTPS is tried first, as skopeo does, except on a loopback
   * address: there both schemes reach the same port and nothing leaves the host, so
   * plain HTTP goes first (a TLS port answers it with an error or a reset, and HTTPS
   * follows) and a plain-HTTP registry costs no TLS handshake. The ping carries no credentials.
   */
  async ping(): Promise<URL> {
    if (!this.base) await this.discover();
    if (!this.base) throw new FexpodError(`registry ${this.registry}: no scheme found`); // discover() sets it or throws
    return this.base;
  }

  /**
   * ping()'s work, or the same done with `first`, the client's first request (a GET
   * or HEAD under /v2/, sent without credentials): its answer saves the ping's round
   * trip when it shows a registry, that is 401 (the challenge: send() repeats the
   * request with credentials) or 200/404 with distribution's API version header (the
   * answer is returned, standing for the request). Any other answer to `first` leads
   * to the plain ping, whose errors say more.
   */
  private async discover(first?: SendRequest): Promise<SentResponse | undefined> {
    const schemes = this.deps.tlsVerify ? ['https'] : isLoopbackHost(this.host) ? ['http', 'https'] : ['https', 'http'];
    let lastErr: unknown;
    for (const [i, scheme] of schemes.entries()) {
      const another = i + 1 < schemes.length; // a scheme left to try
      const url = new URL(`${scheme}://${this.host}${first ? first.target : '/v2/'}`);
      for (let attempt = 0; attempt < this.policy.attempts; attempt++) {
        let res: TransportResponse;
        try {
          res = await this.deps.transport.request({ method: first?.method ?? 'GET', url, ...(first?.headers ? { headers: first.headers } : {}) });
        } catch (err) {
          lastErr = err;
          // try the other scheme (plain HTTP to a TLS port may also end in a parse error)
          if (another && (scheme === 'http' || isTlsError(err) || isNetworkError(err))) break;
          // nothing listening: one more try (a registry restarting), not the whole backoff
          const refused = errnoCode(err) === 'ECONNREFUSED' && attempt >= 1;
          if (isNetworkError(err) && !refused && attempt + 1 < this.policy.attempts) {
            await this.deps.sleep(retryDelay(this.policy, attempt, undefined, this.deps.now(), this.deps.random()));
            continue;
          }
          throw this.connectError(err);
        }
        const registry = first
          ? res.status === 401 || ((res.status === 200 || res.status === 404) && header(res, 'docker-distribution-api-version') !== undefined)
          : res.status === 200 || res.status === 401;
        if (registry) {
          this.auth.setChallenge(header(res, 'www-authenticate'));
          this.base = new URL(`${scheme}://${this.host}`);
          this.deps.log.debug(`registry ${this.registry}: ${scheme}, auth ${this.auth.scheme}`);
          if (!first || res.status === 401) {
            await drain(res);
            return undefined;
          }
          this.deps.log.debug(`${first.method} ${logUrl(url)} → ${res.status}`);
          return Object.assign(res, { url });
        }
        await drain(res);
        const notOci = new RegistryError(`${this.registry} is not an OCI registry (GET /v2/ answered HTTP ${res.status})`, res.status, undefined, 'check the registry host and port in the reference');
        // plain HTTP to a TLS port (Go answers 400): HTTPS next
        if (another && scheme === 'http' && res.status === 400) {
          lastErr = notOci;
          break;
        }
        if (first) return this.discover(); // an answer that shows no registry: the plain ping decides
        if (isRetryableStatus(res.status) && attempt + 1 < this.policy.attempts) {
          await this.deps.sleep(retryDelay(this.policy, attempt, header(res, 'retry-after'), this.deps.now(), this.deps.random()));
          continue;
        }
        throw notOci;
      }
    }
    throw lastErr instanceof RegistryError ? lastErr : this.connectError(lastErr);
  }

  private connectError(err: unknown): FexpodError {
    const msg = err instanceof Error ? err.message : String(err);
    if (isTlsError(err)) {
      return new FexpodError(`cannot reach registry ${this.registry} over TLS: ${msg}`, {
        cause: err,
        fix: this.deps.tlsVerify
          ? `give the registry's CA with --cert-dir DIR (a directory of *.crt files), or put it in /etc/containers/certs.d/${this.host}/; for a plain-HTTP or self-signed test registry use --tls-verify=false`
          : 'check the registry address',
      });
    }
    return new FexpodError(`cannot reach registry ${this.registry}: ${msg}`, { cause: err, fix: 'check the registry host and port, and that it is running' });
  }

  /** One request with auth, retries and redirects. The caller reads or drains the body. */
  async send(req: SendRequest): Promise<SentResponse> {
    if (!this.base && (req.method === 'GET' || req.method === 'HEAD') && req.target.startsWith('/v2/') && req.body === undefined) {
      const answered = await this.discover(req); // the first request stands for the ping
      if (answered) return answered;
    }
    const base = await this.ping();
    let url = req.target.startsWith('/') ? new URL(req.target, base) : new URL(req.target);
    let reauthed = false;
    let redirects = 0;
    const retry = req.retry ?? true;
    for (let attempt = 0; ; ) {
      const sameHost = url.host === base.host;
      const auth = sameHost ? await this.auth.header(req.scopes) : undefined;
      const headers = { ...req.headers, ...(auth ? { authorization: auth } : {}) };
      let res: TransportResponse;
      try {
        res = await this.deps.transport.request({ method: req.method, url, headers, ...(req.body !== undefined ? { body: req.body } : {}) });
      } catch (err) {
        if (retry && isNetworkError(err) && attempt + 1 < this.policy.attempts) {
          this.deps.log.debug(`${req.method} ${logUrl(url)}: ${err instanceof Error ? err.message : String(err)}; retrying`);
          await this.deps.sleep(retryDelay(this.policy, attempt++, undefined, this.deps.now(), this.deps.random()));
          continue;
        }
        throw new FexpodError(`${req.what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      this.deps.log.debug(`${req.method} ${logUrl(url)} → ${res.status}`);
      if (res.status === 401 && sameHost) {
        await drain(res);
        this.auth.setChallenge(header(res, 'www-authenticate'));
        this.auth.invalidate();
        if (!reauthed && this.auth.scheme !== 'none') {
          reauthed = true;
          continue;
        }
        throw await this.auth.denied(req.what, 401);
      }
      if (retry && isRetryableStatus(res.status) && attempt + 1 < this.policy.attempts) {
        await drain(res);
        const wait = retryDelay(this.policy, attempt++, header(res, 'retry-after'), this.deps.now(), this.deps.random());
        this.deps.log.debug(`${req.method} ${logUrl(url)}: HTTP ${res.status}; retrying in ${wait} ms`);
        await this.deps.sleep(wait);
        continue;
      }
      if ((req.method === 'GET' || req.method === 'HEAD') && [301, 302, 303, 307, 308].includes(res.status) && redirects < 5) {
        const loc = header(res, 'location');
        await drain(res);
        if (!loc) throw new RegistryError(`${req.what}: redirect without a Location`, res.status, undefined);
        url = new URL(loc, url);
        redirects++;
        continue;
      }
      return Object.assign(res, { url });
    }
  }

  /** Turns an unexpected answer into a RegistryError with the registry's own error code. */
  async fail(res: TransportResponse, what: string): Promise<never> {
    let code: string | undefined;
    let detail = '';
    try {
      const text = (await readAll(res, 1 << 20, what)).toString('utf8');
      const j = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      const e = j.errors?.[0];
      if (e) {
        code = e.code;
        detail = `: ${e.code ?? ''}${e.message ? ` ${e.message}` : ''}`;
      }
    } catch {
      /* not a JSON error body */
    }
    if (res.status === 403 || code === 'DENIED') {
      const d = await this.auth.describe();
      throw new AuthError(`${what}: registry ${this.registry} denied access${detail} (HTTP ${res.status})${d.username ? ` for user "${d.username}" (credentials from ${d.source ?? '?'})` : ''}`, {
        fix: 'check that this account may push to (or pull from) the repository',
      });
    }
    throw new RegistryError(`${what}: registry ${this.registry} answered HTTP ${res.status}${detail}`, res.status, code);
  }

  /** HEAD a blob: its size when the repository has it, undefined when not. */
  async blobSize(repo: string, digest: string, scopes = [pullScope(repo)]): Promise<number | undefined> {
    const what = `checking blob ${digest.slice(0, 19)} in ${repo}`;
    const res = await this.send({ method: 'HEAD', target: `/v2/${repo}/blobs/${digest}`, scopes, what });
    await drain(res);
    if (res.status === 200) return Number(header(res, 'content-length') ?? '0');
    if (res.status === 404) return undefined;
    return this.fail(res, what);
  }

  /** GET a blob (the caller verifies it); `from` resumes a partial download with a Range request. */
  async blob(repo: string, digest: string, from = 0): Promise<TransportResponse> {
    const what = `downloading blob ${digest.slice(0, 19)} from ${repo}`;
    const res = await this.send({ method: 'GET', target: `/v2/${repo}/blobs/${digest}`, scopes: [pullScope(repo)], what, ...(from > 0 ? { headers: { range: `bytes=${from}-` } } : {}) });
    if (res.status === 200 || res.status === 206) return res;
    return this.fail(res, what);
  }

  /**
   * Pushes manifest bytes exactly as given; returns our digest (checked against the
   * registry's) and the OCI-Subject header a registry with the referrers API sends.
   */
  async putManifest(repo: string, reference: string, mediaType: string, bytes: Uint8Array): Promise<{ digest: string; subject?: string }> {
    const digest = sha256Digest(bytes);
    const what = `pushing manifest ${reference.length > 40 ? reference.slice(0, 19) : reference} to ${repo}`;
    const res = await this.send({ method: 'PUT', target: `/v2/${repo}/manifests/${reference}`, scopes: [pushScope(repo)], headers: { 'content-type': mediaType }, body: bytes, what });
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) return this.fail(res, what);
    await drain(res);
    const got = header(res, 'docker-content-digest');
    if (got && got !== digest) throw new RegistryError(`${what}: the registry stored digest ${got}, but the bytes sent hash to ${digest}`, res.status, undefined);
    const subject = header(res, 'oci-subject');
    return { digest, ...(subject ? { subject } : {}) };
  }

  /** HEAD a manifest: its digest and media type, or undefined when the reference does not exist. */
  async manifestHead(repo: string, reference: string, scopes = [pullScope(repo)]): Promise<{ digest: string; mediaType: string } | undefined> {
    const what = `checking manifest ${reference} in ${repo}`;
    const res = await this.send({ method: 'HEAD', target: `/v2/${repo}/manifests/${reference}`, scopes, headers: { accept: ACCEPT_MANIFESTS }, what });
    await drain(res);
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.fail(res, what);
    return { digest: header(res, 'docker-content-digest') ?? '', mediaType: header(res, 'content-type') ?? '' };
  }

  /** GET a manifest; verified against the digest asked for (or the one the registry states). */
  async manifest(repo: string, reference: string, accept = ACCEPT_MANIFESTS): Promise<ManifestGot | undefined> {
    const what = `fetching manifest ${reference} from ${repo}`;
    const res = await this.send({ method: 'GET', target: `/v2/${repo}/manifests/${reference}`, scopes: [pullScope(repo)], headers: { accept }, what });
    if (res.status === 404) {
      await drain(res);
      return undefined;
    }
    if (res.status !== 200) return this.fail(res, what);
    const bytes = await readAll(res, MAX_MANIFEST, what);
    const digest = sha256Digest(bytes);
    const expected = reference.includes(':') ? reference : header(res, 'docker-content-digest');
    if (expected && expected.startsWith('sha256:') && expected !== digest) {
      throw new RegistryError(`${what}: the manifest's bytes hash to ${digest}, not ${expected}`, res.status, undefined, 'the registry (or something between) altered the manifest; try again or report it');
    }
    return { bytes, mediaType: (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '', digest };
  }

  /**
   * The referrers API (distribution-spec 1.1): the index of manifests whose
   * subject is `digest`, or undefined when the registry has no such API (404).
   */
  async referrers(repo: string, digest: string): Promise<Buffer | undefined> {
    const what = `listing referrers of ${digest.slice(0, 19)} in ${repo}`;
    const res = await this.send({ method: 'GET', target: `/v2/${repo}/referrers/${digest}`, scopes: [pullScope(repo)], headers: { accept: 'application/vnd.oci.image.index.v1+json' }, what });
    if (res.status === 404 || res.status === 405 || res.status === 400) {
      await drain(res);
      return undefined;
    }
    if (res.status !== 200) return this.fail(res, what);
    const ct = header(res, 'content-type') ?? '';
    const bytes = await readAll(res, MAX_MANIFEST, what);
    // a registry without the API may answer some other document; only an index counts
    return ct.startsWith('application/vnd.oci.image.index.v1+json') ? bytes : undefined;
  }

  async tags(repo: string): Promise<string[]> {
    const what = `listing tags of ${repo}`;
    const res = await this.send({ method: 'GET', target: `/v2/${repo}/tags/list`, scopes: [pullScope(repo)], what });
    if (res.status === 404) {
      await drain(res);
      return [];
    }
    if (res.status !== 200) return this.fail(res, what);
    const j = JSON.parse((await readAll(res, MAX_MANIFEST, what)).toString('utf8')) as { tags?: unknown };
    return Array.isArray(j.tags) ? j.tags.filter((t): t is string => typeof t === 'string') : [];
  }
}
