/**
 * Registry credentials from the files Podman, Skopeo and Docker write, in the
 * order containers-auth.json(5) reads them (containers/image
 * pkg/docker/config): $REGISTRY_AUTH_FILE (or --authfile), else
 * $XDG_RUNTIME_DIR/containers/auth.json (/run/containers/UID/auth.json without
 * it); then $XDG_CONFIG_HOME/containers/auth.json (~/.config/…); then
 * Docker's $DOCKER_CONFIG/config.json (~/.docker/config.json); then the legacy
 * ~/.dockercfg. The first file with credentials for the reference wins.
 *
 * Inside a file the most specific key wins: "reg/ns/repo", "reg/ns", "reg",
 * then keys written with a scheme or a /v1/ suffix ("https://index.docker.io/v1/").
 * A credential helper named in the file ("credHelpers", "credsStore") is asked
 * through deps.helper. Secrets never leave this module except in the
 * Credentials value; nothing here logs.
 */
import { join } from 'node:path';
import { ConfigError } from '../common/errors.js';
import type { ImageReference } from './reference.js';

export interface Credentials {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token ("identitytoken"), exchanged at the token realm. */
  readonly identityToken?: string;
  /** Where they came from: a file path or "credential helper NAME". Safe to print. */
  readonly source: string;
}

export interface AuthFileDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly uid: number;
  /** File text, or undefined when it does not exist. */
  readonly readFile: (path: string) => Promise<string | undefined>;
  /** Runs docker-credential-NAME get for serverUrl; undefined when it has nothing. */
  readonly helper?: (name: string, serverUrl: string) => Promise<{ username: string; secret: string } | undefined>;
}

export interface CredentialLookup {
  readonly credentials?: Credentials;
  /** Every file consulted, in order (for error messages). */
  readonly consulted: readonly string[];
}

interface AuthPath {
  readonly path: string;
  readonly legacy: boolean;
}

/** The files to read, in containers/image's order. `explicit` is --authfile. */
export function authFilePaths(deps: Pick<AuthFileDeps, 'env' | 'home' | 'uid'>, explicit?: string): AuthPath[] {
  const { env, home } = deps;
  const paths: AuthPath[] = [];
  const first = explicit ?? env['REGISTRY_AUTH_FILE'];
  if (first) paths.push({ path: first, legacy: false });
  else if (env['XDG_RUNTIME_DIR']) paths.push({ path: join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json'), legacy: false });
  else paths.push({ path: `/run/containers/${deps.uid}/auth.json`, legacy: false });
  paths.push({ path: join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'containers', 'auth.json'), legacy: false });
  paths.push({ path: env['DOCKER_CONFIG'] ? join(env['DOCKER_CONFIG'], 'config.json') : join(home, '.docker', 'config.json'), legacy: false });
  paths.push({ path: join(home, '.dockercfg'), legacy: true });
  return paths;
}

/** "https://index.docker.io/v1/" → "docker.io"; "http://reg:5000/" → "reg:5000". */
export function normalizeAuthKey(key: string): string {
  let k = key.replace(/^https?:\/\//, '');
  k = k.replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return 'docker.io';
  return k;
}

/** Keys to try for a reference, most specific first: reg/a/b, reg/a, reg. */
export function authKeys(ref: Pick<ImageReference, 'registry' | 'repository'>): string[] {
  const parts = ref.repository.split('/');
  const keys: string[] = [];
  for (let n = parts.length; n >= 1; n--) keys.push(`${ref.registry}/${parts.slice(0, n).join('/')}`);
  keys.push(ref.registry);
  return keys;
}

interface AuthEntry {
  readonly auth?: string;
  readonly identitytoken?: string;
}

interface ParsedFile {
  readonly auths: Map<string, AuthEntry>;
  readonly credHelpers: Map<string, string>;
  readonly credsStore?: string;
}

function parseAuthFile(path: string, text: string, legacy: boolean): ParsedFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, '', 'is not valid JSON', 'fix the file or log in again (podman login REGISTRY rewrites it)', err);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(path, '', 'must be a JSON object', 'log in again (podman login REGISTRY rewrites it)');
  }
  const obj = raw as Record<string, unknown>;
  const entries = legacy ? obj : obj['auths'] ?? {};
  const auths = new Map<string, AuthEntry>();
  if (entries !== null && typeof entries === 'object' && !Array.isArray(entries)) {
    for (const [key, v] of Object.entries(entries)) {
      if (v === null || typeof v !== 'object') continue;
      const e = v as Record<string, unknown>;
      const entry: AuthEntry = {
        ...(typeof e['auth'] === 'string' && e['auth'] !== '' ? { auth: e['auth'] } : {}),
        ...(typeof e['identitytoken'] === 'string' && e['identitytoken'] !== '' ? { identitytoken: e['identitytoken'] } : {}),
      };
      // exact keys first; a normalized key does not replace an exact one
      if (!auths.has(key)) auths.set(key, entry);
      const norm = normalizeAuthKey(key);
      if (!auths.has(norm)) auths.set(norm, entry);
    }
  }
  const credHelpers = new Map<string, string>();
  const ch = obj['credHelpers'];
  if (!legacy && ch !== null && typeof ch === 'object' && !Array.isArray(ch)) {
    for (const [k, v] of Object.entries(ch)) if (typeof v === 'string') credHelpers.set(normalizeAuthKey(k), v);
  }
  const store = obj['credsStore'];
  return { auths, credHelpers, ...(!legacy && typeof store === 'string' && store !== '' ? { credsStore: store } : {}) };
}

function decodeAuth(path: string, key: string, entry: AuthEntry): Credentials | undefined {
  if (entry.identitytoken) return { identityToken: entry.identitytoken, source: path };
  if (!entry.auth) return undefined;
  const text = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) {
    // never quote the value: it is a secret
    throw new ConfigError(path, `auths.${key}.auth`, 'is not base64 of "user:password"', `log in again: podman login ${key}`);
  }
  return { username: text.slice(0, colon), password: text.slice(colon + 1), source: path };
}

/** Finds credentials for a reference; `consulted` lists the files read, for error messages. */
export async function findCredentials(ref: Pick<ImageReference, 'registry' | 'repository'>, deps: AuthFileDeps, explicit?: string): Promise<CredentialLookup> {
  const consulted: string[] = [];
  const keys = authKeys(ref);
  for (const p of authFilePaths(deps, explicit)) {
    const text = await deps.readFile(p.path);
    if (text === undefined) continue;
    consulted.push(p.path);
    const file = parseAuthFile(p.path, text, p.legacy);
    const helperName = file.credHelpers.get(ref.registry) ?? file.credsStore;
    for (const key of keys) {
      const entry = file.auths.get(key);
      if (!entry) continue;
      const creds = decodeAuth(p.path, key, entry);
      if (creds) return { credentials: creds, consulted };
    }
    if (helperName && deps.helper) {
      const serverUrl = ref.registry === 'docker.io' ? 'https://index.docker.io/v1/' : ref.registry;
      const got = await deps.helper(helperName, serverUrl);
      if (got) {
        const source = `credential helper docker-credential-${helperName} (named in ${p.path})`;
        return got.username === '<token>'
          ? { credentials: { identityToken: got.secret, source }, consulted }
          : { credentials: { username: got.username, password: got.secret, source }, consulted };
      }
    }
  }
  return { consulted };
}
