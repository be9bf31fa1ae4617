import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory, listTar, normalized } from '../../helpers/tree-listing.js';
import { withLoopMount } from '../../helpers/sample-tree.js';
import { demoSetup, parseBuildJson, runFexpod, tempDir } from '../../helpers/demo-build.js';

const req = integration(onPath('podman'), onPath('xxhsum'), onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('mksquashfs'), onPath('fakeroot'), isRoot());

function layerTarOf(layout: string): Uint8Array {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (d: string) => readFileSync(join(layout, 'blobs', 'sha256', d.replace('sha256:', '')));
  const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString()) as { layers: { digest: string }[] };
  return gunzipSync(blob(manifest.layers[0]?.digest ?? ''));
}

test('fexpod build images/demo.toml from a loopback repo: lock written, container runs, EroFS and SquashFS trees equal the OCI layer', req, async () => {
  const demo = await demoSetup();
  const work = tempDir('build');
  const tag = 'localhost/demo:latest';
  try {
    const { stdout, stderr } = await runFexpod(['build', demo.defFile, '--repo', demo.repoArg, '--output', join(work, 'out'), '--cache-dir', join(work, 'cache'), '--json']);
    const r = parseBuildJson(stdout);
    assert.equal(r.packages, 5);
    assert.ok(existsSync(join(demo.dir, 'demo.lock.json')), 'the lock is written next to the definition');
    assert.match(stderr, /"step":"profile rootfs"/);
    execFileSync('podman', ['load', '-q', '-i', join(work, 'out', 'demo.oci.tar')]);
    const run = execFileSync('podman', ['run', '--rm', tag, '/bin/sh', '-c',
      'uname -m; cat /usr/share/demo/hello.txt; stat -c "%a %u:%g" /usr/libexec/demo/suid-helper /var/lib/demo/score; test -s /etc/ld.so.cache && echo cache'], { encoding: 'utf8' });
    assert.deepEqual(run.split('\n'), [
      execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim(),
      'hello from the fexpod demo image',
      '755 0:0', // setuid stripped by the rootfs profile
      '664 12:20', // owner names mapped through the tree's own passwd/group
      'cache',
      '',
    ]);
    const layer = await listTar(layerTarOf(join(work, 'out', 'demo.oci')));
    for (const gone of ['etc/passwd', 'etc/shadow', 'etc/hosts', 'etc/hostname', 'home', 'boot', 'tmp', 'root', 'var/run', 'var/tmp']) assert.ok(!layer.has(gone), gone);
    for (const kept of ['etc/os-release', 'etc/ld.so.conf', 'etc/ld.so.cache', 'etc/alternatives', 'proc', 'usr/bin/busybox']) assert.ok(layer.has(kept), kept);
    await withLoopMount(join(work, 'out', 'demo.erofs'), 'erofs', async (mnt) => assert.deepEqual(normalized(listDirectory(mnt)), normalized(layer)));
    await withLoopMount(join(work, 'out', 'demo.sqfs'), 'squashfs', async (mnt) => assert.deepEqual(normalized(listDirectory(mnt)), normalized(layer)));
    const index = JSON.parse(readFileSync(join(work, 'out', 'RootFS_links.json'), 'utf8')) as { v1: Record<string, { Type: string; Hash: string; URL: string }> };
    assert.deepEqual(Object.keys(index.v1).sort(), ['demo 42 (EroFS)', 'demo 42 (SquashFS)']);
    assert.equal(index.v1['demo 42 (EroFS)']?.URL, 'demo.erofs');
    // XXH3-64 as the reference implementation computes it (xxhsum -H3)
    for (const [name, file] of [['demo 42 (EroFS)', 'demo.erofs'], ['demo 42 (SquashFS)', 'demo.sqfs']] as const) {
      const ref = execFileSync('xxhsum', ['-H3', join(work, 'out', file)], { encoding: 'utf8' });
      assert.equal(`XXH3 (${join(work, 'out', file)}) = ${index.v1[name]?.Hash}\n`, ref);
    }
    const sbom = JSON.parse(readFileSync(join(work, 'out', 'demo.spdx.json'), 'utf8')) as { packages: { name: string; downloadLocation: string }[] };
    assert.deepEqual(sbom.packages.map((p) => p.name).sort(), ['basesystem', 'demo', 'demo-busybox', 'demo-filesystem', 'filesystem', 'setup']);
    assert.ok(sbom.packages.filter((p) => p.name !== 'demo').every((p) => p.downloadLocation.startsWith(demo.mirrors.mirrorUrl(0))));
  } finally {
    try { execFileSync('podman', ['rmi', '-f', tag], { stdio: 'ignore' }); } catch { /* not loaded */ }
    rmSync(work, { recursive: true, force: true });
    await demo.close();
  }
});

test('fexpod build as an unprivileged user (uid 65534, no caps, own cache): OCI, EroFS and SquashFS byte-identical to a root build', req, async () => {
  const demo = await demoSetup();
  const rootWork = tempDir('build-root');
  const userWork = tempDir('build-user', 0o755);
  chownSync(userWork, 65534, 65534);
  try {
    const base = ['build', demo.defFile, '--repo', demo.repoArg, '--format', 'oci,erofs,squashfs', '--json'];
    // one lock for both (the user cannot write next to the definition)
    await runFexpod(['lock', demo.defFile, '--repo', demo.repoArg]);
    const asRoot = parseBuildJson((await runFexpod([...base, '--locked', '-o', join(rootWork, 'out'), '--cache-dir', join(rootWork, 'cache')])).stdout);
    const asUser = parseBuildJson((await runFexpod([...base, '--locked', '-o', join(userWork, 'out'), '--cache-dir', join(userWork, 'cache')], {
      user: 65534, env: { HOME: userWork }, cwd: userWork,
    })).stdout);
    assert.equal(asUser.manifestDigest, asRoot.manifestDigest);
    assert.deepEqual(asUser.outputs.map((o) => [o.kind, o.digest]), asRoot.outputs.map((o) => [o.kind, o.digest]));
  } finally {
    rmSync(rootWork, { recursive: true, force: true });
    rmSync(userWork, { recursive: true, force: true });
    await demo.close();
  }
});

test('--locked without a lock fails with the command that makes one', req, async () => {
  const demo = await demoSetup();
  const work = tempDir('build-locked');
  try {
    await assert.rejects(runFexpod(['build', demo.defFile, '--repo', demo.repoArg, '--locked', '-o', join(work, 'out'), '--cache-dir', join(work, 'cache')]), /no lock file[\s\S]*fexpod lock/);
    assert.ok(!existsSync(join(work, 'out')), 'no partial output');
  } finally {
    rmSync(work, { recursive: true, force: true });
    await demo.close();
  }
});
