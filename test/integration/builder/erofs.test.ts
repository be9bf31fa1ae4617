import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory, listTar, normalized } from '../../helpers/tree-listing.js';
import { sampleOutputs, withLoopMount, fileSha256, SAMPLE_EPOCH } from '../../helpers/sample-tree.js';

const req = integration(onPath('mkfs.erofs'), onPath('fakeroot'), onPath('setfattr'), isRoot());

const cases = [
  { name: 'as root (chown, setfattr on the staging tree)', privileged: true },
  { name: 'unprivileged path (owners and security.capability replayed under fakeroot)', privileged: false },
];

for (const c of cases) {
  test(`EroFS ${c.name}: loop-mounted tree equals the OCI layer tree`, req, async () => {
    const { dir, result, tar } = await sampleOutputs(['erofs'], { privileged: c.privileged, xattrs: true });
    try {
      const image = join(dir, 'sample.erofs');
      // superblock at 1024: magic, checksum, feature_compat, then blkszbits (12 = 4096-byte blocks)
      const sb = readFileSync(image).subarray(1024, 1024 + 16);
      assert.equal(sb.readUInt32LE(0), 0xe0f5e1e2);
      assert.equal(sb[12], 12, 'EroFS block size must be 4096 (muvm)');
      await withLoopMount(image, 'erofs', async (mnt) => {
        assert.deepEqual(normalized(listDirectory(mnt)), normalized(await listTar(tar)));
        // every timestamp is SOURCE_DATE_EPOCH (mkfs.erofs -T)
        for (const [p, l] of listDirectory(mnt, true)) assert.equal(l.mtime, SAMPLE_EPOCH, p);
        {
          const caps = execFileSync('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', join(mnt, 'usr/bin/ping')], { encoding: 'utf8' });
          assert.match(caps, /security.capability=0x0100000200200000002000000000000000000000/);
        }
      });
      assert.equal(result.outputs[0]?.digest, `sha256:${fileSha256(image)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('EroFS as root and via fakeroot are byte-identical (owners, setuid, xattrs)', req, async () => {
  const a = await sampleOutputs(['erofs'], { privileged: true, xattrs: true });
  const b = await sampleOutputs(['erofs'], { privileged: false, xattrs: true });
  try {
    assert.equal(fileSha256(join(a.dir, 'sample.erofs')), fileSha256(join(b.dir, 'sample.erofs')));
  } finally {
    rmSync(a.dir, { recursive: true, force: true });
    rmSync(b.dir, { recursive: true, force: true });
  }
});

test('dir output (the staging writer EroFS uses): tree, owners, mtimes and capability equal the OCI layer tree', req, async () => {
  const { dir, tar } = await sampleOutputs(['dir'], { privileged: true, xattrs: true });
  try {
    const root = join(dir, 'sample.rootfs');
    assert.deepEqual(normalized(listDirectory(root, true)), normalized(await listTar(tar, true)));
    const caps = execFileSync('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', join(root, 'usr/bin/ping')], { encoding: 'utf8' });
    assert.match(caps, /security.capability=0x0100000200200000002000000000000000000000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('EroFS does not depend on a SOURCE_DATE_EPOCH the build inherits (unset, empty, another value)', req, async () => {
  const { SOURCE_DATE_EPOCH: _, ...clean } = process.env;
  const builds = [];
  try {
    for (const env of [clean, { ...clean, SOURCE_DATE_EPOCH: '' }, { ...clean, SOURCE_DATE_EPOCH: '1' }]) {
      for (const privileged of [true, false]) builds.push(await sampleOutputs(['erofs'], { privileged, env }));
    }
    const digests = builds.map((b) => fileSha256(join(b.dir, 'sample.erofs')));
    assert.deepEqual(new Set(digests).size, 1, digests.join(' '));
  } finally {
    for (const b of builds) rmSync(b.dir, { recursive: true, force: true });
  }
});
