/**
 * Registry authentication (distribution's token spec): the registry answers
 * 401 with `WWW-Authenticate: Basic realm=…` or `Bearer realm=…,service=…,
 * scope=…`. Basic sends the credentials with every request; Bearer exchanges
 * them (or nothing, anonymously) at the realm for a token scoped to
 * "repository:NAME:pull,push", cached per scope set until it expires
 * (expires_in, 60 s by default) and fetched again on a 401.
 *
 * Secrets (password, identity token, bearer token) live only in this object
 * and in request headers; no message built here contains them.
 */
import { FexpodError } from '../common/errors.js';
import type { CredentialLookup, Credentials } from './auth-file.js';
import { readAll, type Transport } from './transport.js';

export interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

/** Parses a WWW-Authenticate header (one or more challenges, quoted or bare values). */
export function parseChallenges(h: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skip = () => {
    while (i < h.length && /[\s,]/.test(h[i] ?? '')) i++;
  };
  const token = (): string | undefined => {
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(h.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  while (i < h.length) {
    skip();
    const scheme = token();
    if (!scheme) break;
    const params: Record<string, string> = {};
    for (;;) {
      const save = i;
      skip();
      const key = token();
      let j = i;
      while (h[j] === ' ') j++;
      if (!key || h[j] !== '=') {
        i = save; // the next challenge's scheme (or the end)
        break;
      }
      i = j + 1;
      while (h[i] === ' ') i++;
      let value = '';
      if (h[i] === '"') {
        i++;
        while (i < h.length && h[i] !== '"') {
          if (h[i] === '\\') i++;
          value += h[i] ?? '';
          i++;
        }
        i++;
      } else {
        const m = /^[^\s,]*/.exec(h.slice(i));
        value = m?.[0] ?? '';
        i += value.length;
      }
      params[key.toLowerCase()] = value;
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out.filter((c): c is Challenge => c.scheme === 'basic' || c.scheme === 'bearer');
}

export class AuthError extends FexpodError {}

export interface AuthDeps {
  readonly transport: Transport;
  /** Reads the auth files (once, lazily). */
  readonly credentials: () => Promise<CredentialLookup>;
  /** Milliseconds since the epoch (token expiry). */
  readonly now: () => number;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Refresh this long before the stated expiry (clock skew, slow requests). */
const EXPIRY_MARGIN_MS = 5_000;

export class Authenticator {
  private challenge: Challenge | undefined;
  private lookup: CredentialLookup | undefined;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly registry: string, private readonly deps: AuthDeps) {}

  /** Records the registry's challenge (from GET /v2/ or any 401). */
  setChallenge(headerValue: string | undefined): void {
    if (!headerValue) return;
    const cs = parseChallenges(headerValue);
    this.challenge = cs.find((c) => c.scheme === 'bearer') ?? cs[0] ?? this.challenge;
  }

  get scheme(): 'basic' | 'bearer' | 'none' {
    return this.challenge?.scheme ?? 'none';
  }

  /** Where credentials came from, and which files were read (for messages; never secrets). */
  async describe(): Promise<{ source?: string; username?: string; consulted: readonly string[] }> {
    const l = await this.creds();
    return { ...(l.credentials?.source ? { source: l.credentials.source } : {}), ...(l.credentials?.username ? { username: l.credentials.username } : {}), consulted: l.consulted };
  }

  /** The Authorization header for a request needing `scopes`, if any. */
  async header(scopes: readonly string[]): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') {
      const cred = (await this.creds()).credentials;
      if (!cred?.username) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64')}`;
    }
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.deps.now()) return `Bearer ${cached.token}`;
    const t = await this.fetchToken(c, scopes);
    this.tokens.set(key, t);
    return `Bearer ${t.token}`;
  }

  /** After a 401: forget cached tokens so the next header() asks again. */
  invalidate(): void {
    this.tokens.clear();
  }

  private async creds(): Promise<CredentialLookup> {
    this.lookup ??= await this.deps.credentials();
    return this.lookup;
  }

  private async fetchToken(c: Challenge, scopes: readonly string[]): Promise<CachedToken> {
    const realm = c.params['realm'];
    if (!realm) throw new AuthError(`registry ${this.registry} asked for a bearer token but named no realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthError(`registry ${this.registry} named an invalid token realm`);
    }
    const cred: Credentials | undefined = (await this.creds()).credentials;
    const service = c.params['service'];
    const started = this.deps.now();
    let res;
    if (cred?.identityToken) {
      // OAuth2 refresh-token grant (docker login with an identity token)
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: cred.identityToken, client_id: 'fexpod', ...(service ? { service } : {}) });
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      res = await this.deps.transport.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (cred?.username) headers['authorization'] = `Basic ${Buffer.from(`${cred.username}:${cred.password ?? ''}`).toString('base64')}`;
      res = await this.deps.transport.request({ method: 'GET', url, headers });
    }
    const body = await readAll(res, 1 << 20, 'token response');
    if (res.status === 401 || res.status === 403) {
      throw await this.denied(`the token service ${url.host} refused`, res.status);
    }
    if (res.status !== 200) throw new AuthError(`token service ${url.host} for ${this.registry} answered HTTP ${res.status}`);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new AuthError(`token service ${url.host} for ${this.registry} sent a response that is not JSON`);
    }
    const token = typeof parsed['token'] === 'string' ? parsed['token'] : typeof parsed['access_token'] === 'string' ? parsed['access_token'] : undefined;
    if (!token) throw new AuthError(`token service ${url.host} for ${this.registry} sent no token`);
    const expiresIn = typeof parsed['expires_in'] === 'number' && parsed['expires_in'] > 0 ? parsed['expires_in'] : 60;
    return { token, expiresAt: started + expiresIn * 1000 };
  }

  /** The error for refused or missing credentials: registry, user, files consulted; no secret. */
  async denied(what: string, status: number): Promise<AuthError> {
    const d = await this.describe();
    const login = `podman login ${this.registry}`;
    if (!d.source) {
      const files = d.consulted.length > 0 ? d.consulted.join(', ') : 'none of the auth files exists';
      return new AuthError(`${what}: registry ${this.registry} requires authentication (HTTP ${status}) and no credentials for it were found (auth files consulted: ${files})`, {
        fix: `log in with "${login}" (writes $XDG_RUNTIME_DIR/containers/auth.json), or point --authfile / REGISTRY_AUTH_FILE at an auth.json with an entry for ${this.registry}`,
      });
    }
    return new AuthError(`${what}: registry ${this.registry} rejected the credentials${d.username ? ` of user "${d.username}"` : ''} from ${d.source} (HTTP ${status})`, {
      fix: `check the user name and password and log in again with "${login}", or point --authfile / REGISTRY_AUTH_FILE at the right auth.json`,
    });
  }
}
