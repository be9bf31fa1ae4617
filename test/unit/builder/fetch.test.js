"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const cache_js_1 = require("../../../src/builder/fetch/cache.js");
const fetch_blob_js_1 = require("../../../src/builder/fetch/fetch-blob.js");
const http_js_1 = require("../../../src/builder/fetch/http.js");
const DATA = Buffer.from('x'.repeat(5000) + 'y'.repeat(5000));
const DIGEST = { alg: 'sha256', hex: (0, node_crypto_1.createHash)('sha256').update(DATA).digest('hex') };
function fakeHttp(byHost, log) {
    return {
        async get(url, o = {}) {
            const host = new URL(url).hostname;
            const b = byHost[host] ?? 'ok';
            const from = o.from ?? 0;
            log.push({ url, from });
            const body = (chunks, fail = false) => (async function* () {
                for (const c of chunks)
                    yield new Uint8Array(c);
                if (fail)
                    throw new Error('socket hang up');
            })();
            if (b === '416' && from >= DATA.length)
                return { status: 416, header: () => undefined, body: body([]), cancel: async () => { } };
            if (b === '404')
                return { status: 404, header: () => undefined, body: body([]), cancel: async () => { } };
            if (b === '500')
                return { status: 500, header: () => undefined, body: body([]), cancel: async () => { } };
            const useRange = from > 0 && b !== 'norange';
            let slice = DATA.subarray(useRange ? from : 0);
            if (b === 'corrupt') {
                slice = Buffer.from(slice);
                slice[10] = slice[10] ^ 1;
            }
            const headers = useRange ? { 'content-range': `bytes ${from}-${DATA.length - 1}/${DATA.length}` } : {};
            if (b === 'truncate')
                return { status: useRange ? 206 : 200, header: (n) => headers[n], body: body([slice.subarray(0, 3000)], true), cancel: async () => { } };
            return { status: useRange ? 206 : 200, header: (n) => headers[n], body: body([slice.subarray(0, 4000), slice.subarray(4000)]), cancel: async () => { } };
        },
    };
}
const cases = [
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
    (0, node_test_1.test)(`fetchBlob: ${c.name}`, async () => {
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fetch-unit-'));
        try {
            const cache = new cache_js_1.BlobCache(dir);
            const log = [];
            const run = (0, fetch_blob_js_1.fetchBlob)({ digest: DIGEST, size: DATA.length, urls: Object.keys(c.hosts).map((h) => `http://${h}/pkg.rpm`), what: 'pkg.rpm' }, { http: fakeHttp(c.hosts, log), cache });
            if (c.fails) {
                await strict_1.default.rejects(run, (e) => e instanceof fetch_blob_js_1.FetchError && c.fails.test(e.message) && e.notFound === (c.notFound ?? false));
                strict_1.default.equal((0, node_fs_1.existsSync)(cache.path(DIGEST)), false, 'no cache entry after failure');
                return;
            }
            const path = await run;
            strict_1.default.deepEqual((0, node_fs_1.readFileSync)(path), DATA);
            strict_1.default.equal((0, node_fs_1.existsSync)(cache.partialPath(DIGEST)), false);
            if (c.expectFrom !== undefined)
                strict_1.default.ok(log.some((l) => l.from === c.expectFrom), JSON.stringify(log));
        }
        finally {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.test)('fetchBlob: a stale partial with wrong bytes is discarded and fetched again', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fetch-unit-'));
    const cache = new cache_js_1.BlobCache(dir);
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'blobs', 'sha256'), { recursive: true });
    (0, node_fs_1.writeFileSync)(cache.partialPath(DIGEST), Buffer.alloc(4000, 0x7a));
    const path = await (0, fetch_blob_js_1.fetchBlob)({ digest: DIGEST, size: DATA.length, urls: ['http://a/p'], what: 'p' }, { http: fakeHttp({ a: 'ok' }, []), cache });
    strict_1.default.deepEqual((0, node_fs_1.readFileSync)(path), DATA);
    (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
});
(0, node_test_1.test)('fetchBlob: a complete partial left by a killed run (size unknown, server says 416) is committed', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fetch-unit-'));
    const cache = new cache_js_1.BlobCache(dir);
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'blobs', 'sha256'), { recursive: true });
    (0, node_fs_1.writeFileSync)(cache.partialPath(DIGEST), DATA);
    const log = [];
    const path = await (0, fetch_blob_js_1.fetchBlob)({ digest: DIGEST, size: undefined, urls: ['http://a/p'], what: 'p' }, { http: fakeHttp({ a: '416' }, log), cache });
    strict_1.default.deepEqual((0, node_fs_1.readFileSync)(path), DATA);
    strict_1.default.deepEqual(log.map((l) => l.from), [DATA.length]);
    (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
});
(0, node_test_1.test)('fetchBlob: the same blob asked for twice at once (two repositories on one mirror) is downloaded once', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fetch-unit-'));
    try {
        const cache = new cache_js_1.BlobCache(dir);
        const log = [];
        const http = fakeHttp({ a: 'ok' }, log);
        const req = (what) => ({ digest: DIGEST, size: DATA.length, urls: ['http://a/primary.xml.zst'], what });
        const paths = await Promise.all([(0, fetch_blob_js_1.fetchBlob)(req('fedora primary'), { http, cache }), (0, fetch_blob_js_1.fetchBlob)(req('updates primary'), { http, cache })]);
        strict_1.default.deepEqual(paths, [cache.path(DIGEST), cache.path(DIGEST)]);
        strict_1.default.equal(log.length, 1);
        strict_1.default.deepEqual((0, node_fs_1.readFileSync)(cache.path(DIGEST)), DATA);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('cache location: XDG for users, /var/cache/fexpod for root', () => {
    strict_1.default.equal((0, cache_js_1.defaultCacheDir)({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 1000), '/x/fexpod');
    strict_1.default.equal((0, cache_js_1.defaultCacheDir)({ HOME: '/h' }, 1000), '/h/.cache/fexpod');
    strict_1.default.equal((0, cache_js_1.defaultCacheDir)({ HOME: '/root' }, 0), '/var/cache/fexpod');
});
(0, node_test_1.test)('URLs are redacted before they reach messages', () => {
    strict_1.default.equal((0, http_js_1.redactUrl)('https://user:pw@mirror.example/f/?token=abc&repo=x'), 'https://***@mirror.example/f/?token=***&repo=x');
    strict_1.default.equal((0, http_js_1.redactUrl)('http://mirror.example/f/'), 'http://mirror.example/f/');
});
(0, node_test_1.test)('http: the header timeout does not cut a slow body short; no headers in time is an error', async () => {
    const { createServer } = await Promise.resolve().then(() => __importStar(require('node:http')));
    const { nodeHttpClient } = await Promise.resolve().then(() => __importStar(require('../../../src/builder/fetch/http.js')));
    const srv = createServer((req, res) => {
        void (async () => {
            if (req.url === '/silent')
                return; // never answers
            res.writeHead(200);
            for (let i = 0; i < 3; i++) {
                res.write('x'.repeat(10));
                await new Promise((r) => setTimeout(r, 1000));
            }
            res.end();
        })();
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    const address = srv.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
        // The body takes ~3 s, longer than the 2 s header timeout (which leaves a loaded machine
        // ample time for the headers themselves).
        const http = nodeHttpClient({ headerTimeoutMs: 2000 });
        const res = await http.get(`http://127.0.0.1:${port}/slow`);
        let n = 0;
        for await (const b of res.body)
            n += b.length;
        strict_1.default.equal(n, 30);
        await strict_1.default.rejects(http.get(`http://127.0.0.1:${port}/silent`), /no response within 2 s/);
    }
    finally {
        srv.closeAllConnections();
        srv.close();
    }
});
