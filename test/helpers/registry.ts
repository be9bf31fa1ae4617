/**
 * Debian's docker-registry (the CNCF distribution registry) started for a
 * test on loopback: an ephemeral port (addr 127.0.0.1:0, the port read from
 * its log), temp storage, its own config file; optionally htpasswd auth
 * behind TLS with a CA made here with openssl. And a proxy in front of it
 * that counts requests and injects faults (dropped connections mid-upload,
 * 500, 429), so tests can see what the client sends.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRegistry {
  /** host:port */
  readonly host: string;
  readonly dir: string;
  readonly storage: string;
  /** The CA certificate directory (for --cert-dir), when TLS is on. */
  readonly certDir?: string;
  readonly log: () => string;
  close(): Promise<void>;
}

export interface RegistryOptions {
  readonly auth?: { readonly user: string; readonly password: string };
  readonly tls?: boolean;
  /** distribution's token auth: a realm that signs JWTs with the certificate in certFile. */
  readonly token?: { readonly realm: string; readonly service: string; readonly issuer: string; readonly certFile: string };
}

function makeCa(dir: string): { certDir: string; cert: string; key: string } {
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=fexpod test CA']);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  o(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
  const certDir = join(dir, 'certs.d');
  mkdirSync(certDir);
  execFileSync('cp', [join(dir, 'ca.crt'), join(certDir, 'ca.crt')]);
  return { certDir, cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-registry-'));
  const storage = join(dir, 'storage');
  mkdirSync(storage);
  const lines = ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${storage}`, '  delete:', '    enabled: true', 'http:', '  addr: 127.0.0.1:0', '  secret: fexpod-test-secret'];
  let certDir: string | undefined;
  if (opts.tls) {
    const ca = makeCa(dir);
    certDir = ca.certDir;
    lines.push('  tls:', `    certificate: ${ca.cert}`, `    key: ${ca.key}`);
  }
  if (opts.auth) {
    const line = execFileSync('htpasswd', ['-nbB', opts.auth.user, opts.auth.password], { encoding: 'utf8' }).trim();
    writeFileSync(join(dir, 'htpasswd'), line + '\n');
    lines.push('auth:', '  htpasswd:', '    realm: fexpod-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  if (opts.token) {
    lines.push('auth:', '  token:', `    realm: ${opts.token.realm}`, `    service: ${opts.token.service}`, `    issuer: ${opts.token.issuer}`, `    rootcertbundle: ${opts.token.certFile}`);
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const host = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`docker-registry did not start:\n${out}`)), 20_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`docker-registry exited (${code}):\n${out}`)));
  });
  return {
    host,
    dir,
    storage,
    ...(certDir ? { certDir } : {}),
    log: () => out,
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** What the fault proxy does to one request (decided before it is forwarded). */
export type Fault = 'drop-mid-body' | 'forward-half-then-drop' | 'status-500' | 'status-429' | undefined;

export interface Proxy {
  readonly host: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A plain-HTTP proxy to `upstream` (host:port) that records every request and
 * lets `fault(method, path, n)` (n: how many requests of that method and path
 * kind came before) break some: a dropped connection after half the body
 * (nothing reaches the registry), the same after half the body did reach the
 * registry (which then holds a half-written upload), or an answer of 500 /
 * 429 (Retry-After: 0).
 */
export async function startProxy(upstream: string, fault: (method: string, path: string, n: number) => Fault = () => undefined): Promise<Proxy> {
  const requests: SeenRequest[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const kind = `${method} ${path.replace(/sha256:[a-f0-9]{64}/g, 'D').replace(/uploads\/[^/]+$/, 'uploads/U')}`;
    const n = counts.get(kind) ?? 0;
    counts.set(kind, n + 1);
    const f = fault(method, path, n);
    if (f === 'status-500' || f === 'status-429') {
      const status = f === 'status-500' ? 500 : 429;
      requests.push({ method, path, status });
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
        res.end('{"errors":[{"code":"UNAVAILABLE","message":"injected by the test proxy"}]}');
      });
      return;
    }
    if (f === 'drop-mid-body') {
      const half = Number(req.headers['content-length'] ?? '0') / 2;
      let got = 0;
      requests.push({ method, path, status: 0 });
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= half) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    if (f === 'forward-half-then-drop') {
      const half = Number(req.headers['content-length'] ?? '0') / 2;
      let sent = 0;
      requests.push({ method, path, status: 0 });
      const up = request({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method, path: req.url, headers: { ...req.headers, host: upstream } });
      up.on('error', () => undefined);
      up.on('response', (r) => r.resume());
      req.on('data', (c: Buffer) => {
        if (sent >= half) return;
        up.write(c);
        sent += c.length;
        if (sent >= half) {
          // let the registry take in what it got, then cut both connections
          setTimeout(() => {
            up.destroy();
            req.socket.destroy();
          }, 200);
        }
      });
      return;
    }
    const up = request({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method, path: req.url, headers: { ...req.headers, host: upstream } }, (ur) => {
      requests.push({ method, path, status: ur.statusCode ?? 0 });
      const headers = { ...ur.headers };
      // Locations name the registry's own address: send the client back through us
      if (typeof headers.location === 'string') headers.location = headers.location.replace(`//${upstream}`, `//${hostOf()}`);
      res.writeHead(ur.statusCode ?? 502, headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hostOf = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host: hostOf(),
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Requests that moved blob bytes to the registry (upload session starts and data). */
export function blobUploads(rs: readonly SeenRequest[]): SeenRequest[] {
  return rs.filter((r) => r.path.includes('/blobs/uploads/') && (r.method === 'POST' || r.method === 'PATCH' || r.method === 'PUT'));
}
