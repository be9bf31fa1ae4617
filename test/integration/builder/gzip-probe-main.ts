/**
 * Child-process helper for the cross-Node gzip test: compresses one file as a
 * gzip layer at every level, as fexpod does (the pinned encoder, 1 and 2
 * workers) and, for comparison, with node:zlib forced, and prints
 * one JSON document with the sha256 of each stream.
 *   node gzip-probe-main.js <file>
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compressPool } from '../../../src/builder/layer/compress-pool.js';
import type { DeflateEncoder } from '../../../src/builder/layer/deflate-block.js';
import { ParallelGzip } from '../../../src/builder/layer/parallel-gzip.js';

export interface ProbeLevel {
  readonly level: number;
  /** The layer as fexpod makes it here, with 1 and with 2 workers. */
  readonly layer1: string;
  readonly layer2: string;
  /** The same stream with node:zlib forced (what fexpod made before it pinned the bytes; differs across Node builds). */
  readonly native: string;
}

export interface ProbeResult {
  readonly node: string;
  readonly zlib: string;
  readonly levels: readonly ProbeLevel[];
}

async function gzipSha(data: Uint8Array, level: number, encoder: DeflateEncoder, workers: number): Promise<string> {
  const pool = compressPool(workers);
  const h = createHash('sha256');
  try {
    const gz = new ParallelGzip(pool, level, (b) => { h.update(b); }, { encoder, blockSize: 64 * 1024 });
    await gz.push(data);
    await gz.end();
  } finally {
    await pool.close();
  }
  return h.digest('hex');
}

const [file] = process.argv.slice(2);
// Loaded without arguments (e.g. by a test runner walking dist/test): do nothing.
if (file === undefined) process.exit(0);
const data = readFileSync(file);
const levels: ProbeLevel[] = [];
for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
  levels.push({
    level,
    layer1: await gzipSha(data, level, 'pinned', 1),
    layer2: await gzipSha(data, level, 'pinned', 2),
    native: await gzipSha(data, level, 'native', 0),
  });
}
const result: ProbeResult = { node: process.version, zlib: process.versions.zlib ?? '?', levels };
process.stdout.write(`${JSON.stringify(result)}\n`);
