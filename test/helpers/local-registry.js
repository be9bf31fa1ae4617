"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startRegistry = startRegistry;
exports.partialPullStore = partialPullStore;
/**
 * Debian's docker-registry (the CNCF distribution registry) on loopback, with
 * its storage in a temp dir, behind a counting proxy: every response byte of
 * a blob request is counted, so a test can tell how much of a layer a puller
 * fetched (a zstd:chunked partial pull fetches ranges, not whole blobs).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_http_1 = require("node:http");
const node_net_1 = require("node:net");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
async function freePort() {
    return new Promise((resolve, reject) => {
        const s = (0, node_net_1.createServer)();
        s.on('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const port = s.address().port;
            s.close(() => resolve(port));
        });
    });
}
async function waitFor(url) {
    for (let i = 0; i < 100; i++) {
        const ok = await new Promise((resolve) => {
            const r = (0, node_http_1.request)(url, (res) => { res.resume(); resolve(res.statusCode === 200); });
            r.on('error', () => resolve(false));
            r.end();
        });
        if (ok)
            return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`registry did not start at ${url}`);
}
async function startRegistry() {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-registry-'));
    const port = await freePort();
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'config.yml'), [
        'version: 0.1',
        'log: {level: error}',
        `storage: {filesystem: {rootdirectory: ${(0, node_path_1.join)(dir, 'data')}}, delete: {enabled: true}}`,
        `http: {addr: "127.0.0.1:${port}"}`,
        '',
    ].join('\n'));
    const child = (0, node_child_process_1.spawn)('docker-registry', ['serve', (0, node_path_1.join)(dir, 'config.yml')], { stdio: 'ignore' });
    await waitFor(`http://127.0.0.1:${port}/v2/`);
    let bytes = 0;
    let requests = 0;
    // a partial pull asks for hundreds of ranges in one Range header: allow large headers (Node's default is 16 KiB)
    const proxy = (0, node_http_1.createServer)({ maxHeaderSize: 1 << 20 }, (req, res) => {
        const blob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
        if (blob)
            requests++;
        const up = (0, node_http_1.request)({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            ur.on('data', (c) => { if (blob)
                bytes += c.length; });
            ur.pipe(res);
        });
        up.on('error', () => { res.writeHead(502); res.end(); });
        req.pipe(up);
    });
    await new Promise((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const host = `127.0.0.1:${proxy.address().port}`;
    return {
        host,
        blobBytes: () => bytes,
        blobRequests: () => requests,
        reset: () => { bytes = 0; requests = 0; },
        close: async () => {
            await new Promise((r) => proxy.close(() => r()));
            child.kill();
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        },
    };
}
/** A private Podman store with partial pulls enabled (CONTAINERS_STORAGE_CONF: nothing global changes). */
function partialPullStore() {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-store-'));
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'storage.conf'), [
        '[storage]',
        'driver = "overlay"',
        `runroot = "${(0, node_path_1.join)(dir, 'run')}"`,
        `graphroot = "${(0, node_path_1.join)(dir, 'graph')}"`,
        '[storage.options]',
        'pull_options = {enable_partial_images = "true", use_hard_links = "false", ostree_repos = ""}',
        '',
    ].join('\n'));
    const env = { ...process.env, CONTAINERS_STORAGE_CONF: (0, node_path_1.join)(dir, 'storage.conf') };
    return {
        env,
        dir,
        // images out, the store's own mounts (overlay keeps its home mounted private) undone, files gone
        close: () => {
            (0, node_child_process_1.spawnSync)('podman', ['rmi', '-a', '-f'], { env, stdio: 'ignore' });
            for (const line of (0, node_fs_1.readFileSync)('/proc/mounts', 'utf8').split('\n').reverse()) {
                const mnt = line.split(' ')[1];
                if (mnt?.startsWith(dir))
                    (0, node_child_process_1.spawnSync)('umount', ['-l', mnt], { stdio: 'ignore' });
            }
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        },
    };
}
