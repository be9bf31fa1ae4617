/**
 * gzip layers are the same bytes on every machine, whatever Node/zlib build
 * runs fexpod: the pinned encoder's bytes (GOLDEN below, the same on every
 * machine that runs this test), never node:zlib's. The cross-build proof with
 * a second Node build is test/integration/builder/gzip-cross-node.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { compressPool } from '../../../src/builder/layer/compress-pool.js';
import type { DeflateEncoder } from '../../../src/builder/layer/deflate-block.js';
import { writeLayer } from '../../../src/builder/layer/layer-writer.js';
import { GZIP_BLOCK, ParallelGzip } from '../../../src/builder/layer/parallel-gzip.js';
import { bufferContent, type TreeEntry } from '../../../src/builder/tree/tree.js';
import { repoRoot } from '../../helpers/integration.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Real Fedora artefacts from the corpus: comps XML (text) and three RPMs (headers + compressed payloads). */
function realInput(): Buffer {
  const corpus = join(repoRoot(), 'test', 'fixtures', 'corpus');
  const rpms = readdirSync(join(corpus, 'rpms')).filter((f) => f.endsWith('.rpm')).sort();
  return Buffer.concat([readFileSync(join(corpus, 'comps-f41.xml.in')), ...rpms.map((f) => readFileSync(join(corpus, 'rpms', f)))]);
}

/**
 * sha256 of the gzip stream of realInput() in 64 KiB blocks, per level: the
 * bytes of pako 3.0.3 with Chromium's hash, which are also those of Node's
 * own builds (official builds 20.15.0 and 20.20.2 checked with node:zlib).
 * A change here is a reproducibility break: every gzip layer digest changes.
 */
const GOLDEN: Record<number, string> = {
  1: '0dfa40b653a57c087d6bcede0b55e87a50715079453fd3a8b11f042e8161a966',
  2: '8ae8be3811b8526c142783dee8eee049341c47f69d13a886bba41ab011360710',
  3: 'd957234f483242702cc3315d1238cc35eea2e2b19872ae3dcb184bd8244d43b5',
  4: '630a781d1688eacc82e127cd105cb4b33e8ebe819cf2c1e2e5ac57429405ee94',
  5: 'd9b63b5d9bf49960706e60cfd7d4d8097fc04974cfd7de515aa0931b5ecefe36',
  6: '3e67767db3ce73ff8ccbcbf775967838f780c4bff5655ea21157edac04f9908a',
  7: '9b7103ea5fa18d45c3d8bf1de318ffa2006941f9b9dea3b218f6515a562cb57c',
  8: '757c6dcf5ec31863f3d0420b3f15ab074b631e1cd2dacbdc73dabddc3742c323',
  9: 'ee4c66f01ecf6275b6abf6821de4fa17f65408b4ab407de516619f91f30040fd',
};

async function gzip(data: Uint8Array, level: number, encoder: DeflateEncoder, workers: number, blockSize = 64 * 1024): Promise<Buffer> {
  const pool = compressPool(workers);
  const parts: Uint8Array[] = [];
  try {
    const gz = new ParallelGzip(pool, level, (b) => { parts.push(b.slice()); }, { encoder, blockSize });
    await gz.push(data);
    await gz.end();
  } finally {
    await pool.close();
  }
  return Buffer.concat(parts);
}

const input = realInput();
for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  test(`gzip level ${level}: the pinned encoder makes the golden bytes, in the calling thread and with 2 workers`, async () => {
    const pinned = await gzip(input, level, 'pinned', 0);
    assert.deepEqual(gunzipSync(pinned), input);
    assert.equal(sha(pinned), GOLDEN[level], `level ${level}: the pinned encoder's bytes changed`);
    assert.equal(sha(await gzip(input, level, 'pinned', 2)), GOLDEN[level], `level ${level}: 2 workers`);
  });
}

test('writeLayer: a gzip layer is the pinned encoder\'s gzip of its tar, the same with 1 and 2 workers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-gzip-repro-'));
  const pools = [compressPool(1), compressPool(2)];
  try {
    const entries: TreeEntry[] = [
      { path: 'etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { path: 'etc/input.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: bufferContent(input) },
    ];
    const [a, b] = await Promise.all(pools.map((pool, i) => writeLayer({ entries, sourceDateEpoch: 1700000000, dest: join(dir, String(i)), compression: 'gzip' }, pool)));
    assert.ok(a && b);
    assert.equal(b.digest, a.digest);
    const blob = readFileSync(join(dir, '0'));
    assert.equal(`sha256:${sha(blob)}`, a.digest);
    const tar = gunzipSync(blob);
    assert.equal(`sha256:${sha(tar)}`, a.diffId);
    // the production block size, the pinned encoder: the same bytes as the layer
    const again = await gzip(tar, 4, 'pinned', 2, GZIP_BLOCK);
    assert.equal(`sha256:${sha(again)}`, a.digest);
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  }
});
