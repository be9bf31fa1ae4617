/**
 * The "layer" step: a tree → its tar stream, made once and used in one pass:
 * hashed (the diff_id), compressed on every core (gzip, zstd or zstd:chunked)
 * into a blob file that is hashed as it is written (the layer digest), and
 * copied to the tools that read a tar on stdin (mksquashfs, mkfs.erofs --tar).
 * Neither the tar nor the blob is ever held in memory.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { FexpodError } from '../../common/errors.js';
import { ChunkPool } from '../tree/chunk-pool.js';
import type { TreeEntry } from '../tree/tree.js';
import { tarParts } from './tar-writer.js';
import type { CompressPool } from './compress-pool.js';
import type { ByteChannel } from './byte-channel.js';
import { ParallelGzip, type StreamCompressor } from './parallel-gzip.js';
import { ZstdBlocks } from './zstd-blocks.js';
import { ZstdChunkedWriter } from './zstd-chunked.js';
import { DEFAULT_LEVEL, MEDIA_TYPE_LAYER, type LayerCompression } from './layer-compression.js';

export { LAYER_COMPRESSIONS, type LayerCompression } from './layer-compression.js';

export interface LayerBlob {
  /** The compressed blob on disk (absent when only the tar stream was wanted). */
  readonly path?: string;
  readonly mediaType: string;
  /** sha256 of the compressed blob. */
  readonly digest: string;
  readonly size: number;
  /** sha256 of the uncompressed tar. */
  readonly diffId: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface LayerRequest {
  readonly entries: readonly TreeEntry[];
  readonly sourceDateEpoch: number;
  /** Where the compressed blob goes; undefined: no blob (the tar only feeds the tees). */
  readonly dest?: string;
  readonly compression: LayerCompression;
  readonly level?: number;
  /** Tools reading the same tar stream (each gets every byte, in order). */
  readonly tees?: readonly ByteChannel[];
  /** Told the size of each piece of file content once it went through (progress). */
  readonly onData?: (bytes: number) => void;
}

/** A blob file hashed as it is written. */
function blobSink(path: string) {
  const fd = openSync(path, 'wx', 0o644);
  const hash = createHash('sha256');
  let size = 0;
  return {
    write(bytes: Uint8Array): void {
      hash.update(bytes);
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      size += bytes.length;
    },
    close(): { digest: string; size: number } {
      closeSync(fd);
      return { digest: `sha256:${hash.digest('hex')}`, size };
    },
    abort(): void {
      try { closeSync(fd); } catch { /* already closed */ }
    },
  };
}

export async function writeLayer(req: LayerRequest, pool: CompressPool): Promise<LayerBlob> {
  const diff = createHash('sha256');
  const tees = req.tees ?? [];
  const level = req.level ?? DEFAULT_LEVEL[req.compression];
  if (req.compression === 'gzip' && (level < 1 || level > 9)) {
    throw new FexpodError(`gzip level ${level} is out of range`, { fix: 'use a gzip level from 1 to 9 ([outputs.layer] level)' });
  }
  const sink = req.dest ? blobSink(req.dest) : undefined;
  const write = (b: Uint8Array) => sink?.write(b);
  let plain: StreamCompressor | undefined;
  let chunked: ZstdChunkedWriter | undefined;
  if (sink && req.compression === 'gzip') plain = new ParallelGzip(pool, level, write);
  else if (sink && req.compression === 'zstd') plain = new ZstdBlocks(pool, level, write);
  else if (sink) chunked = new ZstdChunkedWriter(pool, level, write, req.sourceDateEpoch);
  let size = 0;
  // content pieces go round in a few buffers, held by this pass and by every tee until each is done with them
  const pieces = new ChunkPool(1024 * 1024, 16);
  try {
    for await (const part of tarParts(req.entries, { sourceDateEpoch: req.sourceDateEpoch, pool: pieces })) {
      const bytes = part.bytes;
      const pooled = pieces.owns(bytes);
      diff.update(bytes);
      size += bytes.length;
      for (const t of tees) {
        if (pooled) pieces.retain(bytes);
        await t.write(bytes, pooled ? () => pieces.release(bytes) : undefined);
      }
      // both copy what they keep before they return
      if (plain) await plain.push(bytes);
      else if (chunked) await chunked.part(part);
      if (pooled) pieces.release(bytes);
      if (part.kind === 'data') req.onData?.(bytes.length);
    }
    let annotations: Record<string, string> | undefined;
    if (plain) await plain.end();
    else if (chunked) annotations = await chunked.end();
    const diffId = `sha256:${diff.digest('hex')}`;
    const blob = sink?.close();
    return {
      ...(req.dest ? { path: req.dest } : {}),
      mediaType: MEDIA_TYPE_LAYER[req.compression],
      digest: blob?.digest ?? diffId,
      size: blob?.size ?? size,
      diffId,
      ...(annotations ? { annotations } : {}),
    };
  } catch (err) {
    sink?.abort();
    for (const t of tees) t.fail(err);
    throw err;
  } finally {
    for (const t of tees) t.close();
  }
}
