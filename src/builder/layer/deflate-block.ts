/**
 * One block of a parallel gzip stream, raw-deflated.
 *
 *   pinned  zlib 1.3.1 compiled to WebAssembly (zlib-wasm.ts; the source is
 *           vendored in native/zlib-wasm/ and the module is built from it):
 *           stock zlib, integer arithmetic in a VM that does it exactly, so
 *           the same bytes on every machine, CPU, architecture and Node
 *           build. Every gzip layer fexpod writes is deflated by it. pako
 *           3.0.3 with `legacyHash: true` (zlib's own hash) makes the same
 *           bytes: the tests hold the two independent implementations to
 *           each other (pako is the test oracle, not shipped).
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
 *
 * A fresh deflate state for every block, on purpose: a state reused through
 * deflateReset still holds the previous block's bytes past the end of the
 * current input, and a hash that reads past the data (pako's and Chromium's
 * 4-byte hash did) then made a block's output depend on which block the worker
 * had deflated before (caught by the 1-vs-N worker test). The WASM module
 * makes a new state per block from zeroed memory (native/zlib-wasm/zlib-deflate.c).
 */
import { constants as zc, deflateRawSync } from 'node:zlib';
import { zlibWasm } from './zlib-wasm.js';

export type DeflateEncoder = 'native' | 'pinned';

export interface DeflateBlock {
  readonly data: Uint8Array;
  readonly dictionary?: Uint8Array | undefined;
  readonly last: boolean;
  readonly level: number;
}

const WINDOW_BITS = 15;
const MEM_LEVEL = 8;

/**
 * The pinned encoder's name and version, from the module itself ("zlib 1.3.1
 * (wasm)"): part of the instant-rebuild key (outputs made by another encoder
 * are not reused as if the same) and said by `build --verbose`.
 */
export function pinnedEncoderName(): string {
  return `zlib ${zlibWasm().version} (wasm)`;
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

/** The pinned encoder: zlib 1.3.1 in WebAssembly, a fresh deflate state per block (into: see ZlibWasm.deflateRaw). */
export function pinnedDeflateBlock(b: DeflateBlock, into?: Uint8Array): Uint8Array {
  return zlibWasm().deflateRaw(b, into);
}

/** A block by the named encoder; written into `into` (a view of it returned) when it fits. */
export function deflateBlock(encoder: DeflateEncoder, b: DeflateBlock, into?: Uint8Array): Uint8Array {
  if (encoder !== 'native') return pinnedDeflateBlock(b, into);
  const out = nativeDeflateBlock(b);
  if (!into || into.length < out.length) return out;
  into.set(out);
  return into.subarray(0, out.length);
}
