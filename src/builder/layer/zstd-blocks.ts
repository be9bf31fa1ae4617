/**
 * A zstd layer on every core: the input is cut into fixed-size blocks and
 * each becomes one independent zstd frame (in a worker); concatenated frames
 * are one valid zstd stream (RFC 8878 §3.1), and every frame is a pure
 * function of its block, so the bytes do not depend on the number of workers.
 */
import type { CompressPool } from './compress-pool.js';
import type { ZstdResult } from './compress-worker.js';
import { BlockStream, type ByteSink } from './parallel-gzip.js';

export const ZSTD_BLOCK = 4 * 1024 * 1024;

export class ZstdBlocks extends BlockStream<ZstdResult> {
  constructor(
    private readonly pool: CompressPool,
    private readonly level: number,
    private readonly sink: ByteSink,
    blockSize = ZSTD_BLOCK,
  ) {
    super(blockSize, 2 * Math.max(1, pool.workers) + 1);
  }
  protected submit(block: Uint8Array): Promise<ZstdResult> {
    return this.pool.zstd({ op: 'zstd', parts: [block], level: this.level });
  }
  protected async emit(r: ZstdResult): Promise<void> {
    for (const f of r.frames) await this.sink(f);
    for (const p of r.parts) this.recycle(p); // the 4 MiB block buffers go round (parallel-gzip.ts says why)
  }
  protected async finish(): Promise<void> {}
}
