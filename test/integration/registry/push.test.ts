import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Arch } from '../../../src/common/arch.js';
import { silentLogger } from '../../../src/common/log.js';
import { processRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { hostArch, sampleTree, SAMPLE_EPOCH } from '../../helpers/sample-tree.js';
import { runFexpod } from '../../helpers/demo-build.js';
import { blobUploads, startProxy, startRegistry } from '../../helpers/registry.js';

const run = promisify(execFile);
const req = integration(onPath('docker-registry'), onPath('skopeo'), onPath('podman'), isRoot());

/** A layout of the sample tree (the host's static busybox) labelled with `arch`. */
async function sampleLayout(dir: string, arch: Arch, name: string): Promise<{ path: string; digest: string }> {
  const r = await writeOutputs(
    {
      entries: sampleTree(), formats: ['oci', 'oci-archive', 'sbom'], outDir: dir, names: defaultOutputNames(name), arch, sourceDateEpoch: SAMPLE_EPOCH,
      image: { refName: `${name}:latest`, createdBy: 'fexpod test', cmd: ['/bin/sh'] },
      sbom: { imageName: name, distro: { id: 'fedora', release: '42' }, packages: [], toolVersion: 'test' },
    },
    { runner: processRunner, privileged: true, pageSize: 4096, env: process.env, log: silentLogger },
  );
  return { path: join(dir, `${name}.oci`), digest: r.manifestDigest };
}

async function podman(args: string[]): Promise<string> {
  return (await run('podman', args, { encoding: 'utf8', maxBuffer: 16 << 20 })).stdout;
}

test('push to an anonymous registry: skopeo and podman agree on the digest, the image runs, a re-push uploads no blob', req, async () => {
  const reg = await startRegistry();
  const proxy = await startProxy(reg.host);
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-push-'));
  const repo = `fex/sample-${process.pid}`;
  const ref = `${proxy.host}/${repo}:1`;
  const local = `${reg.host}/${repo}:1`;
  try {
    const img = await sampleLayout(dir, hostArch(), 'sample');
    const sbom = join(dir, 'sample.spdx.json');
    const first = JSON.parse((await runFexpod(['push', '--tls-verify=false', img.path, ref, '--sbom', sbom, '--json'])).stdout);
    assert.equal(first.digest, img.digest, 'the layout manifest is pushed byte for byte');
    assert.equal(first.changed, true);
    assert.equal(first.blobs.uploaded, 4, 'layer, config, SBOM, empty config');
    assert.equal(first.referrers[0].via, 'tag', "Debian's registry has no referrers API: the fallback tag");
    const manifestPuts = proxy.requests.filter((r) => r.method === 'PUT' && (r.path.endsWith(`/manifests/${img.digest}`) || r.path.endsWith('/manifests/1')));
    assert.deepEqual(manifestPuts.map((r) => r.path), [`/v2/${repo}/manifests/1`], 'the image manifest is written once, by its tag, after its blobs');

    const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${local}`])).stdout);
    assert.equal(info.Digest, img.digest);
    assert.equal(info.Architecture, hostArch().oci.architecture);
    const index = JSON.parse((await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/${repo}:sha256-${img.digest.slice(7)}`])).stdout);
    assert.deepEqual(index.manifests.map((m: { digest: string }) => m.digest), [first.referrers[0].digest]);

    await podman(['pull', '-q', '--tls-verify=false', local]);
    const inspected = JSON.parse(await podman(['image', 'inspect', local]))[0];
    assert.equal(inspected.Digest, img.digest, 'podman pulled the digest fexpod pushed');
    assert.equal(await podman(['run', '--rm', local, 'cat', '/usr/share/hello.txt']), 'hello from fexpod\n');

    proxy.requests.length = 0;
    const again = JSON.parse((await runFexpod(['push', '--tls-verify=false', img.path, ref, '--sbom', sbom, '--json'])).stdout);
    assert.equal(again.changed, false);
    assert.equal(again.referrers[0].via, 'present');
    assert.deepEqual(blobUploads(proxy.requests), [], 're-push uploads no blob');
    assert.ok(!proxy.requests.some((r) => r.method === 'PUT'), `nothing written: ${proxy.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    assert.ok(proxy.requests.length <= 6, `${proxy.requests.length} requests`);
    assert.ok(!proxy.requests.some((r) => r.path.includes('/blobs/')), 'the tag names the digest: no blob is asked about');

    // nor read: a layout holding only index.json and the manifest re-pushes, to the same
    // tag and to a new one (the registry has the manifest by digest: no blob is checked)
    const bare = join(dir, 'bare.oci');
    mkdirSync(join(bare, 'blobs', 'sha256'), { recursive: true });
    for (const f of ['index.json', 'oci-layout', `blobs/sha256/${img.digest.slice(7)}`]) copyFileSync(join(img.path, f), join(bare, f));
    proxy.requests.length = 0;
    const bareAgain = JSON.parse((await runFexpod(['push', '--tls-verify=false', bare, ref, '--json'])).stdout);
    assert.equal(bareAgain.changed, false);
    assert.deepEqual(proxy.requests.map((r) => `${r.method} ${r.path} ${r.status}`), [`HEAD /v2/${repo}/manifests/1 200`], 'the whole re-push is one request (it stands for the /v2/ ping too)');
    proxy.requests.length = 0;
    const newTag = JSON.parse((await runFexpod(['push', '--tls-verify=false', bare, `${proxy.host}/${repo}:2`, '--json'])).stdout);
    assert.equal(newTag.digest, img.digest);
    assert.equal(newTag.changed, true, 'the new tag was written');
    assert.deepEqual([newTag.blobs.uploaded, newTag.blobs.existing, newTag.blobs.manifestsExisting], [0, 0, 1]);
    assert.ok(!proxy.requests.some((r) => r.path.includes('/blobs/')), `no blob request: ${proxy.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    assert.deepEqual(proxy.requests.filter((r) => r.method === 'PUT').map((r) => r.path), [`/v2/${repo}/manifests/2`], 'only the new tag is written');

    // the oci-archive of the same image: unpacked, each blob checked, the same digest
    const fromArchive = JSON.parse((await runFexpod(['push', '--tls-verify=false', join(dir, 'sample.oci.tar'), `${proxy.host}/${repo}:archive`, '--json'])).stdout);
    assert.equal(fromArchive.digest, img.digest);
    assert.equal(fromArchive.blobs.uploaded, 0);

    // the same blobs to another repository: mounted, not uploaded
    proxy.requests.length = 0;
    const mounted = JSON.parse((await runFexpod(['push', '--tls-verify=false', img.path, `${proxy.host}/${repo}-copy:1`, '--mount-from', repo, '--json'])).stdout);
    assert.equal(mounted.blobs.mounted, 2);
    assert.ok(!proxy.requests.some((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/'))), 'no blob bytes sent');
  } finally {
    await podman(['rmi', '-f', local]).catch(() => '');
    await proxy.close();
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an image index with two platforms: pushed as one reference, each platform pulls (podman, skopeo, fexpod)', req, async () => {
  const reg = await startRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-index-'));
  const repo = `fex/multi-${process.pid}`;
  const local = `${reg.host}/${repo}:1`;
  const native = hostArch();
  const foreign = Arch.parse(native.name === 'x86_64' ? 'aarch64' : 'x86_64');
  try {
    const a = await sampleLayout(join(dir, 'a'), native, 'multi');
    const b = await sampleLayout(join(dir, 'b'), foreign, 'multi');
    const r = JSON.parse((await runFexpod(['push', '--tls-verify=false', a.path, b.path, local, '--json'])).stdout);
    assert.equal(r.kind, 'index');
    assert.deepEqual(r.manifests.map((m: { digest: string }) => m.digest).sort(), [a.digest, b.digest].sort());
    const raw = (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${local}`], { encoding: 'buffer' })).stdout as Buffer;
    assert.equal(`sha256:${createHash('sha256').update(raw).digest('hex')}`, r.digest, 'the index is stored as the bytes hashed');
    for (const [arch, want] of [[native, a], [foreign, b]] as const) {
      const platform = `linux/${arch.oci.architecture}${arch.oci.variant ? `/${arch.oci.variant}` : ''}`;
      const sk = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', '--override-arch', arch.oci.architecture, `docker://${local}`])).stdout);
      assert.equal(sk.Architecture, arch.oci.architecture);
      await podman(['pull', '-q', '--tls-verify=false', '--platform', platform, local]);
      const img = JSON.parse(await podman(['image', 'inspect', local]))[0];
      assert.equal(img.Architecture, arch.oci.architecture);
      const manifest = JSON.parse(readFileSync(join(want.path, 'blobs', 'sha256', want.digest.slice(7)), 'utf8'));
      assert.equal(`sha256:${img.Id}`, manifest.config.digest, `${platform}: podman has that platform's image`);
      await podman(['rmi', '-f', local]);
      const out = join(dir, `pulled-${arch.name}`);
      const p = JSON.parse((await runFexpod(['pull', '--tls-verify=false', local, '-o', out, '--platform', platform, '--json'])).stdout);
      assert.equal(p.digest, want.digest);
      const idx = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
      assert.equal(idx.manifests[0].digest, want.digest);
    }
    // a directory of the user's own files is never replaced by a pull
    mkdirSync(join(dir, 'mine'));
    writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep me');
    await assert.rejects(runFexpod(['pull', '--tls-verify=false', local, '-o', join(dir, 'mine')]), /exists and is not an OCI image layout/);
    assert.equal(readFileSync(join(dir, 'mine', 'notes.txt'), 'utf8'), 'keep me');
  } finally {
    await podman(['rmi', '-f', local]).catch(() => '');
    await reg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
