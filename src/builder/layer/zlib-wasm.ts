/**
 * zlib 1.3.1's deflate compiled to WebAssembly (native/zlib-wasm/, built by
 * scripts/build-zlib-wasm.sh; `npm run build` and the RPM put the module in
 * dist/native/). Integer C run by the WebAssembly VM: the same bytes on every
 * machine, CPU and Node build. One instance per thread (each compression
 * worker loads its own), made on first use.
 *
 * The module deflates one block per call with a fresh deflate state; its
 * linear memory holds the block, the dictionary, the output and zlib's
 * allocations, laid out anew for each block (it grows to the largest block
 * seen, ~2.1× a block: ~2.4 MiB for 1 MiB blocks, and never shrinks).
 */
import { readFileSync } from 'node:fs';
import { FexpodError } from '../../common/errors.js';

/** The part of the WebAssembly JS API used here (this project's TypeScript libs do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
};

interface ZlibWasmExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  zw_reserve(inLen: number, dictLen: number): number;
  zw_dict(): number;
  zw_out(): number;
  zw_deflate(level: number, inLen: number, dictLen: number, last: number): number;
  zw_version(): number;
}

/** Where the module is: dist/native/ next to dist/src/ (this file is dist/src/builder/layer/zlib-wasm.js). */
export const ZLIB_WASM_URL = new URL('../../../native/zlib-deflate.wasm', import.meta.url);

export interface RawDeflateRequest {
  readonly data: Uint8Array;
  readonly dictionary?: Uint8Array | undefined;
  readonly last: boolean;
  readonly level: number;
}

export interface ZlibWasm {
  /** zlib's own version string ("1.3.1"). */
  readonly version: string;
  /**
   * Raw deflate (window 2^15, memLevel 8, default strategy), sync flush or
   * final block. With `into` (large enough: deflateBound), the bytes are
   * written there and a view of it is returned; else a new array.
   */
  deflateRaw(r: RawDeflateRequest, into?: Uint8Array): Uint8Array;
}

/** Room for any raw-deflated block of n bytes, as the module reserves it (out_bound in zlib-deflate.c). */
export function deflateBound(n: number): number {
  return n + (n >>> 5) + 1024;
}

const instances = new Map<string, ZlibWasm>();

/** The module at `url` (default: the one fexpod ships), instantiated once per thread. */
export function zlibWasm(url: URL = ZLIB_WASM_URL): ZlibWasm {
  let z = instances.get(url.href);
  if (!z) {
    z = instantiate(url);
    instances.set(url.href, z);
  }
  return z;
}

function instantiate(url: URL): ZlibWasm {
  let bytes: Buffer;
  try {
    bytes = readFileSync(url);
  } catch (err) {
    throw new FexpodError(`cannot read fexpod's zlib module ${url.pathname}`, {
      cause: err,
      fix: 'run npm run build (it copies native/zlib-wasm/zlib-deflate.wasm to dist/native/), or reinstall fexpod',
    });
  }
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as ZlibWasmExports;
  const mem = () => new Uint8Array(ex.memory.buffer);
  const at = ex.zw_version();
  const version = Buffer.from(mem().subarray(at, mem().indexOf(0, at))).toString('latin1');
  return {
    version,
    deflateRaw(r, into) {
      const dict = r.dictionary && r.dictionary.length > 0 ? r.dictionary : undefined;
      const dictLen = dict?.length ?? 0;
      const inAt = ex.zw_reserve(r.data.length, dictLen);
      if (inAt === 0) throw new FexpodError(`deflate (zlib ${version}, wasm): no memory for a block of ${r.data.length} bytes`);
      const m = mem(); // after zw_reserve: memory may have grown (a new buffer)
      m.set(r.data, inAt);
      if (dict) m.set(dict, ex.zw_dict());
      const n = ex.zw_deflate(r.level, r.data.length, dictLen, r.last ? 1 : 0);
      if (n < 0) throw new FexpodError(`deflate (zlib ${version}, wasm) failed with code ${n} (level ${r.level}, ${r.data.length} bytes)`);
      const out = ex.zw_out();
      if (!into || into.length < n) return mem().slice(out, out + n);
      into.set(mem().subarray(out, out + n));
      return into.subarray(0, n);
    },
  };
}
