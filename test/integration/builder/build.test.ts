import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory, listTar, normalized } from '../../helpers/tree-listing.js';
import { withLoopMount } from '../../helpers/sample-tree.js';
import { makeDemoRepo } from '../../helpers/demo-repo.js';
import { buildDemoStandin } from '../../helpers/demo-build.js';

const req = integration(onPath('podman'), onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('mksquashfs'), onPath('fakeroot'), isRoot());

function layerTarOf(layout: string): Uint8Array {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (d: string) => readFileSync(join(layout, 'blobs', 'sha256', d.replace('sha256:', '')));
  const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString()) as { layers: { digest: string }[] };
  return gunzipSync(blob(manifest.layers[0]?.digest ?? ''));
}

test('build demo (stand-in resolver, real rpmbuild repo + install + profile + outputs): container runs, EroFS and SquashFS trees equal the OCI layer', req, async () => {
  const repo = makeDemoRepo(mkdtempSync(join(tmpdir(), 'fexpod-demo-repo-')));
  const out = mkdtempSync(join(tmpdir(), 'fexpod-build-'));
  const tag = 'localhost/demo:latest';
  try {
    const r = await buildDemoStandin(out, ['oci', 'oci-archive', 'erofs', 'squashfs', 'sbom'], repo.dir);
    assert.equal(r.packages, 5);
    // The container runs (static busybox from an RPM) and shows the rootfs profile's effect.
    execFileSync('podman', ['load', '-q', '-i', join(out, 'demo.oci.tar')]);
    const run = execFileSync('podman', ['run', '--rm', tag, '/bin/sh', '-c',
      'uname -m; cat /usr/share/demo/hello.txt; stat -c "%a %u:%g" /usr/libexec/demo/suid-helper /var/lib/demo/score; ls /home /boot 2>&1 | wc -l'], { encoding: 'utf8' });
    const [arch, hello, suid, score] = run.split('\n');
    assert.equal(arch, execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    assert.equal(hello, 'hello from the fexpod demo image');
    assert.equal(suid, '755 0:0', 'setuid stripped by the rootfs profile');
    assert.equal(score, '664 12:20', 'owner names mapped through the tree\'s own passwd/group');
    const layer = await listTar(layerTarOf(join(out, 'demo.oci')));
    for (const gone of ['etc/passwd', 'etc/shadow', 'etc/hosts', 'home', 'boot', 'tmp', 'root', 'var/run']) assert.ok(!layer.has(gone), gone);
    for (const kept of ['etc/os-release', 'etc/ld.so.conf', 'etc/alternatives', 'proc', 'usr/bin/busybox']) assert.ok(layer.has(kept), kept);
    await withLoopMount(join(out, 'demo.erofs'), 'erofs', async (mnt) => assert.deepEqual(normalized(listDirectory(mnt)), normalized(layer)));
    await withLoopMount(join(out, 'demo.sqfs'), 'squashfs', async (mnt) => assert.deepEqual(normalized(listDirectory(mnt)), normalized(layer)));
    const sbom = JSON.parse(readFileSync(join(out, 'demo.spdx.json'), 'utf8')) as { packages: { name: string }[] };
    assert.deepEqual(sbom.packages.map((p) => p.name).sort(), ['basesystem', 'demo', 'demo-busybox', 'demo-filesystem', 'filesystem', 'setup']);
  } finally {
    try { execFileSync('podman', ['rmi', '-f', tag], { stdio: 'ignore' }); } catch { /* not loaded */ }
    rmSync(out, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  }
});

test('build demo as an unprivileged user (stand-in resolver): OCI, EroFS (fakeroot) and SquashFS equal a root build', req, async () => {
  const repo = makeDemoRepo(mkdtempSync(join(tmpdir(), 'fexpod-demo-repo-')));
  const rootOut = mkdtempSync(join(tmpdir(), 'fexpod-build-root-'));
  const userOut = mkdtempSync(join(tmpdir(), 'fexpod-build-user-'));
  chownSync(userOut, 65534, 65534);
  chmodSync(repo.dir, 0o755);
  const script = new URL('../../helpers/demo-build.js', import.meta.url).pathname;
  const formats = 'oci,erofs,squashfs';
  try {
    const asRoot = JSON.parse(execFileSync('node', [script, join(rootOut, 'o'), formats, repo.dir], { encoding: 'utf8' })) as { manifestDigest: string; outputs: { kind: string; digest: string }[] };
    const asUser = JSON.parse(execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all',
      'env', `HOME=${userOut}`, 'node', script, join(userOut, 'o'), formats, repo.dir], { encoding: 'utf8' })) as typeof asRoot;
    assert.equal(asUser.manifestDigest, asRoot.manifestDigest);
    assert.deepEqual(asUser.outputs.map((o) => [o.kind, o.digest]), asRoot.outputs.map((o) => [o.kind, o.digest]));
  } finally {
    rmSync(rootOut, { recursive: true, force: true });
    rmSync(userOut, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  }
});
