import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { Arch } from '../../../src/common/arch.js';
import { canonicalJson, rfc3339 } from '../../../src/common/canonical-json.js';
import { sha256Digest } from '../../../src/common/hash.js';
import { gzipLayer, layoutFiles, planOciImage, OCI_LAYOUT_FILE } from '../../../src/builder/outputs/oci-layout.js';

const tar = new Uint8Array(2048).fill(7);
const settings = { sourceDateEpoch: 1_700_000_000, refName: 'demo:42', createdBy: 'fexpod build demo.toml', cmd: ['/bin/sh'] };

const archCases = [
  { arch: 'x86_64', architecture: 'amd64', variant: undefined },
  { arch: 'i686', architecture: '386', variant: undefined },
  { arch: 'aarch64', architecture: 'arm64', variant: 'v8' },
  { arch: 'armhf', architecture: 'arm', variant: 'v7' },
];
for (const c of archCases) {
  test(`config and index platform for ${c.arch}`, () => {
    const plan = planOciImage(tar, { ...settings, arch: Arch.parse(c.arch) });
    const config = JSON.parse(Buffer.from(plan.blobs.get(plan.config.digest) ?? []).toString()) as Record<string, unknown>;
    assert.equal(config['architecture'], c.architecture);
    assert.equal(config['variant'], c.variant);
    assert.equal(config['os'], 'linux');
    assert.equal(config['created'], '2023-11-14T22:13:20Z');
    assert.deepEqual(config['rootfs'], { type: 'layers', diff_ids: [sha256Digest(tar)] });
    const index = JSON.parse(Buffer.from(plan.indexJson).toString()) as { manifests: { platform: { architecture: string }; annotations: Record<string, string> }[] };
    assert.equal(index.manifests[0]?.platform.architecture, c.architecture);
    assert.equal(index.manifests[0]?.annotations['org.opencontainers.image.ref.name'], 'demo:42');
  });
}

test('the plan is a pure function of the layer and settings (same bytes twice)', () => {
  const a = planOciImage(tar, { ...settings, arch: Arch.of('x86_64') });
  const b = planOciImage(Uint8Array.from(tar), { ...settings, arch: Arch.of('x86_64') });
  assert.equal(a.manifest.digest, b.manifest.digest);
  assert.deepEqual(layoutFiles(a).map((f) => f.path), layoutFiles(b).map((f) => f.path));
});

test('gzip layer: fixed header (mtime 0, no name, OS=3) and round-trips', () => {
  const gz = gzipLayer(tar);
  assert.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]); // XFL 0 at level 4
  assert.deepEqual(new Uint8Array(gunzipSync(gz)), tar);
});

test('oci-layout file and canonical JSON', () => {
  assert.equal(OCI_LAYOUT_FILE, '{"imageLayoutVersion":"1.0.0"}');
  assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  assert.equal(rfc3339(0), '1970-01-01T00:00:00Z');
});

test('manifest lists the gzip layer and the config', () => {
  const plan = planOciImage(tar, { ...settings, arch: Arch.of('x86_64'), annotations: { 'org.opencontainers.image.title': 'demo' } });
  const m = JSON.parse(Buffer.from(plan.blobs.get(plan.manifest.digest) ?? []).toString()) as Record<string, unknown>;
  assert.equal(m['mediaType'], 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(m['annotations'], { 'org.opencontainers.image.created': '2023-11-14T22:13:20Z', 'org.opencontainers.image.title': 'demo' });
  assert.equal((m['layers'] as { mediaType: string }[])[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
});
