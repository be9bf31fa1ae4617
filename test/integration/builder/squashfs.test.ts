import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory, listTar, normalized } from '../../helpers/tree-listing.js';
import { sampleOutputs, withLoopMount, fileSha256 } from '../../helpers/sample-tree.js';

const req = integration(onPath('mksquashfs'), onPath('unsquashfs'), onPath('fakeroot'), isRoot());

test('SquashFS: loop-mounted tree (names, types, modes, owners, targets, contents, mtimes, xattrs) equals the OCI layer tree', req, async () => {
  const { dir, result, tar } = await sampleOutputs(['squashfs'], { xattrs: true });
  try {
    const image = join(dir, 'sample.sqfs');
    assert.match(execFileSync('unsquashfs', ['-s', image], { encoding: 'utf8' }), /Compression zstd/);
    await withLoopMount(image, 'squashfs', async (mnt) => {
      assert.deepEqual(normalized(listDirectory(mnt, true)), normalized(await listTar(tar, true)));
      const caps = execFileSync('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', join(mnt, 'usr/bin/ping')], { encoding: 'utf8' });
      assert.match(caps, /security.capability=0x0100000200200000002000000000000000000000/);
    });
    // root directory: root-owned, 0755, SOURCE_DATE_EPOCH (mksquashfs 4.5.1 -tar would use the builder's uid and now)
    const listing = execFileSync('unsquashfs', ['-lln', image], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    assert.match(listing, /^drwxr-xr-x 0\/0 .* 2023-11-14 22:15 squashfs-root$/m);
    assert.equal(result.outputs[0]?.digest, `sha256:${fileSha256(image)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SquashFS as root and via fakeroot are byte-identical', req, async () => {
  const a = await sampleOutputs(['squashfs'], { privileged: true, xattrs: true });
  const b = await sampleOutputs(['squashfs'], { privileged: false, xattrs: true });
  try {
    assert.equal(fileSha256(join(a.dir, 'sample.sqfs')), fileSha256(join(b.dir, 'sample.sqfs')));
  } finally {
    rmSync(a.dir, { recursive: true, force: true });
    rmSync(b.dir, { recursive: true, force: true });
  }
});
