/**
 * Debian's docker-registry (the CNCF distribution registry) on loopback, with
 * its storage in a temp dir, behind a counting proxy: every response byte of
 * a blob request is counted, so a test can tell how much of a layer a puller
 * fetched (a zstd:chunked partial pull fetches ranges, not whole blobs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { type AddressInfo, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRegistry {
  /** host:port of the counting proxy (what podman and skopeo talk to). */
  readonly host: string;
  /** Blob bytes sent so far (GET /v2/…/blobs/…), and the requests. */
  blobBytes(): number;
  blobRequests(): number;
  reset(): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const r = request(url, (res) => { res.resume(); resolve(res.statusCode === 200); });
      r.on('error', () => resolve(false));
      r.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`registry did not start at ${url}`);
}

export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-registry-'));
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), [
    'version: 0.1',
    'log: {level: error}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}"}`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${port}/v2/`);
  let bytes = 0;
  let requests = 0;
  // a partial pull asks for hundreds of ranges in one Range header: allow large headers (Node's default is 16 KiB)
  const proxy: Server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    const blob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
    if (blob) requests++;
    const up = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.on('data', (c: Buffer) => { if (blob) bytes += c.length; });
      ur.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return {
    host,
    blobBytes: () => bytes,
    blobRequests: () => requests,
    reset: () => { bytes = 0; requests = 0; },
    close: async () => {
      await new Promise<void>((r) => proxy.close(() => r()));
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A private Podman store with partial pulls enabled (CONTAINERS_STORAGE_CONF: nothing global changes). */
export function partialPullStore(): { env: NodeJS.ProcessEnv; dir: string; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-store-'));
  writeFileSync(join(dir, 'storage.conf'), [
    '[storage]',
    'driver = "overlay"',
    `runroot = "${join(dir, 'run')}"`,
    `graphroot = "${join(dir, 'graph')}"`,
    '[storage.options]',
    'pull_options = {enable_partial_images = "true", use_hard_links = "false", ostree_repos = ""}',
    '',
  ].join('\n'));
  const env = { ...process.env, CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf') };
  return {
    env,
    dir,
    // images out, the store's own mounts (overlay keeps its home mounted private) undone, files gone
    close: () => {
      spawnSync('podman', ['rmi', '-a', '-f'], { env, stdio: 'ignore' });
      for (const line of readFileSync('/proc/mounts', 'utf8').split('\n').reverse()) {
        const mnt = line.split(' ')[1];
        if (mnt?.startsWith(dir)) spawnSync('umount', ['-l', mnt], { stdio: 'ignore' });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
