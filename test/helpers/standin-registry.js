"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.startStandin = startStandin;
/**
 * A registry stand-in, in the test's own process: what Debian's
 * docker-registry cannot show here — a bearer token service (scopes,
 * expiring tokens) and the referrers API (OCI-Subject, GET …/referrers/D).
 * Blobs and manifests in memory; monolithic and chunked uploads. Every
 * request and every token request is recorded for the test to inspect.
 * It is a stand-in: the real registry tests are in test/integration/registry.
 */
const node_crypto_1 = require("node:crypto");
const node_http_1 = require("node:http");
const sha = (b) => `sha256:${(0, node_crypto_1.createHash)('sha256').update(b).digest('hex')}`;
async function body(req) {
    const chunks = [];
    for await (const c of req)
        chunks.push(c);
    return Buffer.concat(chunks);
}
async function startStandin(opts = {}) {
    const now = opts.now ?? Date.now;
    const requests = [];
    const tokenRequests = [];
    const blobs = new Map();
    const manifests = new Map();
    const uploads = new Map();
    const tokens = new Map();
    let n = 0;
    const referrersOn = opts.referrers ?? true;
    const allowed = (req, repo, action) => {
        if (!opts.bearer)
            return true;
        const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
        const t = m?.[1] ? tokens.get(m[1]) : undefined;
        if (!t || t.expires < now())
            return false;
        return t.scopes.some((s) => s.startsWith(`repository:${repo}:`) && s.split(':')[2]?.split(',').includes(action));
    };
    const server = (0, node_http_1.createServer)((req, res) => {
        void (async () => {
            const url = new URL(req.url ?? '/', 'http://x');
            const method = req.method ?? 'GET';
            requests.push(`${method} ${url.pathname}`);
            const host = req.headers.host ?? '';
            const challenge = (repo, scope, error) => `Bearer realm="http://${host}/token",service="standin",scope="repository:${repo}:${scope}"${error ? `,error="${error}"` : ''}`;
            if (url.pathname === '/token') {
                const auth = req.headers.authorization;
                const user = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':')[0] : undefined;
                const pass = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':').slice(1).join(':') : undefined;
                const scopes = url.searchParams.getAll('scope');
                tokenRequests.push({ scopes, user });
                if (opts.bearer && (user !== opts.bearer.user || pass !== opts.bearer.password)) {
                    res.writeHead(401).end();
                    return;
                }
                const token = `tok-${++n}`;
                tokens.set(token, { scopes, expires: now() + (opts.bearer?.expiresIn ?? 60) * 1000 });
                res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: opts.bearer?.expiresIn ?? 60 }));
                return;
            }
            if (url.pathname === '/v2/') {
                if (opts.bearer && !req.headers.authorization) {
                    res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="standin"` }).end();
                    return;
                }
                res.writeHead(200).end('{}');
                return;
            }
            const m = /^\/v2\/(.+?)\/(blobs|manifests|referrers)\/(.*)$/.exec(url.pathname);
            if (!m) {
                res.writeHead(404).end();
                return;
            }
            const [, repo = '', kind, rest = ''] = m;
            const push = method === 'POST' || method === 'PUT' || method === 'PATCH';
            if (!allowed(req, repo, push ? 'push' : 'pull')) {
                res.writeHead(401, { 'www-authenticate': challenge(repo, push ? 'pull,push' : 'pull', req.headers.authorization ? 'invalid_token' : undefined) }).end();
                await body(req);
                return;
            }
            if (kind === 'blobs' && rest.startsWith('uploads/')) {
                const id = rest.slice('uploads/'.length);
                if (method === 'POST') {
                    const u = `u${++n}`;
                    uploads.set(u, Buffer.alloc(0));
                    res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${u}`, range: '0-0' }).end();
                    return;
                }
                const data = await body(req);
                const cur = uploads.get(id);
                if (cur === undefined) {
                    res.writeHead(404).end('{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]}');
                    return;
                }
                const all = Buffer.concat([cur, data]);
                if (method === 'PATCH') {
                    uploads.set(id, all);
                    res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}`, range: `0-${all.length - 1}` }).end();
                    return;
                }
                if (method === 'GET') {
                    res.writeHead(204, { location: `/v2/${repo}/blobs/uploads/${id}`, range: `0-${Math.max(0, cur.length - 1)}` }).end();
                    return;
                }
                const digest = url.searchParams.get('digest') ?? '';
                if (sha(all) !== digest) {
                    res.writeHead(400).end('{"errors":[{"code":"DIGEST_INVALID"}]}');
                    return;
                }
                blobs.set(digest, all);
                uploads.delete(id);
                res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest }).end();
                return;
            }
            if (kind === 'blobs') {
                const b = blobs.get(rest);
                if (!b) {
                    res.writeHead(404).end();
                    return;
                }
                res.writeHead(200, { 'content-length': String(b.length), 'docker-content-digest': rest });
                res.end(method === 'HEAD' ? undefined : b);
                return;
            }
            if (kind === 'referrers') {
                if (!referrersOn) {
                    res.writeHead(404).end();
                    return;
                }
                const found = [];
                for (const [key, v] of manifests) {
                    if (!key.startsWith(`${repo}@`))
                        continue;
                    const j = JSON.parse(v.bytes.toString());
                    if (j.subject?.digest === rest)
                        found.push({ mediaType: v.type, digest: key.slice(repo.length + 1), size: v.bytes.length, ...(j.artifactType ? { artifactType: j.artifactType } : {}) });
                }
                res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' }).end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: found }));
                return;
            }
            // manifests
            if (method === 'PUT') {
                const data = await body(req);
                const digest = sha(data);
                const type = req.headers['content-type'] ?? '';
                manifests.set(`${repo}@${digest}`, { type, bytes: data });
                manifests.set(`${repo}:${rest}`, { type, bytes: data });
                const j = JSON.parse(data.toString());
                res.writeHead(201, { 'docker-content-digest': digest, ...(referrersOn && j.subject ? { 'oci-subject': j.subject.digest } : {}) }).end();
                return;
            }
            const mf = manifests.get(rest.startsWith('sha256:') ? `${repo}@${rest}` : `${repo}:${rest}`);
            if (!mf) {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, { 'content-type': mf.type, 'docker-content-digest': sha(mf.bytes), 'content-length': String(mf.bytes.length) });
            res.end(method === 'HEAD' ? undefined : mf.bytes);
        })().catch((err) => {
            res.writeHead(500).end(String(err));
        });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return {
        host: `127.0.0.1:${server.address().port}`,
        requests,
        tokenRequests,
        blobs,
        manifests,
        revokeTokens: () => tokens.clear(),
        close: () => new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
        }),
    };
}
