/**
 * A fixed set of compression workers (worker_threads) shared by one build.
 * Tasks go to whichever worker is free; each answer comes back to the caller
 * that submitted it, so callers keep their own order. The number of workers
 * never changes the bytes (every task is a pure function of its input).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { FexpodError } from '../../common/errors.js';
import { runDeflate, runZstd, type CompressTask, type DeflateResult, type DeflateTask, type ZstdResult, type ZstdTask } from './compress-worker.js';

export interface CompressPool {
  readonly workers: number;
  deflate(task: DeflateTask): Promise<DeflateResult>;
  zstd(task: ZstdTask): Promise<ZstdResult>;
  close(): Promise<void>;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** Default worker count: every core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * workers = 0 runs every task on the calling thread (tests, and a way to
 * show the bytes do not depend on the workers).
 */
export function compressPool(workers = defaultWorkers()): CompressPool {
  if (workers === 0) {
    return { workers: 0, deflate: async (t) => runDeflate(t), zstd: (t) => runZstd(t), close: async () => {} };
  }
  const url = new URL('./compress-worker.js', import.meta.url);
  const idle: Worker[] = [];
  const queue: { id: number; task: CompressTask; transfer: ArrayBuffer[] }[] = [];
  const pending = new Map<number, Pending>();
  const busy = new Map<Worker, number>();
  let seq = 0;
  let broken: Error | undefined;

  const pump = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const w = idle.pop();
      const job = queue.shift();
      if (!w || !job) break;
      busy.set(w, job.id);
      w.postMessage({ id: job.id, task: job.task }, job.transfer);
    }
  };
  const all: Worker[] = [];
  for (let i = 0; i < workers; i++) {
    const w = new Worker(url);
    w.unref();
    w.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      busy.delete(w);
      idle.push(w);
      if (msg.error !== undefined) p?.reject(new FexpodError(`compression failed: ${msg.error}`));
      else p?.resolve(msg.result);
      pump();
    });
    w.on('error', (err) => {
      broken = err;
      const id = busy.get(w);
      if (id !== undefined) pending.get(id)?.reject(new FexpodError('a compression worker failed', { cause: err }));
    });
    all.push(w);
    idle.push(w);
  }
  const submit = <T>(task: CompressTask, transfer: ArrayBuffer[]): Promise<T> => {
    if (broken) return Promise.reject(new FexpodError('a compression worker failed', { cause: broken }));
    const id = seq++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: (v) => resolve(v as T), reject });
      queue.push({ id, task, transfer });
      pump();
    });
  };
  return {
    workers,
    deflate: (t) => submit<DeflateResult>(t, [t.data.buffer as ArrayBuffer, ...(t.out ? [t.out.buffer as ArrayBuffer] : [])]),
    zstd: (t) => submit<ZstdResult>(t, t.parts.map((p) => p.buffer as ArrayBuffer).filter((b, i, a) => a.indexOf(b) === i)),
    close: async () => {
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
