"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startRegistry = startRegistry;
exports.startProxy = startProxy;
exports.blobUploads = blobUploads;
/**
 * Debian's docker-registry (the CNCF distribution registry) started for a
 * test on loopback: an ephemeral port (addr 127.0.0.1:0, the port read from
 * its log), temp storage, its own config file; optionally htpasswd auth
 * behind TLS with a CA made here with openssl. And a proxy in front of it
 * that counts requests and injects faults (dropped connections mid-upload,
 * 500, 429), so tests can see what the client sends.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_http_1 = require("node:http");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
function makeCa(dir) {
    const o = (args) => (0, node_child_process_1.execFileSync)('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=fexpod test CA']);
    o(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    o(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
    const certDir = (0, node_path_1.join)(dir, 'certs.d');
    (0, node_fs_1.mkdirSync)(certDir);
    (0, node_child_process_1.execFileSync)('cp', [(0, node_path_1.join)(dir, 'ca.crt'), (0, node_path_1.join)(certDir, 'ca.crt')]);
    return { certDir, cert: (0, node_path_1.join)(dir, 'server.crt'), key: (0, node_path_1.join)(dir, 'server.key') };
}
async function startRegistry(opts = {}) {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-registry-'));
    const storage = (0, node_path_1.join)(dir, 'storage');
    (0, node_fs_1.mkdirSync)(storage);
    const lines = ['version: 0.1', 'log:', '  level: info', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${storage}`, '  delete:', '    enabled: true', 'http:', '  addr: 127.0.0.1:0', '  secret: fexpod-test-secret'];
    let certDir;
    if (opts.tls) {
        const ca = makeCa(dir);
        certDir = ca.certDir;
        lines.push('  tls:', `    certificate: ${ca.cert}`, `    key: ${ca.key}`);
    }
    if (opts.auth) {
        const line = (0, node_child_process_1.execFileSync)('htpasswd', ['-nbB', opts.auth.user, opts.auth.password], { encoding: 'utf8' }).trim();
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'htpasswd'), line + '\n');
        lines.push('auth:', '  htpasswd:', '    realm: fexpod-test', `    path: ${(0, node_path_1.join)(dir, 'htpasswd')}`);
    }
    if (opts.token) {
        lines.push('auth:', '  token:', `    realm: ${opts.token.realm}`, `    service: ${opts.token.service}`, `    issuer: ${opts.token.issuer}`, `    rootcertbundle: ${opts.token.certFile}`);
    }
    const config = (0, node_path_1.join)(dir, 'config.yml');
    (0, node_fs_1.writeFileSync)(config, lines.join('\n') + '\n');
    const child = (0, node_child_process_1.spawn)('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const host = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`docker-registry did not start:\n${out}`)), 20_000);
        const onData = (b) => {
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
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        },
    };
}
/**
 * A plain-HTTP proxy to `upstream` (host:port) that records every request and
 * lets `fault(method, path, n)` (n: how many requests of that method and path
 * kind came before) break some: a dropped connection after half the body
 * (nothing reaches the registry), the same after half the body did reach the
 * registry (which then holds a half-written upload), or an answer of 500 /
 * 429 (Retry-After: 0).
 */
async function startProxy(upstream, fault = () => undefined) {
    const requests = [];
    const counts = new Map();
    const server = (0, node_http_1.createServer)((req, res) => {
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
            req.on('data', (c) => {
                got += c.length;
                if (got >= half)
                    req.socket.destroy();
            });
            req.on('end', () => req.socket.destroy());
            return;
        }
        if (f === 'forward-half-then-drop') {
            const half = Number(req.headers['content-length'] ?? '0') / 2;
            let sent = 0;
            requests.push({ method, path, status: 0 });
            const up = (0, node_http_1.request)({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method, path: req.url, headers: { ...req.headers, host: upstream } });
            up.on('error', () => undefined);
            up.on('response', (r) => r.resume());
            req.on('data', (c) => {
                if (sent >= half)
                    return;
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
        const up = (0, node_http_1.request)({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method, path: req.url, headers: { ...req.headers, host: upstream } }, (ur) => {
            requests.push({ method, path, status: ur.statusCode ?? 0 });
            const headers = { ...ur.headers };
            // Locations name the registry's own address: send the client back through us
            if (typeof headers.location === 'string')
                headers.location = headers.location.replace(`//${upstream}`, `//${hostOf()}`);
            res.writeHead(ur.statusCode ?? 502, headers);
            ur.pipe(res);
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const hostOf = () => `127.0.0.1:${server.address().port}`;
    return {
        host: hostOf(),
        requests,
        close: () => new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
        }),
    };
}
/** Requests that moved blob bytes to the registry (upload session starts and data). */
function blobUploads(rs) {
    return rs.filter((r) => r.path.includes('/blobs/uploads/') && (r.method === 'POST' || r.method === 'PATCH' || r.method === 'PUT'));
}
