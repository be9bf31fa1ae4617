/**
 * Which deflate encoder a gzip layer uses on this machine: node:zlib when it
 * has just been shown to make the reference bytes (the pinned encoder's) at
 * the layer's level, the pinned encoder otherwise. See docs/build.md
 * ("Reproducibility") for the argument in full; in short:
 *
 * A deflate stream is fixed by three kinds of decision: which earlier
 * strings the match finder sees (its hash function and chain limits), which
 * match it takes (the per-level lazy-matching table), and where blocks end
 * and how they are coded (the symbol-buffer size, trees.c). The zlib builds
 * Node is linked against differ in at least one of these: canonical zlib
 * (Debian's, Ubuntu's system zlib) hashes 3 bytes with a rolling hash where
 * Chromium's zlib (Node's bundled copy) multiplies 4; older Chromium builds
 * hashed with CRC-32C when the CPU had it (so their bytes even depended on
 * the CPU); zlib-ng (Fedora) has other match finders, levels and block
 * rules. Each of these choices is taken tens of thousands of times per
 * hundred KiB of ordinary data, so two implementations that differ in one of
 * them give different bytes on practically every such input, while two that
 * agree in all of them give the same bytes on every input. The sample below
 * is the production block scheme (first block, dictionary blocks, window
 * slides, sync flushes, final blocks, an empty final block, incompressible
 * stretches that become stored blocks, long runs and far matches) over
 * ~700 KiB of mixed content; it runs here, at run time, on this CPU, with
 * this Node, for each level asked for.
 */
import { nativeDeflateBlock, pinnedDeflateBlock, pinnedEncoderName, type DeflateBlock, type DeflateEncoder } from './deflate-block.js';

export type EncoderPolicy = 'auto' | 'pinned';

export interface EncoderChoice {
  readonly encoder: DeflateEncoder;
  /** Why, for --verbose. */
  readonly note: string;
}

const SAMPLE_BYTES = 640 * 1024;
const DICT = 32 * 1024;

/** xorshift32: a fixed sequence, the same on every machine. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** ~640 KiB of mixed content: words, tables of integers, noise, far and near copies, runs, zeros. */
export function fingerprintSample(): Uint8Array {
  const r = xorshift(0x9e3779b9);
  const out = new Uint8Array(SAMPLE_BYTES);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_.-/';
  const vocab = Array.from({ length: 300 }, () => Array.from({ length: 2 + (r() % 11) }, () => alphabet.charCodeAt(r() % alphabet.length)));
  const seps = [0x20, 0x2f, 0x0a, 0x00];
  let pos = 0;
  const put = (b: number) => { if (pos < out.length) out[pos++] = b & 0xff; };
  // one long incompressible stretch: the block holding it is better stored than coded
  const noiseAt = 200 * 1024;
  while (pos < out.length) {
    if (pos >= noiseAt && pos < noiseAt + 40 * 1024) {
      for (let i = 0; i < 40 * 1024; i++) put(r());
      continue;
    }
    const kind = r() % 8;
    const end = Math.min(out.length, pos + 512 + (r() % 6144));
    if (kind <= 2) {
      while (pos < end) {
        for (const c of vocab[r() % vocab.length] ?? []) put(c);
        put(seps[r() % seps.length] ?? 0x20);
      }
    } else if (kind === 3) {
      let v = r();
      while (pos < end) {
        v = r() % 16 === 0 ? r() : (v + (r() % 64)) >>> 0;
        for (let k = 0; k < 4; k++) put(v >>> (8 * k));
      }
    } else if (kind === 4) {
      while (pos < end) put(r());
    } else if (kind === 5 && pos > 64) {
      const dist = 1 + (r() % Math.min(pos, DICT + 8 * 1024)); // some beyond the window
      const len = 64 + (r() % 4096);
      for (let i = 0; i < len; i++) put(r() % 211 === 0 ? r() : (out[pos - dist] ?? 0));
    } else if (kind === 6) {
      const a = r();
      const b = r() % 2 === 0 ? a : r();
      const len = 3 + (r() % 1200);
      for (let i = 0; i < len; i++) put(i % 2 === 0 ? a : b);
    } else {
      while (pos < end) put(0);
    }
  }
  return out;
}

/** The sample cut as the parallel gzip cuts a layer, plus the edge cases of that scheme. */
export function fingerprintBlocks(level: number, s = fingerprintSample()): DeflateBlock[] {
  const cut1 = 192 * 1024;
  const cut2 = 448 * 1024 + 17;
  const tail = s.length - 70_000;
  const dict = (end: number, n = DICT) => s.subarray(Math.max(0, end - n), end);
  return [
    { data: s.subarray(0, 5000), last: true, level }, // a one-block layer
    { data: s.subarray(0, cut1), last: false, level }, // the first block: no dictionary
    { data: s.subarray(cut1, cut2), dictionary: dict(cut1), last: false, level },
    { data: s.subarray(cut2), dictionary: dict(cut2), last: false, level },
    { data: new Uint8Array(0), dictionary: dict(s.length), last: true, level }, // input a multiple of the block size
    { data: s.subarray(tail), dictionary: dict(tail), last: true, level }, // a final block with data
    { data: s.subarray(300_000, 310_000), dictionary: dict(300_000, 1000), last: false, level }, // a short dictionary
  ];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** True when `native` makes the pinned encoder's bytes for every block of the sample at this level. */
export function matchesReference(level: number, native: (b: DeflateBlock) => Uint8Array = nativeDeflateBlock): boolean {
  try {
    return fingerprintBlocks(level).every((b) => sameBytes(native(b), pinnedDeflateBlock(b)));
  } catch {
    return false;
  }
}

const verdicts = new Map<number, boolean>();

/**
 * The encoder for gzip layers at `level`: node:zlib where it makes the
 * reference bytes (checked once per level per process), else the pinned one.
 * `policy: 'pinned'` skips the check (and node:zlib).
 */
export function chooseDeflateEncoder(level: number, policy: EncoderPolicy = 'auto', zlibVersion = process.versions.zlib ?? '?'): EncoderChoice {
  const ref = pinnedEncoderName();
  if (policy === 'pinned') return { encoder: 'pinned', note: `gzip: the pinned deflate encoder (${ref}), as asked` };
  let same = verdicts.get(level);
  if (same === undefined) {
    same = matchesReference(level);
    verdicts.set(level, same);
  }
  return same
    ? { encoder: 'native', note: `gzip: node:zlib (zlib ${zlibVersion}) makes the reference deflate bytes (${ref}) at level ${level}: using it` }
    : { encoder: 'pinned', note: `gzip: node:zlib (zlib ${zlibVersion}) makes other deflate bytes than the reference (${ref}) at level ${level}: using the pinned encoder (slower per core), so that the layer is the same as on every other machine` };
}
