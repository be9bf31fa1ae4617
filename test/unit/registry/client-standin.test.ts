import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/common/log.js';
import { RegistryClient } from '../../../src/registry/registry-client.js';
import { nodeTransport } from '../../../src/registry/transport.js';
import { uploadBlob } from '../../../src/registry/blob-upload.js';
import { publish } from '../../../src/publish/publish.js';
import { listReferrers, fallbackTag } from '../../../src/publish/referrers.js';
import { parseReference } from '../../../src/registry/reference.js';
import { startStandin } from '../../helpers/standin-registry.js';

function fakeErofs(dir: string): string {
  const b = Buffer.alloc(3 * 4096, 7);
  b.writeUInt32LE(0xe0f5e1e2, 1024);
  const p = join(dir, 'default.erofs');
  writeFileSync(p, b);
  writeFileSync(join(dir, 'x.spdx.json'), '{"spdxVersion":"SPDX-2.3","name":"x"}');
  return p;
}

function client(host: string, clock: { t: number }, creds?: { username: string; password: string }) {
  const transport = nodeTransport({ verify: true });
  const c = new RegistryClient(host, host, {
    transport,
    credentials: async () => (creds ? { credentials: { ...creds, source: '/tmp/test-auth.json' }, consulted: ['/tmp/test-auth.json'] } : { consulted: [] }),
    log: silentLogger,
    now: () => clock.t,
    sleep: async () => {},
    random: () => 0,
    tlsVerify: false,
  });
  return Object.assign(c, { close: () => transport.close() });
}

const opts = (clock: { t: number }) => ({ jobs: 2, chunkSize: 4096, now: () => clock.t, sleep: async () => {}, random: () => 0 });

test('bearer tokens against a token-service stand-in: scoped, reused, refreshed on expiry and after a 401', async () => {
  const clock = { t: 1_000_000 };
  const reg = await startStandin({ bearer: { user: 'alice', password: 'pw-secret', expiresIn: 30 }, now: () => clock.t });
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-standin-'));
  const c = client(reg.host, clock, { username: 'alice', password: 'pw-secret' });
  try {
    const file = fakeErofs(dir);
    const r = await publish(c, { ref: parseReference(`${reg.host}/fex/a:1`), file: { path: file, role: 'rootfs' } }, opts(clock));
    assert.equal(r.blobs.uploaded, 2, 'the file (in 3 chunks) and the empty config');
    assert.deepEqual(reg.tokenRequests, [{ scopes: ['repository:fex/a:pull,push'], user: 'alice' }], 'one token for the whole push');
    assert.ok(reg.requests.filter((x) => x.startsWith('PATCH')).length >= 3, 'chunked');

    clock.t += 31_000; // past expires_in: the client asks again before using it
    assert.ok(await c.blobSize('fex/a', r.artifact?.digest ?? ''));
    assert.equal(reg.tokenRequests.length, 2);
    assert.deepEqual(reg.tokenRequests[1]?.scopes, ['repository:fex/a:pull']);

    reg.revokeTokens(); // the server forgets it: 401 invalid_token → one new token, request repeated
    assert.ok(await c.blobSize('fex/a', r.artifact?.digest ?? ''));
    assert.equal(reg.tokenRequests.length, 3);

    const before = reg.tokenRequests.length;
    await uploadBlob(c, 'fex/b', { digest: r.artifact?.digest ?? '', size: 3 * 4096, open: () => { throw new Error('not needed'); } }, { chunkSize: 4096, mountFrom: ['fex/a'], sleep: async () => {}, now: () => clock.t, random: () => 0 });
    assert.deepEqual(reg.tokenRequests[before]?.scopes, ['repository:fex/b:pull,push', 'repository:fex/a:pull'], 'a mount asks for pull on the source repository');

    const bad = client(reg.host, clock, { username: 'alice', password: 'wrong-pw' });
    try {
      await assert.rejects(bad.blobSize('fex/a', r.digest), (err: Error & { fix?: string }) => {
        const text = `${err.message} ${err.fix ?? ''}`;
        assert.match(err.message, new RegExp(`registry ${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "alice" from /tmp/test-auth.json`));
        assert.ok(!text.includes('wrong-pw') && !text.includes(Buffer.from('alice:wrong-pw').toString('base64')), 'no secret in the error');
        return true;
      });
    } finally {
      bad.close();
    }
  } finally {
    c.close();
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const api of [true, false]) {
  test(`SBOM referrer against a registry stand-in ${api ? 'with the referrers API (OCI-Subject)' : 'without it (fallback tag)'}`, async () => {
    const clock = { t: 0 };
    const reg = await startStandin({ referrers: api });
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-standin-'));
    const c = client(reg.host, clock);
    try {
      const file = fakeErofs(dir);
      const ref = parseReference(`${reg.host}/fex/rootfs:42-erofs`);
      const r = await publish(c, { ref, file: { path: file, role: 'rootfs' }, sbom: join(dir, 'x.spdx.json') }, opts(clock));
      assert.equal(r.referrers.length, 1);
      assert.equal(r.referrers[0]?.via, api ? 'api' : 'tag');
      assert.equal(reg.manifests.has(`fex/rootfs:${fallbackTag(r.digest)}`), !api, 'the fallback tag only without the API');
      const listed = await listReferrers(c, 'fex/rootfs', r.digest, 'application/spdx+json');
      assert.equal(listed.via, api ? 'api' : 'tag');
      assert.deepEqual(listed.referrers.map((d) => d.digest), [r.referrers[0]?.digest]);
      const again = await publish(c, { ref, file: { path: file, role: 'rootfs' }, sbom: join(dir, 'x.spdx.json') }, opts(clock));
      assert.equal(again.changed, false);
      assert.equal(again.referrers[0]?.via, 'present');
    } finally {
      c.close();
      await reg.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a reference without a tag is pushed as "latest" (registry stand-in)', async () => {
  const clock = { t: 0 };
  const reg = await startStandin();
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-standin-'));
  const c = client(reg.host, clock);
  try {
    const r = await publish(c, { ref: parseReference(`${reg.host}/fex/notag`), file: { path: fakeErofs(dir), role: 'overlay' } }, opts(clock));
    assert.equal(r.reference, `${reg.host}/fex/notag:latest`);
    assert.ok(reg.manifests.has('fex/notag:latest'));
    const m = JSON.parse(reg.manifests.get('fex/notag:latest')?.bytes.toString() ?? '{}');
    assert.equal(m.artifactType, 'application/vnd.fexpod.overlay.v1');
  } finally {
    c.close();
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
