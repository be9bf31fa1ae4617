/**
 * gzip layers are the same bytes on every machine, whatever Node/zlib build
 * runs fexpod: the pinned encoder's bytes (GOLDEN below, the same on every
 * machine that runs this test), which node:zlib may make instead only where
 * the fingerprint shows it makes them. The cross-build proof with a second
 * Node build is test/integration/builder/gzip-cross-node.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Deflate as PakoDeflate } from 'pako';
import { compressPool } from '../../../src/builder/layer/compress-pool.js';
import { pinnedDeflateBlock, type DeflateBlock, type DeflateEncoder } from '../../../src/builder/layer/deflate-block.js';
import { chooseDeflateEncoder, fingerprintBlocks, matchesReference } from '../../../src/builder/layer/deflate-fingerprint.js';
import { writeLayer } from '../../../src/builder/layer/layer-writer.js';
import { ParallelGzip } from '../../../src/builder/layer/parallel-gzip.js';
import { bufferContent, type TreeEntry } from '../../../src/builder/tree.js';
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

async function gzip(data: Uint8Array, level: number, encoder: DeflateEncoder, workers: number): Promise<Buffer> {
  const pool = compressPool(workers);
  const parts: Uint8Array[] = [];
  try {
    const gz = new ParallelGzip(pool, level, (b) => { parts.push(b.slice()); }, { encoder, blockSize: 64 * 1024 });
    await gz.push(data);
    await gz.end();
  } finally {
    await pool.close();
  }
  return Buffer.concat(parts);
}

const input = realInput();
for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  test(`gzip level ${level}: the pinned encoder makes the golden bytes, and so does the encoder chosen here (with 2 workers)`, async () => {
    const pinned = await gzip(input, level, 'pinned', 0);
    assert.deepEqual(gunzipSync(pinned), input);
    assert.equal(sha(pinned), GOLDEN[level], `level ${level}: the pinned encoder's bytes changed`);
    const choice = chooseDeflateEncoder(level);
    const chosen = await gzip(input, level, choice.encoder, 2);
    assert.equal(sha(chosen), GOLDEN[level], choice.note);
  });
}

/** Stand-ins for other zlib builds: canonical zlib's hash (Debian's system zlib), and another level's table. */
const classicHash = (b: DeflateBlock): Uint8Array => {
  const d = new PakoDeflate({ level: b.level, raw: true, memLevel: 8, legacyHash: true, ...(b.dictionary && b.dictionary.length > 0 ? { dictionary: b.dictionary } : {}) });
  const out: Uint8Array[] = [];
  d.onData = (c) => { out.push(c); };
  d.push(b.data, b.last ? 4 : 2);
  return Buffer.concat(out);
};
const otherTable = (b: DeflateBlock): Uint8Array => pinnedDeflateBlock({ ...b, level: b.level === 9 ? 8 : b.level + 1 });
const lastBlockWrong = (b: DeflateBlock): Uint8Array => (b.last && b.data.length === 0 ? Uint8Array.from([1, 0, 0, 0xff, 0xff]) : pinnedDeflateBlock(b));

const standIns = [
  { name: 'the pinned encoder itself', encode: pinnedDeflateBlock, same: true },
  { name: 'stand-in for canonical zlib (classic rolling hash)', encode: classicHash, same: false },
  { name: 'stand-in for another level table', encode: otherTable, same: false },
  { name: 'stand-in that differs only on an empty final block', encode: lastBlockWrong, same: false },
];
for (const s of standIns) {
  test(`fingerprint: ${s.name} is ${s.same ? 'accepted' : 'told apart'} at every level`, () => {
    for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) assert.equal(matchesReference(level, s.encode), s.same, `level ${level}`);
  });
}

test('fingerprint: the classic-hash stand-in differs on every block of the sample that has data, at every level, not on a few', () => {
  for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    for (const b of fingerprintBlocks(level)) {
      if (b.data.length > 0) assert.notEqual(sha(classicHash(b)), sha(pinnedDeflateBlock(b)), `level ${level}, a ${b.data.length}-byte block`);
    }
  }
});

test('encoder choice: "pinned" never uses node:zlib; "auto" uses it exactly when it makes the reference bytes', () => {
  assert.equal(chooseDeflateEncoder(4, 'pinned').encoder, 'pinned');
  const auto = chooseDeflateEncoder(4, 'auto', 'test-zlib');
  assert.equal(auto.encoder, matchesReference(4) ? 'native' : 'pinned');
  assert.match(auto.note, /\(zlib test-zlib\) .*\(pako \d+\.\d+\.\d+\)/);
});

test('writeLayer: a gzip layer says which encoder made it; the pinned and the auto layer are the same blob', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-gzip-repro-'));
  const pool = compressPool(2);
  try {
    const entries: TreeEntry[] = [
      { path: 'etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { path: 'etc/comps.xml', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: bufferContent(input) },
    ];
    const a = await writeLayer({ entries, sourceDateEpoch: 1700000000, dest: join(dir, 'a'), compression: 'gzip', gzipEncoder: 'pinned' }, pool);
    const b = await writeLayer({ entries, sourceDateEpoch: 1700000000, dest: join(dir, 'b'), compression: 'gzip' }, pool);
    assert.equal(b.digest, a.digest);
    assert.match(a.encoderNote ?? '', /pinned deflate encoder \(pako/);
    assert.match(b.encoderNote ?? '', /^gzip: node:zlib \(zlib /);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
