/**
 * One block of a parallel gzip stream, raw-deflated.
 *
 *   pinned  pako (pinned to one exact version in package.json): zlib's deflate
 *           ported to plain JavaScript, integer arithmetic only, so the same
 *           bytes on every machine, CPU, architecture and Node build. Every
 *           gzip layer fexpod writes is deflated by it.
 *   native  node:zlib: its bytes are those of whatever zlib Node was built
 *           with (Node's bundled copy of Chromium's zlib, a distribution's
 *           system zlib, zlib-ng on Fedora), so NOT the same everywhere. Never
 *           used for a layer; kept as the point of comparison for bench/gzip
 *           and for the tests that show another Node build deflates otherwise.
 *           docs/build.md ("Reproducibility") says why no run-time check can
 *           make it safe to use.
 *
 * Both take the same parameters: raw deflate, 32 KiB window, memLevel 8,
 * default strategy, the previous block's last 32 KiB as preset dictionary,
 * ended by a sync flush (or, for the last block, by the final block).
 */
import { createRequire } from 'node:module';
import { constants as zc, deflateRawSync } from 'node:zlib';
import { Deflate as PakoDeflate, Z_DEFAULT_STRATEGY, Z_FINISH, Z_SYNC_FLUSH } from 'pako';

export type DeflateEncoder = 'native' | 'pinned';

export interface DeflateBlock {
  readonly data: Uint8Array;
  readonly dictionary?: Uint8Array | undefined;
  readonly last: boolean;
  readonly level: number;
}

const WINDOW_BITS = 15;
const MEM_LEVEL = 8;

/** The reference encoder's name and version, as installed ("pako 3.0.3"). */
export function pinnedEncoderName(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('pako/package.json') as { version?: unknown };
  return `pako ${typeof pkg.version === 'string' ? pkg.version : '?'}`;
}

export function nativeDeflateBlock(b: DeflateBlock): Uint8Array {
  return deflateRawSync(b.data, {
    level: b.level,
    windowBits: WINDOW_BITS,
    memLevel: MEM_LEVEL,
    strategy: zc.Z_DEFAULT_STRATEGY,
    finishFlush: b.last ? zc.Z_FINISH : zc.Z_SYNC_FLUSH,
    ...(b.dictionary && b.dictionary.length > 0 ? { dictionary: b.dictionary } : {}),
  });
}

/**
 * A fresh deflate state for every block, on purpose: the hash reads a 4th
 * byte that, at the end of a block's input, lies past the data, and a state
 * reused through deflateReset still holds the previous block's bytes there:
 * its output then depended on which block the worker had deflated before
 * (caught by the 1-vs-N worker test).
 */
export function pinnedDeflateBlock(b: DeflateBlock): Uint8Array {
  const d = new PakoDeflate({
    level: b.level,
    raw: true,
    windowBits: WINDOW_BITS,
    memLevel: MEM_LEVEL,
    strategy: Z_DEFAULT_STRATEGY,
    legacyHash: false, // Chromium's hash: the bytes of Node's bundled zlib (pako 3's default, said here on purpose)
    chunkSize: Math.max(16 * 1024, Math.ceil(b.data.length / 2)),
    ...(b.dictionary && b.dictionary.length > 0 ? { dictionary: b.dictionary } : {}),
  });
  const out: Uint8Array[] = [];
  d.onData = (chunk) => { out.push(chunk); };
  d.push(b.data, b.last ? Z_FINISH : Z_SYNC_FLUSH);
  if (d.err) throw new Error(`deflate (${pinnedEncoderName()}) failed: ${d.msg || d.err}`);
  return concat(out);
}

export function deflateBlock(encoder: DeflateEncoder, b: DeflateBlock): Uint8Array {
  return encoder === 'native' ? nativeDeflateBlock(b) : pinnedDeflateBlock(b);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
