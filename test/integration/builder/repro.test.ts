import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { buildTwiceApart, demoSetup, tempDir } from '../../helpers/demo-build.js';

const req = integration(onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('mksquashfs'), isRoot());

for (const compression of ['gzip', 'zstd', 'zstd:chunked']) test(`two builds (${compression} layer) from the same lock in different dirs, umask 022/077, TZ UTC/Asia/Tokyo: identical manifest, EroFS, SquashFS, archive, SBOM`, req, async () => {
  const demo = await demoSetup();
  const dirs = [tempDir('repro-a'), tempDir('repro-bb')] as const;
  try {
    const [a, b] = await buildTwiceApart(demo, dirs, (d) => ['--compression', compression, '--format', 'oci,oci-archive,erofs,squashfs,sbom', '-o', join(d, 'nested', 'out')]);
    assert.ok(a && b);
    assert.equal(a.diffId, b.diffId);
    assert.equal(a.manifestDigest, b.manifestDigest);
    assert.equal(a.outputs.length, 5);
    assert.deepEqual(a.outputs.map((o) => [o.kind, o.digest]), b.outputs.map((o) => [o.kind, o.digest]));
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await demo.close();
  }
});
