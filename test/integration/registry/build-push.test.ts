import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory, normalized, type Listed } from '../../helpers/tree-listing.js';
import { demoSetup, runFexpod, tempDir } from '../../helpers/demo-build.js';
import { startRegistry } from '../../helpers/registry.js';

const req = integration(onPath('docker-registry'), onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('mksquashfs'), onPath('fakeroot'), onPath('setpriv'), isRoot());
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('build --push publishes the image, the EroFS/SquashFS artifacts with SBOM referrers and a FEX index of blob URLs; rootfs install takes the EroFS; extract of the sysroot image equals build --format dir', req, async () => {
  const demo = await demoSetup();
  const reg = await startRegistry();
  const work = tempDir('build-push', 0o755);
  const repo = `fex/demo-${process.pid}`;
  try {
    const common = ['--repo', demo.repoArg, '--cache-dir', join(work, 'cache'), '--source-date-epoch', '1700000000'];
    const out = join(work, 'out');
    const r = JSON.parse((await runFexpod(['build', demo.defFile, ...common, '-o', out, '--push', `${reg.host}/${repo}:42`, '--tls-verify=false', '--json'])).stdout);
    const [image, erofs, squashfs] = r.pushed;
    assert.equal(image.reference, `${reg.host}/${repo}:42`);
    assert.equal(image.digest, r.manifestDigest);
    assert.equal(erofs.reference, `${reg.host}/${repo}:42-erofs`);
    assert.equal(erofs.artifact.digest, r.outputs.find((o: { kind: string }) => o.kind === 'erofs').digest);
    assert.equal(squashfs.reference, `${reg.host}/${repo}:42-squashfs`);
    for (const p of r.pushed) assert.equal(p.referrers[0].artifactType, 'application/spdx+json', `${p.reference}: SBOM attached`);

    // FEXRootFSFetcher's index, pointing at the blobs: the same Hash as the build's index, URLs that serve the file
    const built = JSON.parse(readFileSync(join(out, 'RootFS_links.json'), 'utf8')).v1;
    const published = JSON.parse(readFileSync(join(out, 'RootFS_links.registry.json'), 'utf8')).v1;
    assert.deepEqual(Object.keys(published).sort(), Object.keys(built).sort());
    for (const [name, e] of Object.entries<Record<string, string>>(published)) {
      assert.equal(e['Hash'], built[name].Hash);
      assert.equal(e['DistroVersion'], '42');
      const body = new Uint8Array(await (await fetch(e['URL'] ?? '')).arrayBuffer());
      assert.equal(sha(body), e['Type'] === 'erofs' ? erofs.artifact.digest : squashfs.artifact.digest, `${e['URL']} serves the file`);
    }

    const home = join(work, 'home');
    mkdirSync(home);
    const inst = JSON.parse((await runFexpod(['rootfs', 'install', '--user', '--tls-verify=false', erofs.reference, '--json'], { env: { HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', XDG_STATE_HOME: '' } })).stdout);
    assert.equal(sha(readFileSync(inst.path)), erofs.artifact.digest);
    assert.equal(inst.path, join(home, '.local', 'share', 'fex-emu', 'RootFS', 'demo.erofs'));

    // the sysroot: extract (from the registry, as root; from the layout, as nobody) = build --format dir
    writeFileSync(join(demo.dir, 'sysroot.toml'), [
      'name = "demo-sysroot"', 'release = 42', 'arches = ["x86_64"]', 'profile = "sysroot"', 'packages = ["demo-busybox", "demo-gl"]',
      '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
      '[profile_options]', 'require = ["usr/bin/busybox"]', '[outputs]', 'formats = ["oci", "dir"]', '',
    ].join('\n'));
    const s = JSON.parse((await runFexpod(['build', join(demo.dir, 'sysroot.toml'), ...common, '-o', out, '--json'])).stdout);
    const layout = s.outputs.find((o: { kind: string }) => o.kind === 'oci').path;
    const dirOut = s.outputs.find((o: { kind: string }) => o.kind === 'dir').path;
    await runFexpod(['push', '--tls-verify=false', layout, `${reg.host}/${repo}-sysroot:42`]);
    const extracted = join(work, 'extracted');
    const x = JSON.parse((await runFexpod(['extract', '--tls-verify=false', `${reg.host}/${repo}-sysroot:42`, extracted, '--json'])).stdout);
    assert.equal(x.digest, s.manifestDigest);
    const want = normalized(listDirectory(dirOut, true));
    assert.ok(Object.keys(want).length > 10);
    assert.deepEqual(normalized(listDirectory(extracted, true)), want, 'extract == build --format dir (names, types, modes, owners, targets, contents, mtimes)');

    const userOut = join(work, 'as-user');
    mkdirSync(userOut);
    chmodSync(userOut, 0o777);
    await runFexpod(['extract', layout, join(userOut, 'sysroot')], { user: 65534 });
    const noOwner = (m: Record<string, Listed>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { ...v, uid: 0, gid: 0 }]));
    assert.deepEqual(noOwner(normalized(listDirectory(join(userOut, 'sysroot'), true))), noOwner(want), 'as a normal user: the same tree (owners are the user\'s)');
  } finally {
    await reg.close();
    rmSync(work, { recursive: true, force: true });
    await demo.close();
  }
});
