/**
 * Read buffers that go round instead of being allocated per read. A tree's
 * content streamed into the layer is 0.5-2 GB read in 1 MiB pieces; a fresh
 * Buffer per piece is external memory to V8, which answers each 64 MiB of it
 * with a full mark-compact (~100 of them for a 467 MB tree, 2 s of CPU
 * across the main and marking threads). With a pool, every piece is one of a
 * fixed set of buffers.
 *
 * A piece may have several holders (the layer's own pass and the tools that
 * read the same tar on stdin): each one retain()s it and release()s it when
 * done with its bytes; a buffer is reused only when the last holder let go.
 * acquire() waits while every buffer is held, so `max` bounds the memory.
 */
export class ChunkPool {
  private readonly free: Uint8Array[] = [];
  private readonly holders = new Map<ArrayBufferLike, number>();
  private readonly waiting: (() => void)[] = [];
  private made = 0;

  constructor(
    readonly size = 1024 * 1024,
    readonly max = 16,
  ) {}

  /** A whole buffer with one holder (the caller). */
  async acquire(): Promise<Uint8Array> {
    for (;;) {
      let b = this.free.pop();
      if (!b && this.made < this.max) {
        this.made++;
        b = new Uint8Array(this.size);
      }
      if (b) {
        this.holders.set(b.buffer, 1);
        return b;
      }
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  /** Whether `view` lies in one of this pool's buffers (held now). */
  owns(view: Uint8Array): boolean {
    return this.holders.has(view.buffer);
  }

  /** One more holder of the buffer `view` lies in. */
  retain(view: Uint8Array): void {
    const n = this.holders.get(view.buffer);
    if (n === undefined) throw new Error('ChunkPool.retain: not a held buffer of this pool');
    this.holders.set(view.buffer, n + 1);
  }

  /** One holder less; the last one returns the buffer to the pool. Views of other memory are ignored. */
  release(view: Uint8Array): void {
    const n = this.holders.get(view.buffer);
    if (n === undefined) return;
    if (n > 1) {
      this.holders.set(view.buffer, n - 1);
      return;
    }
    this.holders.delete(view.buffer);
    this.free.push(new Uint8Array(view.buffer));
    this.waiting.shift()?.();
  }
}
