/**
 * One producer, one consumer, bounded: the layer pass writes each tar chunk
 * here and a tool's stdin (mksquashfs, mkfs.erofs --tar) reads it as an async
 * iterable. write() waits while `capacity` chunks are unread, so a slow tool
 * slows the pass instead of growing memory. A consumer that stops (the tool
 * failed) calls abandon(): later writes are dropped, its own error is what
 * the caller reports.
 */
export class ByteChannel implements AsyncIterable<Uint8Array> {
  private readonly items: Uint8Array[] = [];
  private closed = false;
  private abandoned = false;
  private failure: unknown;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;
  constructor(private readonly capacity = 8) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.abandoned) return;
    while (this.items.length >= this.capacity && !this.abandoned) {
      await new Promise<void>((r) => { this.wakeWriter = r; });
    }
    if (this.abandoned) return;
    this.items.push(chunk);
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
    this.items.length = 0;
    this.wakeWriter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (;;) {
        if (this.failure !== undefined) throw this.failure;
        const next = this.items.shift();
        if (next !== undefined) {
          this.wakeWriter?.();
          yield next;
          continue;
        }
        if (this.failure !== undefined) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((r) => { this.wakeReader = r; });
      }
    } finally {
      if (!this.closed) this.abandon();
    }
  }
}
