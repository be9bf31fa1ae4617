import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { gunzipSync, crc32 as zlibCrc32 } from 'node:zlib';
import { compressPool } from '../../../src/builder/layer/compress-pool.js';
import { crc32Combine } from '../../../src/builder/layer/crc32.js';
import { crc64, crc64Combine } from '../../../src/builder/layer/crc64.js';
import { ParallelGzip } from '../../../src/builder/layer/parallel-gzip.js';
import { ZstdBlocks } from '../../../src/builder/layer/zstd-blocks.js';
import { zstdDecompress, zstdReady } from '../../../src/builder/layer/zstd-wasm.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Compressible but not trivial: text-like runs mixed with random bytes. */
function sample(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const words = Buffer.from('lib64 usr share locale x86_64 fedora rpm elf symbol ');
  for (let i = 0; i < n; i++) out[i] = words[(i * 7 + (i >> 9)) % words.length] ?? 0;
  const noise = randomBytes(Math.floor(n / 10));
  for (let i = 0; i < noise.length; i++) out[(i * 97) % n] = noise[i] ?? 0;
  return out;
}

async function gzipWith(workers: number, data: Uint8Array, block: number, pieces: number, level = 4): Promise<Buffer> {
  const pool = compressPool(workers);
  const parts: Uint8Array[] = [];
  try {
    const gz = new ParallelGzip(pool, level, (b) => { parts.push(b.slice()); }, { blockSize: block });
    const step = Math.ceil(data.length / pieces);
    for (let off = 0; off < data.length; off += step) await gz.push(data.subarray(off, off + step));
    await gz.end();
  } finally {
    await pool.close();
  }
  return Buffer.concat(parts);
}

const cases = [
  { name: 'empty input', size: 0, block: 64 * 1024 },
  { name: 'less than one block', size: 1000, block: 64 * 1024 },
  { name: 'exactly two blocks', size: 128 * 1024, block: 64 * 1024 },
  { name: 'many blocks and a tail', size: 700 * 1024 + 123, block: 64 * 1024 },
  { name: 'blocks smaller than the 32 KiB dictionary', size: 100 * 1024, block: 16 * 1024 },
];
for (const c of cases) {
  test(`parallel gzip: one valid stream, identical with 0, 1, 2 and 3 workers (${c.name})`, async () => {
    const data = sample(c.size);
    const a = await gzipWith(0, data, c.block, 3);
    const b = await gzipWith(1, data, c.block, 7);
    const d = await gzipWith(3, data, c.block, 1);
    const e = await gzipWith(2, data, c.block, 2);
    assert.deepEqual(gunzipSync(a), Buffer.from(data));
    assert.equal(sha(b), sha(a));
    assert.equal(sha(d), sha(a));
    assert.equal(sha(e), sha(a));
    assert.deepEqual([...a.subarray(0, 4)], [0x1f, 0x8b, 8, 0]);
  });
}

test('crc32Combine equals the CRC of the concatenation', () => {
  for (const [la, lb] of [[0, 5], [5, 0], [1, 1], [1000, 70000], [123457, 3]] as const) {
    const a = randomBytes(la);
    const b = randomBytes(lb);
    assert.equal(crc32Combine(zlibCrc32(a), zlibCrc32(b), lb), zlibCrc32(Buffer.concat([a, b])) >>> 0);
  }
});

test('crc64 is Go crc64.ISO (check value) and combines', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0xb90956c775a41001n);
  const a = randomBytes(3001);
  const b = randomBytes(777);
  assert.equal(crc64Combine(crc64(a), crc64(b), b.length), crc64(Buffer.concat([a, b])));
});

test('zstd blocks: concatenated frames decompress to the input, identical with 0 and 2 workers', async () => {
  await zstdReady();
  const data = sample(300 * 1024 + 5);
  const run = async (workers: number) => {
    const pool = compressPool(workers);
    const frames: Uint8Array[] = [];
    try {
      const z = new ZstdBlocks(pool, 3, (f) => { frames.push(f.slice()); }, 64 * 1024);
      await z.push(data);
      await z.end();
    } finally {
      await pool.close();
    }
    return frames;
  };
  const a = await run(0);
  const b = await run(2);
  assert.deepEqual(Buffer.concat(a), Buffer.concat(b));
  assert.deepEqual(Buffer.concat(a.map((f) => zstdDecompress(f))), Buffer.from(data));
});
