/**
 * The test oracle for fexpod's gzip bytes: pako 3.0.3 (zlib's deflate ported
 * to JavaScript; a development dependency, never shipped) with
 * `legacyHash: true`, i.e. stock zlib's hash. An implementation independent of
 * the WebAssembly build of zlib 1.3.1 that deflates every layer: the two
 * making the same bytes block for block is the evidence that the module is
 * zlib, built right.
 */
import { Deflate, Z_DEFAULT_STRATEGY, Z_FINISH, Z_SYNC_FLUSH } from 'pako';
import { crc32 } from 'node:zlib';
import type { CompressPool } from '../../src/builder/layer/compress-pool.js';
import type { DeflateBlock } from '../../src/builder/layer/deflate-block.js';

/** One block as the pinned encoder makes it: raw, window 2^15, memLevel 8, dictionary, sync flush or final block. */
export function pakoDeflateBlock(b: DeflateBlock): Uint8Array {
  const d = new Deflate({
    level: b.level,
    raw: true,
    windowBits: 15,
    memLevel: 8,
    strategy: Z_DEFAULT_STRATEGY,
    legacyHash: true,
    chunkSize: Math.max(16 * 1024, Math.ceil(b.data.length / 2)),
    ...(b.dictionary && b.dictionary.length > 0 ? { dictionary: b.dictionary } : {}),
  });
  const out: Uint8Array[] = [];
  d.onData = (chunk) => { out.push(chunk); };
  d.push(b.data, b.last ? Z_FINISH : Z_SYNC_FLUSH);
  if (d.err) throw new Error(`pako deflate failed: ${d.msg || d.err}`);
  return Buffer.concat(out);
}

/** A compression pool whose deflate is the oracle's (on the calling thread), for ParallelGzip. */
export function pakoPool(): CompressPool {
  return {
    workers: 0,
    deflate: async (t) => ({ out: pakoDeflateBlock(t), crc: crc32(t.data), data: t.data }),
    zstd: () => Promise.reject(new Error('the pako oracle deflates only')),
    close: async () => {},
  };
}
