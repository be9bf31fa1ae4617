"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startTokenServer = startTokenServer;
/**
 * A bearer token service for Debian's docker-registry (distribution's token
 * auth): checks Basic credentials, grants the scopes asked for, and signs a
 * JWT (ES256) whose x5c header carries a certificate the registry trusts
 * (its rootcertbundle). Made with openssl and node:crypto in the test.
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_http_1 = require("node:http");
const node_path_1 = require("node:path");
const b64url = (b) => Buffer.from(b).toString('base64url');
async function startTokenServer(dir, user, password, expiresIn = 300) {
    const keyFile = (0, node_path_1.join)(dir, 'token.key');
    const certFile = (0, node_path_1.join)(dir, 'token.crt');
    (0, node_child_process_1.execFileSync)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=fexpod test token signer'], { stdio: 'ignore' });
    const key = (0, node_fs_1.readFileSync)(keyFile);
    const der = new node_crypto_1.X509Certificate((0, node_fs_1.readFileSync)(certFile)).raw;
    const service = 'fexpod-test-registry';
    const issuer = 'fexpod-test-issuer';
    const requests = [];
    const server = (0, node_http_1.createServer)((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const scopes = url.searchParams.getAll('scope');
        const auth = req.headers.authorization ?? '';
        const [u, ...p] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : [];
        if (u !== user || p.join(':') !== password) {
            requests.push({ scopes, ...(u ? { user: u } : {}), granted: false });
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
            return;
        }
        requests.push({ scopes, user: u, granted: true });
        const now = Math.floor(Date.now() / 1000);
        const access = scopes.map((s) => {
            const [type, ...rest] = s.split(':');
            const actions = (rest.pop() ?? '').split(',');
            return { type, name: rest.join(':'), actions };
        });
        const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c: [der.toString('base64')] }));
        const claims = b64url(JSON.stringify({ iss: issuer, sub: u, aud: service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: (0, node_crypto_1.randomUUID)(), access }));
        const signature = (0, node_crypto_1.sign)('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${header}.${claims}.${b64url(signature)}`, expires_in: expiresIn, issued_at: new Date().toISOString() }));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
        realm: `http://127.0.0.1:${server.address().port}/token`,
        service,
        issuer,
        certFile,
        requests,
        close: () => new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
        }),
    };
}
