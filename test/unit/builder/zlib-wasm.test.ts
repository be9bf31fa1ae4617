/**
 * The WebAssembly build of zlib 1.3.1 (native/zlib-wasm/, loaded by
 * src/builder/layer/zlib-wasm.ts) block by block against the pako oracle
 * (legacyHash: true: stock zlib's hash): empty, tiny, odd, larger-than-memory
 * and incompressible blocks, short and full dictionaries, every level; and a
 * block's bytes do not depend on the blocks the instance deflated before.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { constants as zc, inflateRawSync } from 'node:zlib';
import { pinnedDeflateBlock, pinnedEncoderName, type DeflateBlock } from '../../../src/builder/layer/deflate-block.js';
import { zlibWasm } from '../../../src/builder/layer/zlib-wasm.js';
import { repoRoot } from '../../helpers/integration.js';
import { pakoDeflateBlock } from '../../helpers/pako-oracle.js';

const corpus = join(repoRoot(), 'test', 'fixtures', 'corpus');
const rpm = readFileSync(join(corpus, 'rpms', readdirSync(join(corpus, 'rpms')).filter((f) => f.endsWith('.rpm')).sort()[0] ?? ''));
const text = readFileSync(join(corpus, 'comps-f41.xml.in'));
/** Incompressible: a sha256 chain (deterministic). */
function noise(n: number): Buffer {
  const out = Buffer.alloc(n);
  let h = Buffer.from('fexpod');
  for (let off = 0; off < n; off += 32) {
    h = createHash('sha256').update(h).digest();
    h.copy(out, off);
  }
  return out;
}
/** ~3 MiB of real bytes: more than the module's initial memory (1 MiB) and than a layer block. */
const big = Buffer.concat([text, rpm, text, rpm, text, rpm, text, rpm, text, noise(1 << 20)]);

const cases: { name: string; block: Omit<DeflateBlock, 'level'> }[] = [
  { name: 'empty last block', block: { data: new Uint8Array(0), last: true } },
  { name: 'empty block, sync flush, with a dictionary', block: { data: new Uint8Array(0), dictionary: text.subarray(0, 32768), last: false } },
  { name: 'one byte', block: { data: text.subarray(0, 1), last: false } },
  { name: 'odd length, short dictionary', block: { data: text.subarray(100, 100 + 40_001), dictionary: text.subarray(0, 100), last: false } },
  { name: 'RPM (compressed payload), full dictionary, last', block: { data: rpm, dictionary: text.subarray(text.length - 32768), last: true } },
  { name: 'incompressible 256 KiB', block: { data: noise(256 * 1024), last: false } },
  { name: '~3.1 MiB block (memory grows)', block: { data: big, dictionary: rpm.subarray(0, 32768), last: false } },
];

test('the module is zlib 1.3.1, and the encoder is named after it', () => {
  assert.equal(zlibWasm().version, '1.3.1');
  assert.equal(pinnedEncoderName(), 'zlib 1.3.1 (wasm)');
});

for (const c of cases) {
  test(`${c.name}: the same bytes as pako (legacyHash: true) at every level, and they inflate back`, () => {
    for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      const b = { ...c.block, level };
      const out = pinnedDeflateBlock(b);
      assert.ok(Buffer.from(out).equals(Buffer.from(pakoDeflateBlock(b))), `level ${level}: differs from pako`);
      const dict = c.block.dictionary && c.block.dictionary.length > 0 ? { dictionary: c.block.dictionary } : {};
      const inflated = inflateRawSync(out, { ...dict, finishFlush: c.block.last ? zc.Z_FINISH : zc.Z_SYNC_FLUSH });
      assert.ok(inflated.equals(Buffer.from(c.block.data)), `level ${level}: does not inflate back`);
    }
  });
}

test('a block\'s bytes do not depend on what the instance deflated before (fresh state, memory laid out anew)', () => {
  const b: DeflateBlock = { data: text.subarray(5000, 5000 + 70_000), dictionary: text.subarray(0, 5000), last: false, level: 6 };
  const first = pinnedDeflateBlock(b);
  pinnedDeflateBlock({ data: big, last: true, level: 9 }); // fills the memory with other state
  pinnedDeflateBlock({ data: noise(64 * 1024), dictionary: rpm.subarray(0, 32768), last: false, level: 1 });
  assert.ok(Buffer.from(pinnedDeflateBlock(b)).equals(Buffer.from(first)));
});

test('a bad level is an error that names the encoder, not wrong bytes', () => {
  assert.throws(() => pinnedDeflateBlock({ data: text.subarray(0, 100), last: true, level: 12 }), /deflate \(zlib 1\.3\.1, wasm\) failed with code -102/);
});

test('a missing module is an error that names the file and the fix', () => {
  const url = pathToFileURL(join(tmpdir(), 'fexpod-no-such-dir', 'zlib-deflate.wasm'));
  assert.throws(() => zlibWasm(url), (err: Error & { fix?: string }) => {
    assert.match(err.message, /^cannot read fexpod's zlib module .*fexpod-no-such-dir\/zlib-deflate\.wasm$/);
    assert.match(err.fix ?? '', /npm run build/);
    return true;
  });
});
