/**
 * gzip layers across Node builds, for real: the layer compressor runs under
 * this host's Node and under a second Node build with another zlib, Debian
 * 13's own nodejs package (linked against Debian's system zlib, whose deflate
 * makes other bytes than the zlib bundled in Node's own builds), in a
 * container from the local Debian 13 stand-in base (test/helpers/standin-base.ts;
 * nodejs added from Debian's mirror, cached in podman storage by recipe).
 * fexpod's layer bytes must be the same at every level, with 1 and 2 workers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostArch } from '../../helpers/foreign-image.js';
import { integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';
import { standinBase } from '../../helpers/standin-base.js';
import type { ProbeResult } from './gzip-probe-main.js';

const req = integration(onPath('podman'), onPath('mmdebstrap'), isRoot());
/** Bump when the recipe below changes: a new tag, a new image. */
const RECIPE = 'v1';
const CONTAINERFILE = (base: string) => `FROM ${base}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs >/dev/null \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
`;

function podman(args: readonly string[]) {
  const r = spawnSync('podman', args, { encoding: 'utf8', timeout: 20 * 60_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** Debian 13 + its nodejs package, built once per machine (tagged by recipe and base). */
function debianNodeImage(): string {
  const base = standinBase(hostArch()).ref;
  const key = createHash('sha256').update(`${RECIPE}\n${base}`).digest('hex').slice(0, 12);
  const tag = `localhost/fexpod-test-debian-node:${hostArch().debian}-${key}`;
  if (spawnSync('podman', ['image', 'exists', tag]).status === 0) return tag;
  const ctx = mkdtempSync(join(tmpdir(), 'fexpod-debian-node-'));
  try {
    writeFileSync(join(ctx, 'Containerfile'), CONTAINERFILE(base));
    podman(['build', '-q', '-t', tag, '-f', join(ctx, 'Containerfile'), ctx]);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return tag;
}

/** Real Fedora artefacts from the corpus: comps XML and three RPMs (~650 KB). */
function corpusInput(): Buffer {
  const corpus = join(repoRoot(), 'test', 'fixtures', 'corpus');
  const rpms = readdirSync(join(corpus, 'rpms')).filter((f) => f.endsWith('.rpm')).sort();
  return Buffer.concat([readFileSync(join(corpus, 'comps-f41.xml.in')), ...rpms.map((f) => readFileSync(join(corpus, 'rpms', f)))]);
}

const PROBE = 'dist/test/integration/builder/gzip-probe-main.js';

test('gzip layers: Debian 13\'s nodejs (system zlib) makes the same layer bytes as this host\'s Node at every level, with 1 and 2 workers', { ...req, timeout: 30 * 60_000 }, (t) => {
  const image = debianNodeImage();
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-gzip-cross-'));
  try {
    writeFileSync(join(dir, 'input.bin'), corpusInput());
    const host = JSON.parse(spawnSync(process.execPath, [join(repoRoot(), PROBE), join(dir, 'input.bin')], { encoding: 'utf8', maxBuffer: 16 << 20 }).stdout) as ProbeResult;
    const root = repoRoot();
    const inside = JSON.parse(podman(['run', '--rm', '--network', 'none',
      '-v', `${join(root, 'dist')}:/fexpod/dist:ro`, '-v', `${join(root, 'node_modules')}:/fexpod/node_modules:ro`,
      '-v', `${join(root, 'package.json')}:/fexpod/package.json:ro`, '-v', `${dir}:/in:ro`,
      image, 'node', `/fexpod/${PROBE}`, '/in/input.bin'])) as ProbeResult;
    t.diagnostic(`host: Node ${host.node}, zlib ${host.zlib}; second build: Node ${inside.node}, zlib ${inside.zlib}`);
    // fexpod's layers are stock zlib's bytes: a Node on an unpatched system zlib may make them too, the host's bundled Chromium zlib does not
    t.diagnostic(`levels where node:zlib makes fexpod's bytes: host ${host.levels.filter((l) => l.native === l.layer1).length}/9, second build ${inside.levels.filter((l, i) => l.native === host.levels[i]?.layer1).length}/9`);
    assert.equal(inside.levels.length, 9);
    for (const [i, l] of inside.levels.entries()) {
      const h = host.levels[i];
      assert.ok(h, `level ${l.level} on the host`);
      // the precondition that makes this a proof: the two Node builds' own zlibs deflate differently
      // (Node's bundled Chromium zlib on the host, Debian's system zlib 1.3.1 in the container)
      assert.notEqual(l.native, h.native, `level ${l.level}: both Node builds' node:zlib made the same bytes; this test needs two whose zlib differs`);
      assert.equal(h.layer2, h.layer1, `level ${l.level}: host, 1 vs 2 workers`);
      assert.equal(l.layer1, h.layer1, `level ${l.level}: the layer differs across Node builds`);
      assert.equal(l.layer2, h.layer1, `level ${l.level}: the layer differs across Node builds (2 workers)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
