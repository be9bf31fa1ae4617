/**
 * The builder image (containerfiles/fexpod.Containerfile), built for real with
 * podman from the local stand-in for Fedora's base (Debian 13 via mmdebstrap:
 * no registry is reachable here). Inside it, as the image's non-root user,
 * `fexpod build images/demo.toml` against the loopback demo repository must
 * give the same image as the same build on the host: the same manifest digest,
 * although the image's Node (Debian's, system zlib) and the host's deflate
 * differently (the gzip layer is the pinned encoder's bytes on both).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostArch } from '../../helpers/foreign-image.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { demoSetup, parseBuildJson, runFexpod } from '../../helpers/demo-build.js';
import { standinBase } from '../../helpers/standin-base.js';
import { podmanAsync } from '../runtime-hook/hook-host.js';
import { buildBuilderImage, imageSize, mib, podman } from './builder-image.js';

const host = hostArch();
const req = integration(onPath('podman'), onPath('mmdebstrap'), isRoot());
const EPOCH = '1700000000';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An OCI layout's config, gzip layer bytes, and manifest with the layer's digest/size set aside. */
function readImage(layout: string) {
  const blob = (d: string) => readFileSync(join(layout, 'blobs', 'sha256', d.slice('sha256:'.length)));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
  const layer = manifest.layers[0] ?? { digest: '', size: 0 };
  return {
    config: manifest.config,
    layer: blob(layer.digest),
    manifestSansLayer: { ...manifest, layers: manifest.layers.map((l) => ({ ...l, digest: '(compressed)', size: 0 })) },
  };
}

test(`builder image for ${host.oci.architecture} (stand-in Fedora base): non-root demo build inside gives the host build's manifest digest`, { ...req, timeout: 40 * 60_000 }, async (t) => {
  const base = standinBase(host);
  t.diagnostic(`stand-in base ${base.ref} (${base.built ? 'made now' : 'cached'})`);
  const tag = `localhost/fexpod-builder-test:${host.oci.architecture}-${process.pid}`;
  const dirs: string[] = [];
  const s = await demoSetup();
  try {
    const b = buildBuilderImage(host, base.ref, tag);
    t.diagnostic(`podman build: ${b.seconds.toFixed(0)} s (${b.output.includes('Using cache') ? 'package layers from podman\'s cache' : 'cold'}); image ${mib(imageSize(tag))}`);

    await t.test('the image: entrypoint fexpod, user fexpod (uid 1000), cache volume, no build toolchain', () => {
      const cfg = JSON.parse(podman(['image', 'inspect', '--format', '{{json .Config}}', tag]).stdout) as { User?: string; Entrypoint?: string[]; Volumes?: Record<string, unknown>; WorkingDir?: string };
      assert.equal(cfg.User, 'fexpod');
      assert.deepEqual(cfg.Entrypoint, ['fexpod']);
      assert.ok(cfg.Volumes && '/var/cache/fexpod' in cfg.Volumes, JSON.stringify(cfg.Volumes));
      assert.equal(cfg.WorkingDir, '/work');
      const v = podman(['run', '--rm', tag, '--version']);
      assert.equal(v.status, 0, v.stderr);
      assert.match(v.stdout, /^fexpod \d+\.\d+\.\d+/);
      const who = podman(['run', '--rm', '--entrypoint', 'id', tag, '-u']);
      assert.equal(who.stdout.trim(), '1000');
      const tools = podman(['run', '--rm', '--entrypoint', 'sh', tag, '-c',
        'for c in node python3 mkfs.erofs mksquashfs fakeroot patchelf zstd xz bzip2 flock getconf; do command -v $c >/dev/null || echo "missing $c"; done;' +
        'for c in npm npx tsc gcc; do command -v $c >/dev/null && echo "has $c"; done; ls -d /usr/lib/fexpod/node_modules/typescript 2>/dev/null; true']);
      assert.equal(tools.status, 0, tools.stderr);
      assert.equal(tools.stdout.trim(), '', tools.stdout);
    });

    await t.test('fexpod build images/demo.toml inside (non-root): the host build\'s layer tar, config, gzip bytes and manifest digest', async () => {
      const hostOut = mkdtempSync(join(tmpdir(), 'fexpod-bi-host-'));
      const ctrOut = mkdtempSync(join(tmpdir(), 'fexpod-bi-ctr-'));
      const cache = mkdtempSync(join(tmpdir(), 'fexpod-bi-cache-'));
      dirs.push(hostOut, ctrOut, cache);
      chownSync(ctrOut, 1000, 1000);
      const onHost = parseBuildJson((await runFexpod(['build', s.defFile, '--repo', s.repoArg, '--format', 'oci', '-o', hostOut, '--cache-dir', cache, '--source-date-epoch', EPOCH, '--json'])).stdout);
      // The lock the host build wrote next to demo.toml is used as is (--locked); the definition
      // dir is mounted read-only. Asynchronously: the demo repository is served by this process.
      const r = await podmanAsync(['run', '--rm', '--network', 'host', '-v', `${s.dir}:${s.dir}:ro`, '-v', `${ctrOut}:/out`, tag,
        'build', s.defFile, '--repo', s.repoArg, '--locked', '--format', 'oci', '-o', '/out', '--source-date-epoch', EPOCH, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const inside = parseBuildJson(r.stdout);
      assert.equal(inside.packages, onHost.packages);
      assert.equal(inside.diffId, onHost.diffId, 'the layer tar differs');
      const a = readImage(join(hostOut, 'demo.oci'));
      const b = readImage(join(ctrOut, 'demo.oci'));
      assert.equal(b.config.digest, a.config.digest, 'the image config differs');
      assert.deepEqual(b.manifestSansLayer, a.manifestSansLayer, 'the manifest differs beyond the compressed layer');
      assert.equal(sha256(gunzipSync(b.layer)), onHost.diffId, 'the layer inside decompresses to the host\'s tar');
      // the gzip bytes too: the image's Node is Debian's (system zlib), the host's is another build
      assert.equal(sha256(b.layer), sha256(a.layer), 'the gzip layer bytes differ');
      assert.equal(inside.manifestDigest, onHost.manifestDigest, 'the manifest digest differs');
      const zlib = podman(['run', '--rm', '--entrypoint', 'node', tag, '-p', 'process.version + " zlib " + process.versions.zlib']).stdout.trim();
      t.diagnostic(`same manifest digest ${onHost.manifestDigest}: host Node ${process.version} zlib ${process.versions.zlib}, image Node ${zlib}`);
    });
  } finally {
    podman(['rmi', '-f', tag]);
    await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
