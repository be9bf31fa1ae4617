import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listTar } from '../../helpers/tree-listing.js';
import { demoSetup, parseBuildJson, runFexpod, tempDir } from '../../helpers/demo-build.js';

const req = integration(onPath('rpmbuild'), onPath('createrepo_c'), isRoot());

test('sysroot profile through fexpod build: absolute symlinks made relative, docs dropped, missing requirement named', req, async () => {
  const demo = await demoSetup();
  const work = tempDir('build-sysroot');
  try {
    const def = (require: string[]) => [
      'name = "demo-sysroot"', 'release = 42', 'arches = ["x86_64"]', 'profile = "sysroot"', 'packages = ["demo-busybox", "demo-gl"]',
      '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
      '[profile_options]', `require = ${JSON.stringify(require)}`,
      '[outputs]', 'formats = ["oci"]', '',
    ].join('\n');
    writeFileSync(join(demo.dir, 'sysroot.toml'), def(['usr/bin/busybox', 'usr/lib64/dri/libdemo_dri.so.1']));
    const common = ['--repo', demo.repoArg, '--cache-dir', join(work, 'cache'), '--json'];
    const r = parseBuildJson((await runFexpod(['build', join(demo.dir, 'sysroot.toml'), '-o', join(work, 'out'), ...common])).stdout);
    const layout = join(work, 'out', 'demo-sysroot.oci');
    const blob = (dg: string) => readFileSync(join(layout, 'blobs', 'sha256', dg.replace('sha256:', '')));
    const manifest = JSON.parse(blob(r.manifestDigest).toString()) as { layers: { digest: string }[] };
    const tree = await listTar(gunzipSync(blob(manifest.layers[0]?.digest ?? '')));
    assert.equal(tree.get('usr/sbin/ifconfig')?.target, '../bin/busybox', 'was /usr/bin/busybox');
    for (const [p, l] of tree) if (l.type === 'symlink') assert.ok(!l.target?.startsWith('/'), `${p} -> ${l.target}`);
    assert.equal(tree.get('usr/lib64/dri/libz.so.1')?.target, 'libdemo_dri.so.1');
    assert.ok(!tree.has('etc/ld.so.cache'), 'a sysroot gets no ld.so.cache');

    writeFileSync(join(demo.dir, 'sysroot.toml'), def(['usr/lib/gcc/*/*/crtbegin.o']));
    await assert.rejects(runFexpod(['build', join(demo.dir, 'sysroot.toml'), '-o', join(work, 'out2'), ...common]), /sysroot is incomplete: nothing matches usr\/lib\/gcc\/\*\/\*\/crtbegin\.o[\s\S]*gcc for crtbegin\.o/);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await demo.close();
  }
});
