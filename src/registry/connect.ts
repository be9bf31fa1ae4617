/**
 * Wires a RegistryClient for one registry from the command-line settings:
 * TLS (--tls-verify, --cert-dir, else Podman's certs.d directories for the
 * host), credentials (--authfile, else the containers/Docker auth files),
 * the clock, sleep and randomness. The CLI edge builds one of these; tests
 * build clients with their own transport and clock.
 */
import { readFileSync } from 'node:fs';
import { errnoCode, FexpodError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { AuthFileDeps } from './auth-file.js';
import { apiHost, type ImageReference } from './reference.js';
import { RegistryClient } from './registry-client.js';
import { defaultCertDirs, loadCertDir, nodeTransport, type TlsSettings } from './transport.js';
import type { RetryPolicy } from './retry.js';

export interface RegistrySettings {
  /** Verify TLS certificates and refuse plain HTTP (default true). */
  readonly tlsVerify: boolean;
  /** skopeo's --cert-dir: *.crt CA roots, *.cert + *.key client certificate. */
  readonly certDir?: string;
  /** --authfile: read this auth.json first (instead of $REGISTRY_AUTH_FILE / $XDG_RUNTIME_DIR). */
  readonly authFile?: string;
  readonly retry?: RetryPolicy;
}

export interface ConnectDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly uid: number;
  readonly log: Logger;
  readonly now: () => number;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return readFileSync(path, 'utf8'); // a small file: one call, no thread-pool round trips
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new FexpodError(`cannot read auth file ${path}: ${code ?? String(err)}`, { cause: err, fix: 'make it readable, or point --authfile elsewhere' });
  }
}

/** docker-credential-NAME get: the server URL on stdin, {Username, Secret} on stdout. */
async function credentialHelper(name: string, serverUrl: string): Promise<{ username: string; secret: string } | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return undefined;
  const { execFile } = await import('node:child_process'); // helpers are rare: not loaded for every push
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${name}`, ['get'], { timeout: 30_000 }, (err, stdout) => {
      if (err) return resolve(undefined); // not installed, or no entry: like containers/image, go on
      try {
        const j = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
        if (typeof j.Username === 'string' && typeof j.Secret === 'string' && j.Secret !== '') resolve({ username: j.Username, secret: j.Secret });
        else resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(serverUrl);
  });
}

async function tlsFor(host: string, s: RegistrySettings, deps: ConnectDeps): Promise<TlsSettings> {
  if (s.certDir) return { verify: s.tlsVerify, ...(await loadCertDir(s.certDir)) };
  for (const dir of defaultCertDirs(host, deps.env, deps.home)) {
    const got = await loadCertDir(dir);
    if (got.ca || got.cert) return { verify: s.tlsVerify, ...got };
  }
  return { verify: s.tlsVerify };
}

/** A client for the registry of `ref`. Call client.close() (transport) when done. */
export async function connectRegistry(ref: ImageReference, settings: RegistrySettings, deps: ConnectDeps): Promise<RegistryClient & { close(): void }> {
  const host = apiHost(ref);
  const transport = nodeTransport(await tlsFor(host, settings, deps));
  const fileDeps: AuthFileDeps = { env: deps.env, home: deps.home, uid: deps.uid, readFile: readIfExists, helper: credentialHelper };
  const client = new RegistryClient(ref.registry, host, {
    transport,
    // the auth files are read (and their reader loaded) only when the registry asks for credentials
    credentials: async () => (await import('./auth-file.js')).findCredentials(ref, fileDeps, settings.authFile),
    log: deps.log,
    now: deps.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
    tlsVerify: settings.tlsVerify,
    ...(settings.retry ? { retry: settings.retry } : {}),
  });
  return Object.assign(client, { close: () => transport.close() });
}
