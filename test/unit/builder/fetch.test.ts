import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobCache, defaultCacheDir } from '../../../src/builder/fetch/cache.js';
import { fetchBlob, FetchError } from '../../../src/builder/fetch/fetch-blob.js';
import { redactUrl, type HttpClient, type HttpResponse } from '../../../src/builder/fetch/http.js';

const DATA = Buffer.from('x'.repeat(5000) + 'y'.repeat(5000));
const DIGEST = { alg: 'sha256' as const, hex: createHash('sha256').update(DATA).digest('hex') };

type Behaviour = 'ok' | '404' | '500' | 'truncate' | 'corrupt' | 'norange' | '416';
function fakeHttp(byHost: Record<string, Behaviour>, log: { url: string; from: number }[]): HttpClient {
  return {
    async get(url, o = {}): Promise<HttpResponse> {
      const host = new URL(url).hostname;
      const b = byHost[host] ?? 'ok';
      const from = o.from ?? 0;
      log.push({ url, from });
      const body = (chunks: Buffer[], fail = false) =>
        (async function* () {
          for (const c of chunks) yield new Uint8Array(c);
          if (fail) throw new Error('socket hang up');
        })();
      if (b === '416' && from >= DATA.length) return { status: 416, header: () => undefined, body: body([]), cancel: async () => {} };
      if (b === '404') return { status: 404, header: () => undefined, body: body([]), cancel: async () => {} };
      if (b === '500') return { status: 500, header: () => undefined, body: body([]), cancel: async () => {} };
      const useRange = from > 0 && b !== 'norange';
      let slice = DATA.subarray(useRange ? from : 0);
      if (b === 'corrupt') {
        slice = Buffer.from(slice);
        slice[10] = slice[10]! ^ 1;
      }
      const headers: Record<string, string> = useRange ? { 'content-range': `bytes ${from}-${DATA.length - 1}/${DATA.length}` } : {};
      if (b === 'truncate') return { status: useRange ? 206 : 200, header: (n) => headers[n], body: body([slice.subarray(0, 3000)], true), cancel: async () => {} };
      return { status: useRange ? 206 : 200, header: (n) => headers[n], body: body([slice.subarray(0, 4000), slice.subarray(4000)]), cancel: async () => {} };
    },
  };
}

const cases: { name: string; hosts: Record<string, Behaviour>; expectFrom?: number; fails?: RegExp; notFound?: boolean }[] = [
  { name: 'first mirror good', hosts: { a: 'ok' } },
  { name: '500 then good', hosts: { a: '500', b: 'ok' } },
  { name: 'truncated then resume on the next mirror with Range', hosts: { a: 'truncate', b: 'ok' }, expectFrom: 3000 },
  { name: 'truncated then a mirror without Range support restarts', hosts: { a: 'truncate', b: 'norange' } },
  { name: 'wrong bytes then good', hosts: { a: 'corrupt', b: 'ok' } },
  { name: 'every mirror bad', hosts: { a: 'corrupt', b: '500' }, fails: /every mirror failed[\s\S]*wrong bytes[\s\S]*HTTP 500/ },
  { name: 'every mirror 404: the file is gone', hosts: { a: '404', b: '404' }, fails: /every mirror failed[\s\S]*HTTP 404/, notFound: true },
  { name: '404 and a 500: not proof the file is gone', hosts: { a: '404', b: '500' }, fails: /HTTP 404[\s\S]*HTTP 500/ },
  { name: '404 and a drop: not proof the file is gone', hosts: { a: '404', b: 'truncate' }, fails: /HTTP 404[\s\S]*broke off/ },
];
for (const c of cases) {
  test(`fetchBlob: ${c.name}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-fetch-unit-'));
    try {
      const cache = new BlobCache(dir);
      const log: { url: string; from: number }[] = [];
      const run = fetchBlob({ digest: DIGEST, size: DATA.length, urls: Object.keys(c.hosts).map((h) => `http://${h}/pkg.rpm`), what: 'pkg.rpm' }, { http: fakeHttp(c.hosts, log), cache });
      if (c.fails) {
        await assert.rejects(run, (e: unknown) => e instanceof FetchError && c.fails!.test(e.message) && e.notFound === (c.notFound ?? false));
        assert.equal(existsSync(cache.path(DIGEST)), false, 'no cache entry after failure');
        return;
      }
      const path = await run;
      assert.deepEqual(readFileSync(path), DATA);
      assert.equal(existsSync(cache.partialPath(DIGEST)), false);
      if (c.expectFrom !== undefined) assert.ok(log.some((l) => l.from === c.expectFrom), JSON.stringify(log));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('fetchBlob: a stale partial with wrong bytes is discarded and fetched again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fetch-unit-'));
  const cache = new BlobCache(dir);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(cache.partialPath(DIGEST), Buffer.alloc(4000, 0x7a));
  const path = await fetchBlob({ digest: DIGEST, size: DATA.length, urls: ['http://a/p'], what: 'p' }, { http: fakeHttp({ a: 'ok' }, []), cache });
  assert.deepEqual(readFileSync(path), DATA);
  rmSync(dir, { recursive: true, force: true });
});

test('fetchBlob: a complete partial left by a killed run (size unknown, server says 416) is committed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fetch-unit-'));
  const cache = new BlobCache(dir);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(cache.partialPath(DIGEST), DATA);
  const log: { url: string; from: number }[] = [];
  const path = await fetchBlob({ digest: DIGEST, size: undefined, urls: ['http://a/p'], what: 'p' }, { http: fakeHttp({ a: '416' }, log), cache });
  assert.deepEqual(readFileSync(path), DATA);
  assert.deepEqual(log.map((l) => l.from), [DATA.length]);
  rmSync(dir, { recursive: true, force: true });
});

test('fetchBlob: the same blob asked for twice at once (two repositories on one mirror) is downloaded once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fetch-unit-'));
  try {
    const cache = new BlobCache(dir);
    const log: { url: string; from: number }[] = [];
    const http = fakeHttp({ a: 'ok' }, log);
    const req = (what: string) => ({ digest: DIGEST, size: DATA.length, urls: ['http://a/primary.xml.zst'], what });
    const paths = await Promise.all([fetchBlob(req('fedora primary'), { http, cache }), fetchBlob(req('updates primary'), { http, cache })]);
    assert.deepEqual(paths, [cache.path(DIGEST), cache.path(DIGEST)]);
    assert.equal(log.length, 1);
    assert.deepEqual(readFileSync(cache.path(DIGEST)), DATA);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cache location: XDG for users, /var/cache/fexpod for root', () => {
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 1000), '/x/fexpod');
  assert.equal(defaultCacheDir({ HOME: '/h' }, 1000), '/h/.cache/fexpod');
  assert.equal(defaultCacheDir({ HOME: '/root' }, 0), '/var/cache/fexpod');
});

test('URLs are redacted before they reach messages', () => {
  assert.equal(redactUrl('https://user:pw@mirror.example/f/?token=abc&repo=x'), 'https://***@mirror.example/f/?token=***&repo=x');
  assert.equal(redactUrl('http://mirror.example/f/'), 'http://mirror.example/f/');
});

test('http: the header timeout does not cut a slow body short; no headers in time is an error', async () => {
  const { createServer } = await import('node:http');
  const { nodeHttpClient } = await import('../../../src/builder/fetch/http.js');
  const srv = createServer((req, res) => {
    void (async () => {
      if (req.url === '/silent') return; // never answers
      res.writeHead(200);
      for (let i = 0; i < 3; i++) {
        res.write('x'.repeat(10));
        await new Promise((r) => setTimeout(r, 1000));
      }
      res.end();
    })();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    // The body takes ~3 s, longer than the 2 s header timeout (which leaves a loaded machine
    // ample time for the headers themselves).
    const http = nodeHttpClient({ headerTimeoutMs: 2000 });
    const res = await http.get(`http://127.0.0.1:${port}/slow`);
    let n = 0;
    for await (const b of res.body) n += b.length;
    assert.equal(n, 30);
    await assert.rejects(http.get(`http://127.0.0.1:${port}/silent`), /no response within 2 s/);
  } finally {
    srv.closeAllConnections();
    srv.close();
  }
});

test('fetchBlob: the check is told whether the digest was just verified (a commit) or not (a cached copy); flush() after commits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fetch-unit-'));
  try {
    const cache = new BlobCache(dir);
    const seen: boolean[] = [];
    const req = { digest: DIGEST, size: DATA.length, urls: ['http://a/p'], what: 'p', check: async (_path: string, digestChecked: boolean) => void seen.push(digestChecked) };
    await fetchBlob(req, { http: fakeHttp({ a: 'ok' }, []), cache });
    await fetchBlob(req, { http: fakeHttp({ a: 'ok' }, []), cache });
    assert.deepEqual(seen, [true, false]);
    await cache.flush();
    await cache.flush(); // nothing left to sync: a no-op
    assert.deepEqual(readFileSync(cache.path(DIGEST)), DATA);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
