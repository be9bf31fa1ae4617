/**
 * zstd compression in-process: Node 20's zlib has no zstd, so fexpod uses
 * @bokuweb/zstd-wasm (zstd's own C code compiled to WebAssembly, MIT, no native
 * build step). A pinned, architecture-independent encoder is also what keeps
 * zstd layers byte-identical across build hosts: a system zstd of another
 * version may make other bytes. Each worker thread loads its own instance.
 */
import { createRequire } from 'node:module';

interface ZstdWasm {
  init(): Promise<void>;
  compress(data: Uint8Array, level?: number): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

const require = createRequire(import.meta.url);
let lib: ZstdWasm | undefined;
let ready: Promise<void> | undefined;

function load(): ZstdWasm {
  // CommonJS package: its module object carries init/compress/decompress
  lib ??= require('@bokuweb/zstd-wasm') as ZstdWasm;
  return lib;
}

/** Loads and instantiates the wasm module once per thread. */
export function zstdReady(): Promise<void> {
  ready ??= load().init();
  return ready;
}

/** One zstd frame holding data (call zstdReady first). */
export function zstdCompress(data: Uint8Array, level: number): Uint8Array {
  return load().compress(data, level);
}

/** Decompresses one frame whose content size is in its header (tests, verification). */
export function zstdDecompress(data: Uint8Array): Uint8Array {
  return load().decompress(data);
}
