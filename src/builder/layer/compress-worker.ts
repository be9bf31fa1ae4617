/**
 * A compression worker (worker_threads): takes a list of independent parts
 * and returns each one compressed, with the checksums the caller asked for.
 * Pure functions of the input bytes, so the layer is the same whatever the
 * number of workers and whichever worker gets which part.
 *
 *   deflate  raw deflate of one block, primed with the previous block's last
 *            32 KiB as dictionary, ended by a sync flush (or, for the last
 *            block, by the final block): pigz's way of making blocks that
 *            concatenate into one deflate stream. Returns the block's CRC-32.
 *            By the encoder the task names (deflate-block.ts): layers always
 *            use the pinned one.
 *   zstd     one zstd frame per part (a 4 MiB block of a zstd layer, or a
 *            header run / file chunk of a zstd:chunked layer); on request the
 *            part's sha256 and CRC-64/ISO (the TOC chunk digest, tar-split).
 */
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { crc32 } from './crc32.js';
import { deflateBlock, type DeflateEncoder } from './deflate-block.js';
import { crc64 } from './crc64.js';
import { zstdCompress, zstdReady } from './zstd-wasm.js';

export interface DeflateTask {
  readonly op: 'deflate';
  readonly data: Uint8Array;
  readonly dictionary?: Uint8Array;
  readonly last: boolean;
  readonly level: number;
  readonly encoder: DeflateEncoder;
  /** Where the result goes when it fits (a buffer the caller reuses, as it reuses `data`). */
  readonly out?: Uint8Array;
}

export interface ZstdTask {
  readonly op: 'zstd';
  readonly parts: readonly Uint8Array[];
  readonly level: number;
  /** Also return each part's sha256 hex / CRC-64 (zstd:chunked). */
  readonly sha256?: boolean;
  readonly crc64?: boolean;
}

export type CompressTask = DeflateTask | ZstdTask;

export interface DeflateResult {
  /** The deflated block: a view of the task's `out` when it fit. */
  readonly out: Uint8Array;
  readonly crc: number;
  /** The task's input, handed back for reuse. */
  readonly data: Uint8Array;
}

export interface ZstdResult {
  readonly frames: readonly Uint8Array[];
  /** The task's parts, handed back (a caller that reuses its buffers takes them). */
  readonly parts: readonly Uint8Array[];
  readonly sha256?: readonly string[];
  readonly crc64?: readonly bigint[];
}

export function runDeflate(t: DeflateTask): DeflateResult {
  return { out: deflateBlock(t.encoder, t, t.out), crc: crc32(t.data), data: t.data };
}

export async function runZstd(t: ZstdTask): Promise<ZstdResult> {
  await zstdReady();
  return {
    frames: t.parts.map((p) => zstdCompress(p, t.level)),
    parts: t.parts,
    ...(t.sha256 ? { sha256: t.parts.map((p) => createHash('sha256').update(p).digest('hex')) } : {}),
    ...(t.crc64 ? { crc64: t.parts.map((p) => crc64(p)) } : {}),
  };
}

/** The bytes in an ArrayBuffer of their own (a pooled Buffer must not be transferred). */
function owned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}

const port = parentPort;
if (port) {
  port.on('message', (msg: { id: number; task: CompressTask }) => {
    const done = (result: DeflateResult | ZstdResult) => {
      // deflate: the caller's buffers go back as they came (views and all), whole; anything else in a buffer of its own
      const task = msg.task;
      const r = 'out' in result
        ? { ...result, out: task.op === 'deflate' && result.out.buffer === task.out?.buffer ? result.out : owned(result.out) }
        : { ...result, frames: result.frames.map(owned) };
      const transfer = 'out' in r ? [r.out.buffer, r.data.buffer] : [...r.frames, ...r.parts].map((f) => f.buffer);
      port.postMessage({ id: msg.id, result: r }, [...new Set(transfer)] as ArrayBuffer[]);
    };
    const fail = (err: unknown) => port.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) });
    try {
      if (msg.task.op === 'deflate') done(runDeflate(msg.task));
      else runZstd(msg.task).then(done, fail);
    } catch (err) {
      fail(err);
    }
  });
}
