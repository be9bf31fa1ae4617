import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory } from '../../helpers/tree-listing.js';
import { withLoopMount } from '../../helpers/sample-tree.js';
import { demoSetup, parseBuildJson, runFexpod, tempDir } from '../../helpers/demo-build.js';

const req = integration(onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('ldconfig'), isRoot());

test('overlay profile: an EroFS overlay (stand-in GL driver) on the demo RootFS holds only what it adds, and stacks with overlayfs', req, async () => {
  const demo = await demoSetup();
  const work = tempDir('build-overlay');
  const mounts: string[] = [];
  try {
    // base = the demo definition next to it (demoSetup wrote it with the right keys)
    writeFileSync(join(demo.dir, 'demo-overlay.toml'), [
      'name = "demo-overlay"', 'release = 42', 'arches = ["x86_64"]', 'profile = "overlay"', 'base = "demo.toml"', 'packages = ["demo-gl"]',
      '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
      '[outputs]', 'formats = ["erofs", "sbom"]', 'erofs_name = "demo-overlay.erofs"', '',
    ].join('\n'));
    const common = ['--repo', demo.repoArg, '--cache-dir', join(work, 'cache'), '--json'];
    const base = parseBuildJson((await runFexpod(['build', demo.defFile, '--format', 'erofs', '-o', join(work, 'base'), ...common])).stdout);
    const ovl = parseBuildJson((await runFexpod(['build', join(demo.dir, 'demo-overlay.toml'), '-o', join(work, 'ovl'), ...common])).stdout);
    assert.equal(base.outputs.length, 1);
    await withLoopMount(join(work, 'ovl', 'demo-overlay.erofs'), 'erofs', async (ovlMnt) => {
      const listed = [...listDirectory(ovlMnt).keys()].sort();
      assert.deepEqual(listed, [
        'etc', 'etc/ld.so.cache', 'etc/ld.so.conf.d', 'etc/ld.so.conf.d/demo-gl.conf',
        'usr', 'usr/lib64', 'usr/lib64/dri', 'usr/lib64/dri/libdemo_dri.so', 'usr/lib64/dri/libdemo_dri.so.1', 'usr/lib64/dri/libz.so.1',
      ]);
      await withLoopMount(join(work, 'base', 'demo.erofs'), 'erofs', async (baseMnt) => {
        const merged = join(work, 'merged');
        mkdirSync(merged);
        execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${ovlMnt}:${baseMnt}`, merged]);
        mounts.push(merged);
        const files = listDirectory(merged);
        assert.ok(files.has('usr/bin/busybox') && files.has('usr/lib64/dri/libdemo_dri.so.1'));
        // the overlay's ld.so.cache knows the new library (glibc's ldconfig reads it)
        const cache = execFileSync('ldconfig', ['-p', '-C', join(merged, 'etc', 'ld.so.cache')], { encoding: 'utf8' });
        assert.match(cache, /libz\.so\.1 \(libc6,x86-64\) => \/usr\/lib64\/dri\/libz\.so\.1/);
        assert.equal(listDirectory(merged).get('usr/lib64/dri/libz.so.1')?.target, 'libdemo_dri.so.1');
      });
    });
    assert.ok(ovl.outputs.some((o) => o.kind === 'sbom'));
  } finally {
    for (const m of mounts) execFileSync('umount', [m]);
    rmSync(work, { recursive: true, force: true });
    await demo.close();
  }
});
