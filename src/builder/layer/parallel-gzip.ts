/**
 * gzip on every core, as pigz does: the input is cut into fixed-size blocks;
 * each block is raw-deflated on its own (in a worker), primed with the last
 * 32 KiB of the block before it as dictionary and ended with a sync flush, so
 * the compressed blocks concatenate into ONE deflate stream; the last block
 * carries the final-block bit. The trailer's CRC-32 is combined from the
 * blocks' CRCs. Every block is a pure function of its bytes and the 32 KiB
 * before them: the output is identical whatever the number of workers. And
 * whatever the machine: every block is deflated by the pinned encoder
 * (deflate-block.ts), never by the zlib this Node happens to be built with.
 *
 * Bounded memory: at most `inFlight` blocks are queued or compressing, and
 * their buffers go round: a block's input and output buffers travel to the
 * worker and back and are reused for a later block, so a stream of any size
 * allocates ~2 × (inFlight + 1) MiB once. (A new buffer per block left the
 * dead ones to each thread's garbage collector, which lets tens of MiB of them
 * pile up per worker: 157-177 against 90-114 MiB peak RSS for 219 MiB through
 * 2 workers.) The sink must be done with the bytes it is given when it
 * returns (or its promise resolves).
 */
import type { CompressPool } from './compress-pool.js';
import type { DeflateResult } from './compress-worker.js';
import { crc32Combine } from './crc32.js';
import type { DeflateEncoder } from './deflate-block.js';
import { deflateBound } from './zlib-wasm.js';

export const GZIP_BLOCK = 1024 * 1024;
const DICT = 32 * 1024;

export type ByteSink = (bytes: Uint8Array) => void | Promise<void>;

/** RFC 1952 header: no name, mtime 0, XFL as zlib sets it for the level, OS = Unix. */
export function gzipHeader(level: number): Uint8Array {
  const xfl = level === 9 ? 2 : level < 2 ? 4 : 0;
  return Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, xfl, 3]);
}

export interface StreamCompressor {
  push(chunk: Uint8Array): Promise<void>;
  end(): Promise<void>;
}

/** A block-cutting base: full blocks go to `submit`, their results to `emit`, in order, a bounded number in flight. */
export abstract class BlockStream<R> implements StreamCompressor {
  private block: Uint8Array;
  private fill = 0;
  private readonly queue: Promise<R>[] = [];
  /** Block buffers back from the workers, for the next blocks. */
  private readonly spare: Uint8Array[] = [];
  constructor(
    protected readonly blockSize: number,
    private readonly inFlight: number,
  ) {
    this.block = new Uint8Array(blockSize);
  }
  protected abstract submit(block: Uint8Array, last: boolean): Promise<R>;
  protected abstract emit(result: R): Promise<void>;
  protected abstract finish(): Promise<void>;

  async push(chunk: Uint8Array): Promise<void> {
    for (let off = 0; off < chunk.length; ) {
      const n = Math.min(this.blockSize - this.fill, chunk.length - off);
      this.block.set(chunk.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === this.blockSize) await this.flush(false);
    }
  }

  private async flush(last: boolean): Promise<void> {
    const full = this.fill === this.blockSize ? this.block : this.block.slice(0, this.fill);
    this.block = this.spare.pop() ?? new Uint8Array(this.blockSize);
    this.fill = 0;
    const p = this.submit(full, last);
    p.catch(() => {}); // awaited in order below
    this.queue.push(p);
    while (this.queue.length > this.inFlight || (last && this.queue.length > 0)) {
      const head = this.queue.shift();
      if (head) await this.emit(await head);
    }
  }

  async end(): Promise<void> {
    await this.flush(true);
    await this.finish();
  }

  /** A block buffer handed back (by a result): reused for a later block. */
  protected recycle(block: Uint8Array): void {
    if (block.buffer.byteLength === this.blockSize && this.spare.length <= this.inFlight) this.spare.push(new Uint8Array(block.buffer));
  }
}

export interface GzipOptions {
  /** Default, and what layers use: the pinned encoder (the same bytes everywhere). 'native' only for comparisons (bench, tests). */
  readonly encoder?: DeflateEncoder;
  /** Default GZIP_BLOCK (tests use smaller ones). */
  readonly blockSize?: number;
}

export class ParallelGzip extends BlockStream<DeflateResult & { length: number }> {
  private dict: Uint8Array | undefined;
  private crc = 0;
  private length = 0;
  private started = false;
  private readonly encoder: DeflateEncoder;
  /** Output buffers back from the workers, for the next blocks. */
  private readonly spareOut: Uint8Array[] = [];
  constructor(
    private readonly pool: CompressPool,
    private readonly level: number,
    private readonly sink: ByteSink,
    opts: GzipOptions = {},
  ) {
    super(opts.blockSize ?? GZIP_BLOCK, 2 * Math.max(1, pool.workers) + 1);
    this.encoder = opts.encoder ?? 'pinned';
  }

  protected submit(block: Uint8Array, last: boolean): Promise<DeflateResult & { length: number }> {
    const dictionary = this.dict;
    // the next block's dictionary, copied before the block is handed to a worker
    this.dict = block.length >= DICT ? block.slice(block.length - DICT) : concatTail(this.dict, block);
    const length = block.length;
    const out = this.spareOut.pop() ?? new Uint8Array(deflateBound(this.blockSize));
    return this.pool.deflate({ op: 'deflate', data: block, out, last, level: this.level, encoder: this.encoder, ...(dictionary ? { dictionary } : {}) }).then((r) => ({ ...r, length }));
  }

  protected async emit(r: DeflateResult & { length: number }): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.sink(gzipHeader(this.level));
    }
    this.crc = this.length === 0 ? r.crc : crc32Combine(this.crc, r.crc, r.length);
    this.length += r.length;
    await this.sink(r.out);
    if (r.out.buffer.byteLength === deflateBound(this.blockSize)) this.spareOut.push(new Uint8Array(r.out.buffer));
    this.recycle(r.data);
  }

  protected async finish(): Promise<void> {
    const t = new Uint8Array(8);
    const v = new DataView(t.buffer);
    v.setUint32(0, this.crc >>> 0, true);
    v.setUint32(4, this.length % 2 ** 32, true);
    await this.sink(t);
  }
}

/** The last 32 KiB of prev‖block (short blocks only occur at the end, but stay correct). */
function concatTail(prev: Uint8Array | undefined, block: Uint8Array): Uint8Array {
  const both = new Uint8Array((prev?.length ?? 0) + block.length);
  if (prev) both.set(prev);
  both.set(block, prev?.length ?? 0);
  return both.slice(Math.max(0, both.length - DICT));
}
