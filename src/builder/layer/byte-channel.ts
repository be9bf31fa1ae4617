/**
 * One producer, one consumer, bounded: the layer pass writes each tar chunk
 * here and a tool's stdin (mksquashfs, mkfs.erofs --tar) reads it as an async
 * iterable. write() waits while `capacity` chunks are unread, so a slow tool
 * slows the pass instead of growing memory. A consumer that stops (the tool
 * failed) calls abandon(): later writes are dropped, its own error is what
 * the caller reports.
 *
 * A chunk may come with `done`, called once the consumer is through with its
 * bytes — when it asks for the next chunk (the process runner asks only after
 * the tool's stdin took the previous one), or when the channel is abandoned —
 * so the producer can reuse the buffer (tree/chunk-pool.ts).
 */
interface Item {
  readonly chunk: Uint8Array;
  readonly done: (() => void) | undefined;
}

export class ByteChannel implements AsyncIterable<Uint8Array> {
  private readonly items: Item[] = [];
  private closed = false;
  private abandoned = false;
  private failure: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;
  constructor(private readonly capacity = 8) {}

  async write(chunk: Uint8Array, done?: () => void): Promise<void> {
    if (this.abandoned) return done?.();
    while (this.items.length >= this.capacity && !this.abandoned) {
      await new Promise<void>((r) => { this.wakeWriter = r; });
    }
    if (this.abandoned) return done?.();
    this.items.push({ chunk, done });
    this.wakeReader?.();
  }

  close(): void {
    this.closed = true;
    this.wakeReader?.();
  }

  /** The producer failed: the reader throws err instead of seeing a (truncated) end. */
  fail(err: unknown): void {
    this.failure = err ?? new Error('the tar stream failed');
    this.close();
  }

  abandon(): void {
    this.abandoned = true;
    for (const it of this.items.splice(0)) it.done?.();
    this.wakeWriter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    let held: Item | undefined;
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure;
        const next = this.items.shift();
        if (next !== undefined) {
          this.wakeWriter?.();
          held = next;
          yield next.chunk;
          held = undefined;
          next.done?.(); // asked for the next one: through with this one
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((r) => { this.wakeReader = r; });
      }
    } finally {
      held?.done?.();
      if (!this.closed) this.abandon();
      else for (const it of this.items.splice(0)) it.done?.();
    }
  }
}
