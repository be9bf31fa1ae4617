"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const registry_client_js_1 = require("../../../src/registry/registry-client.js");
const transport_js_1 = require("../../../src/registry/transport.js");
const blob_upload_js_1 = require("../../../src/registry/blob-upload.js");
const publish_js_1 = require("../../../src/publish/publish.js");
const referrers_js_1 = require("../../../src/publish/referrers.js");
const reference_js_1 = require("../../../src/registry/reference.js");
const standin_registry_js_1 = require("../../helpers/standin-registry.js");
function fakeErofs(dir) {
    const b = Buffer.alloc(3 * 4096, 7);
    b.writeUInt32LE(0xe0f5e1e2, 1024);
    const p = (0, node_path_1.join)(dir, 'default.erofs');
    (0, node_fs_1.writeFileSync)(p, b);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'x.spdx.json'), '{"spdxVersion":"SPDX-2.3","name":"x"}');
    return p;
}
function client(host, clock, creds) {
    const transport = (0, transport_js_1.nodeTransport)({ verify: true });
    const c = new registry_client_js_1.RegistryClient(host, host, {
        transport,
        credentials: async () => (creds ? { credentials: { ...creds, source: '/tmp/test-auth.json' }, consulted: ['/tmp/test-auth.json'] } : { consulted: [] }),
        log: log_js_1.silentLogger,
        now: () => clock.t,
        sleep: async () => { },
        random: () => 0,
        tlsVerify: false,
    });
    return Object.assign(c, { close: () => transport.close() });
}
const opts = (clock) => ({ jobs: 2, chunkSize: 4096, now: () => clock.t, sleep: async () => { }, random: () => 0 });
(0, node_test_1.test)('bearer tokens against a token-service stand-in: scoped, reused, refreshed on expiry and after a 401', async () => {
    const clock = { t: 1_000_000 };
    const reg = await (0, standin_registry_js_1.startStandin)({ bearer: { user: 'alice', password: 'pw-secret', expiresIn: 30 }, now: () => clock.t });
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-standin-'));
    const c = client(reg.host, clock, { username: 'alice', password: 'pw-secret' });
    try {
        const file = fakeErofs(dir);
        const r = await (0, publish_js_1.publish)(c, { ref: (0, reference_js_1.parseReference)(`${reg.host}/fex/a:1`), file: { path: file, role: 'rootfs' } }, opts(clock));
        strict_1.default.equal(r.blobs.uploaded, 2, 'the file (in 3 chunks) and the empty config');
        strict_1.default.deepEqual(reg.tokenRequests, [{ scopes: ['repository:fex/a:pull,push'], user: 'alice' }], 'one token for the whole push');
        strict_1.default.ok(reg.requests.filter((x) => x.startsWith('PATCH')).length >= 3, 'chunked');
        clock.t += 31_000; // past expires_in: the client asks again before using it
        strict_1.default.ok(await c.blobSize('fex/a', r.artifact?.digest ?? ''));
        strict_1.default.equal(reg.tokenRequests.length, 2);
        strict_1.default.deepEqual(reg.tokenRequests[1]?.scopes, ['repository:fex/a:pull']);
        reg.revokeTokens(); // the server forgets it: 401 invalid_token → one new token, request repeated
        strict_1.default.ok(await c.blobSize('fex/a', r.artifact?.digest ?? ''));
        strict_1.default.equal(reg.tokenRequests.length, 3);
        const before = reg.tokenRequests.length;
        await (0, blob_upload_js_1.uploadBlob)(c, 'fex/b', { digest: r.artifact?.digest ?? '', size: 3 * 4096, open: () => { throw new Error('not needed'); } }, { chunkSize: 4096, mountFrom: ['fex/a'], sleep: async () => { }, now: () => clock.t, random: () => 0 });
        strict_1.default.deepEqual(reg.tokenRequests[before]?.scopes, ['repository:fex/b:pull,push', 'repository:fex/a:pull'], 'a mount asks for pull on the source repository');
        const bad = client(reg.host, clock, { username: 'alice', password: 'wrong-pw' });
        try {
            await strict_1.default.rejects(bad.blobSize('fex/a', r.digest), (err) => {
                const text = `${err.message} ${err.fix ?? ''}`;
                strict_1.default.match(err.message, new RegExp(`registry ${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "alice" from /tmp/test-auth.json`));
                strict_1.default.ok(!text.includes('wrong-pw') && !text.includes(Buffer.from('alice:wrong-pw').toString('base64')), 'no secret in the error');
                return true;
            });
        }
        finally {
            bad.close();
        }
    }
    finally {
        c.close();
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
for (const api of [true, false]) {
    (0, node_test_1.test)(`SBOM referrer against a registry stand-in ${api ? 'with the referrers API (OCI-Subject)' : 'without it (fallback tag)'}`, async () => {
        const clock = { t: 0 };
        const reg = await (0, standin_registry_js_1.startStandin)({ referrers: api });
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-standin-'));
        const c = client(reg.host, clock);
        try {
            const file = fakeErofs(dir);
            const ref = (0, reference_js_1.parseReference)(`${reg.host}/fex/rootfs:42-erofs`);
            const r = await (0, publish_js_1.publish)(c, { ref, file: { path: file, role: 'rootfs' }, sbom: (0, node_path_1.join)(dir, 'x.spdx.json') }, opts(clock));
            strict_1.default.equal(r.referrers.length, 1);
            strict_1.default.equal(r.referrers[0]?.via, api ? 'api' : 'tag');
            strict_1.default.equal(reg.manifests.has(`fex/rootfs:${(0, referrers_js_1.fallbackTag)(r.digest)}`), !api, 'the fallback tag only without the API');
            const listed = await (0, referrers_js_1.listReferrers)(c, 'fex/rootfs', r.digest, 'application/spdx+json');
            strict_1.default.equal(listed.via, api ? 'api' : 'tag');
            strict_1.default.deepEqual(listed.referrers.map((d) => d.digest), [r.referrers[0]?.digest]);
            const again = await (0, publish_js_1.publish)(c, { ref, file: { path: file, role: 'rootfs' }, sbom: (0, node_path_1.join)(dir, 'x.spdx.json') }, opts(clock));
            strict_1.default.equal(again.changed, false);
            strict_1.default.equal(again.referrers[0]?.via, 'present');
        }
        finally {
            c.close();
            await reg.close();
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.test)('a reference without a tag is pushed as "latest" (registry stand-in)', async () => {
    const clock = { t: 0 };
    const reg = await (0, standin_registry_js_1.startStandin)();
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-standin-'));
    const c = client(reg.host, clock);
    try {
        const r = await (0, publish_js_1.publish)(c, { ref: (0, reference_js_1.parseReference)(`${reg.host}/fex/notag`), file: { path: fakeErofs(dir), role: 'overlay' } }, opts(clock));
        strict_1.default.equal(r.reference, `${reg.host}/fex/notag:latest`);
        strict_1.default.ok(reg.manifests.has('fex/notag:latest'));
        const m = JSON.parse(reg.manifests.get('fex/notag:latest')?.bytes.toString() ?? '{}');
        strict_1.default.equal(m.artifactType, 'application/vnd.fexpod.overlay.v1');
    }
    finally {
        c.close();
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
