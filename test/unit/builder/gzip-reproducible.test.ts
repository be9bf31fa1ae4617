/**
 * gzip layers are the same bytes on every machine, whatever Node/zlib build
 * runs fexpod: the pinned encoder's bytes (zlib 1.3.1 in WebAssembly; GOLDEN
 * below, the same on every machine that runs this test), never node:zlib's,
 * and the same as an independent implementation's, pako with zlib's hash (the
 * oracle, test/helpers/pako-oracle.ts). The cross-build proof with a second
 * Node build is test/integration/builder/gzip-cross-node.test.ts; the module
 * rebuilt from the vendored source, test/integration/builder/zlib-wasm-rebuild.test.ts.
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
import { pakoPool } from '../../helpers/pako-oracle.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Real Fedora artefacts from the corpus: comps XML (text) and three RPMs (headers + compressed payloads). */
function realInput(): Buffer {
  const corpus = join(repoRoot(), 'test', 'fixtures', 'corpus');
  const rpms = readdirSync(join(corpus, 'rpms')).filter((f) => f.endsWith('.rpm')).sort();
  return Buffer.concat([readFileSync(join(corpus, 'comps-f41.xml.in')), ...rpms.map((f) => readFileSync(join(corpus, 'rpms', f)))]);
}

/**
 * sha256 of the gzip stream of realInput() in 64 KiB blocks, per level: the
 * bytes of stock zlib 1.3.1 (the WebAssembly module fexpod ships), which are
 * also those of pako 3.0.3 with `legacyHash: true` and of Debian 12's native
 * system zlib 1.2.13 (checked with Python's zlib, same parameters). (Until fexpod 0.1.0's
 * switch to the module, layers were pako's with Chromium's hash, the bytes of
 * Node's own builds: every gzip digest changed then, on purpose.)
 * A change here is a reproducibility break: every gzip layer digest changes.
 */
const GOLDEN: Record<number, string> = {
  1: '4e467bb77516b87cb8fa39025d9ba8de91d7a790f179fcd0ad155dab6f08e862',
  2: '3c9421d54116fe693596806d5b5284c43bb04173a98cb2fe9c0d78792ea772f0',
  3: '4f1b7951ebf32b693fd7a5e3fb409cee8523c7b88693a50dd15cfd78de46644d',
  4: '6474329a7d8ae4ad2e872d24c4b3352021689eb38d0fae40880e4156469f444e',
  5: 'eea2e4d3441a138847ce80665a7ab4c170b30e99397509f7d2440cc1f2cf8183',
  6: 'ec233b4b9bde1d9ae15da92a877bdfac1dbbd3c781bcde80db9ab7b7a4b892a3',
  7: '7a0b26251d3504a80c6bd6a38aecfa385b149d829b3af3cca94639434d030a9a',
  8: '9aa88a98cee09037c4ceacf7fe6c85fe07065b4525d5095c9673bf9ca29bd55e',
  9: '7fb0faf218e0c5f7172757cd36f44520cf0d9af931c02befdf39a61cbee9c4aa',
};

async function gzip(data: Uint8Array, level: number, encoder: DeflateEncoder | 'oracle', workers: number, blockSize = 64 * 1024): Promise<Buffer> {
  const pool = encoder === 'oracle' ? pakoPool() : compressPool(workers);
  const parts: Uint8Array[] = [];
  try {
    const gz = new ParallelGzip(pool, level, (b) => { parts.push(b.slice()); }, { encoder: encoder === 'oracle' ? 'pinned' : encoder, blockSize });
    await gz.push(data);
    await gz.end();
  } finally {
    await pool.close();
  }
  return Buffer.concat(parts);
}

const input = realInput();
for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  test(`gzip level ${level}: the pinned encoder makes the golden bytes, in the calling thread, with 1 and 2 workers, and so does the pako oracle`, async () => {
    const pinned = await gzip(input, level, 'pinned', 0);
    assert.deepEqual(gunzipSync(pinned), input);
    assert.equal(sha(pinned), GOLDEN[level], `level ${level}: the pinned encoder's bytes changed`);
    assert.equal(sha(await gzip(input, level, 'pinned', 1)), GOLDEN[level], `level ${level}: 1 worker`);
    assert.equal(sha(await gzip(input, level, 'pinned', 2)), GOLDEN[level], `level ${level}: 2 workers`);
    assert.equal(sha(await gzip(input, level, 'oracle', 0)), GOLDEN[level], `level ${level}: pako (legacyHash: true) disagrees`);
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
