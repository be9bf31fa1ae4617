/**
 * gzip layer compression throughput on real binaries (this host's shared
 * libraries and programs, concatenated: the content of a RootFS layer), per
 * core and on every core, against `gzip -4` (what a user would otherwise run;
 * pigz where installed, on every core):
 *
 *   pinned     zlib 1.3.1 in WebAssembly, the pinned encoder: what every gzip
 *              layer uses (until 2026-11 pako 3.0.3, ~1.8x slower at level 4)
 *   node:zlib  what fexpod used before the bytes were pinned (its bytes
 *              depend on the zlib Node was built with): the cost of pinning
 *
 * Level 4 (fexpod's default). FEXPOD_BENCH_MB (default 64) of input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { compressPool } from '../src/builder/layer/compress-pool.js';
import type { DeflateEncoder } from '../src/builder/layer/deflate-block.js';
import { ParallelGzip } from '../src/builder/layer/parallel-gzip.js';

const MB = 1024 * 1024;
const WANT = Number(process.env['FEXPOD_BENCH_MB'] ?? '64') * MB;
const LEVEL = 4;

function input(): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/bin'].filter((d) => existsSync(d))) {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st?.isFile() || st.size < 4096) continue;
      const b = readFileSync(p);
      parts.push(b);
      n += b.length;
      if (n >= WANT) return Buffer.concat(parts).subarray(0, WANT);
    }
  }
  return Buffer.concat(parts);
}

async function fexpodGzip(data: Buffer, encoder: DeflateEncoder, workers: number): Promise<{ s: number; bytes: number }> {
  const pool = compressPool(workers);
  let bytes = 0;
  const t0 = performance.now();
  try {
    const gz = new ParallelGzip(pool, LEVEL, (b) => { bytes += b.length; }, { encoder });
    for (let off = 0; off < data.length; off += 256 * 1024) await gz.push(data.subarray(off, off + 256 * 1024));
    await gz.end();
  } finally {
    await pool.close();
  }
  return { s: (performance.now() - t0) / 1000, bytes };
}

function tool(cmd: string, args: string[], data: Buffer): { s: number; bytes: number } | undefined {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { input: data, maxBuffer: data.length * 2 });
  if (r.status !== 0 || r.error) return undefined;
  return { s: (performance.now() - t0) / 1000, bytes: r.stdout.length };
}

const data = input();
const cores = availableParallelism();
const mbs = (r: { s: number }) => data.length / MB / r.s;
const line = (label: string, r: { s: number; bytes: number }, base?: { s: number }) =>
  process.stdout.write(`  ${label.padEnd(44)} ${r.s.toFixed(2).padStart(6)} s  ${mbs(r).toFixed(1).padStart(6)} MB/s  ${(r.bytes / MB).toFixed(2).padStart(7)} MiB${base ? `   ${(r.s / base.s).toFixed(2)}x the time` : ''}\n`);

process.stdout.write(`gzip level ${LEVEL} of ${(data.length / MB).toFixed(0)} MiB of host binaries; ${cores} cores; Node ${process.version}, zlib ${process.versions.zlib}; load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}\n`);
const gzip1 = tool('gzip', ['-4', '-n', '-c'], data);
if (gzip1) line('gzip -4 (one core)', gzip1);
const native1 = await fexpodGzip(data, 'native', 0);
const pinned1 = await fexpodGzip(data, 'pinned', 0);
line('fexpod, pinned encoder, one core', pinned1, gzip1);
line('(before: node:zlib, one core)', native1, gzip1);
const pigz = tool('pigz', ['-4', '-n', '-c', '-p', String(cores)], data);
if (pigz) line(`pigz -4 -p ${cores}`, pigz);
const nativeN = await fexpodGzip(data, 'native', cores);
const pinnedN = await fexpodGzip(data, 'pinned', cores);
line(`fexpod, pinned encoder, ${cores} workers`, pinnedN, pigz ?? gzip1);
line(`(before: node:zlib, ${cores} workers)`, nativeN, pigz ?? gzip1);
process.stdout.write(`  pinned / node:zlib time: ${(pinned1.s / native1.s).toFixed(2)}x on one core, ${(pinnedN.s / nativeN.s).toFixed(2)}x on ${cores}; sizes: ${native1.bytes === pinned1.bytes ? 'the same (this Node\'s zlib deflates as stock zlib 1.3.1)' : 'differ (this Node\'s zlib deflates otherwise)'}\n`);
