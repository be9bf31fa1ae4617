import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_TYPES, detectFsKind, FS_MEDIA_TYPES, planFileArtifact, planSbomReferrer } from '../../../src/publish/artifact.js';
import { fallbackTag } from '../../../src/publish/referrers.js';
import { sha256Digest } from '../../../src/common/hash.js';
import { EMPTY_DIGEST } from '../../../src/registry/oci.js';

const D = `sha256:${'b'.repeat(64)}`;

test('the empty config descriptor is sha256 of "{}"', () => {
  assert.equal(sha256Digest('{}'), EMPTY_DIGEST);
});

test('a RootFS artifact manifest: our artifactType, the empty config, the file name as title; same input, same bytes', () => {
  const input = { role: 'rootfs' as const, kind: 'erofs' as const, path: '/out/default.erofs', digest: D, size: 4096, xxh3: '0123456789abcdef', sourceDateEpoch: 1_700_000_000, arch: 'x86_64' };
  const a = planFileArtifact(input);
  const b = planFileArtifact({ ...input });
  assert.deepEqual(a.bytes, b.bytes);
  const m = JSON.parse(a.bytes.toString()) as Record<string, any>;
  assert.equal(m['artifactType'], ARTIFACT_TYPES.rootfs);
  assert.deepEqual(m['config'], { mediaType: 'application/vnd.oci.empty.v1+json', digest: EMPTY_DIGEST, size: 2 });
  assert.deepEqual(m['layers'], [{ mediaType: FS_MEDIA_TYPES.erofs, digest: D, size: 4096, annotations: { 'org.opencontainers.image.title': 'default.erofs', 'io.fexpod.xxh3': '0123456789abcdef' } }]);
  assert.equal(m['annotations']['org.opencontainers.image.created'], '2023-11-14T22:13:20Z');
  assert.equal(planFileArtifact({ ...input, role: 'overlay' }).artifactType, ARTIFACT_TYPES.overlay);
  assert.notEqual(planFileArtifact({ ...input, sourceDateEpoch: 1 }).digest, a.digest);
});

test('an SBOM referrer names its subject; the fallback tag is sha256-HEX', () => {
  const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 100, annotations: { x: 'y' } };
  const { manifest } = planSbomReferrer({ fileName: '/out/x.spdx.json', bytes: Buffer.from('{"spdxVersion":"SPDX-2.3"}'), subject });
  const m = JSON.parse(manifest.bytes.toString()) as Record<string, any>;
  assert.equal(m['artifactType'], 'application/spdx+json');
  assert.deepEqual(m['subject'], { mediaType: subject.mediaType, digest: D, size: 100 });
  assert.equal(m['layers'][0].annotations['org.opencontainers.image.title'], 'x.spdx.json');
  assert.equal(fallbackTag(D), `sha256-${'b'.repeat(64)}`);
});

test('detectFsKind reads the EroFS and SquashFS magics', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-magic-'));
  try {
    const erofs = Buffer.alloc(2048);
    erofs.writeUInt32LE(0xe0f5e1e2, 1024);
    writeFileSync(join(dir, 'a'), erofs);
    writeFileSync(join(dir, 'b'), Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(100)]));
    writeFileSync(join(dir, 'c'), 'neither');
    assert.equal(await detectFsKind(join(dir, 'a')), 'erofs');
    assert.equal(await detectFsKind(join(dir, 'b')), 'squashfs');
    assert.equal(await detectFsKind(join(dir, 'c')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
