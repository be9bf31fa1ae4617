/**
 * zstd:chunked layers (containers/storage pkg/chunked): a zstd stream in which
 * every regular file's content starts a new frame, so a puller can fetch just
 * the files it lacks with HTTP range requests, followed by skippable frames
 * that decoders ignore: the TOC (per-entry metadata, offsets, sha256), the
 * tar-split (the raw tar headers, so the exact tar can be rebuilt and checked)
 * and a 64-byte footer. Decompressed, it is the very same tar (same diff_id).
 *
 * Frames: a run of tar headers (and the padding before them) is one frame;
 * a file's content starts a new frame, and a large file continues in a new
 * frame every CHUNK bytes (so no file is ever held whole). The TOC gives each
 * file one range [offset, endOffset) over its frames, which every reader
 * decodes as one stream. It lists no "chunk" entries: containers/storage
 * cuts files with a rolling checksum and lists the cuts for chunk-level
 * reuse, but Podman 4.3 (containers/storage 1.43) falls back to a full pull
 * for the cuts fexpod wrote (checked here); whole-file reuse is what a
 * RootFS update needs. Frames are compressed in workers, in batches, and
 * written in order; the bytes do not depend on the number of workers.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TreeEntry } from '../tree/tree.js';
import type { TarPart } from './tar-writer.js';
import type { CompressPool } from './compress-pool.js';
import type { ZstdResult } from './compress-worker.js';
import { crc64Bytes, crc64Combine } from './crc64.js';
import type { ByteSink } from './parallel-gzip.js';
import { zstdCompress, zstdReady } from './zstd-wasm.js';
import {
  chunkedAnnotations, chunkedFooter, skippableFrame, tarSplitLine, tocJson, tocTime, type TocEntry,
} from './zstd-chunked-toc.js';

export const CHUNK = 4 * 1024 * 1024;
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_PARTS = 1024;

const TOC_TYPES: Record<TreeEntry['type'], TocEntry['type']> = {
  file: 'reg', hardlink: 'hardlink', symlink: 'symlink', dir: 'dir', char: 'char', block: 'block', fifo: 'fifo',
};

/** A file being written: its TOC entries fill in as its frames are written. */
interface FileState {
  readonly toc: TocEntry[];
  crc: bigint;
  crcLength: number;
  /** tar-split slot for its crc64. */
  readonly splitSlot: number;
  /** sha256 of the whole content, where the tree did not know it. */
  readonly hash?: Hash;
}

/** What each frame of a batch is. */
type FrameRole = { kind: 'headers' } | { kind: 'chunk'; file: FileState; index: number; size: number; last: boolean };

export class ZstdChunkedWriter {
  private offset = 0;
  private readonly toc: TocEntry[] = [];
  private readonly split: { type: 1 | 2; name?: string; size?: number; payload: Uint8Array | null }[] = [];
  /** Raw bytes of the next tar-split segment (padding before + headers of the current entry). */
  private segment: Uint8Array[] = [];
  /** Raw bytes of the next header frame. */
  private headers: Uint8Array[] = [];
  private current: TreeEntry | undefined;
  private file: { state: FileState; buf: Uint8Array; fill: number; done: number; index: number } | undefined;
  private batch: { parts: Uint8Array[]; roles: FrameRole[]; bytes: number } = { parts: [], roles: [], bytes: 0 };
  private readonly queue: { result: Promise<ZstdResult>; roles: FrameRole[] }[] = [];

  constructor(
    private readonly pool: CompressPool,
    private readonly level: number,
    private readonly sink: ByteSink,
    private readonly sourceDateEpoch: number,
    private readonly chunkSize = CHUNK,
  ) {}

  async part(p: TarPart): Promise<void> {
    if (p.kind === 'data') return this.data(p.bytes);
    await this.endFile();
    if (p.kind === 'header') {
      // an entry's headers (pax + ustar) arrive as consecutive parts
      if (this.current && this.current !== p.entry) this.record(this.current);
      this.current = p.entry;
    } else if (this.current) {
      this.record(this.current);
    }
    // padding after a file and the two zero blocks belong before the next header
    this.segment.push(p.bytes);
    this.headers.push(p.bytes);
  }

  /** Records e in the TOC and the tar-split (after the raw bytes before it); its content, if any, follows. */
  private record(e: TreeEntry): FileState | undefined {
    this.current = undefined;
    this.split.push({ type: 2, payload: concat(this.segment) });
    this.segment = [];
    const name = e.type === 'dir' ? `${e.path}/` : e.path;
    const size = e.type === 'file' ? (e.content?.size ?? 0) : 0;
    const xattrs = e.type === 'hardlink' ? undefined : e.xattrs;
    const entry: TocEntry = {
      type: TOC_TYPES[e.type],
      name,
      ...(e.linkTarget !== undefined && (e.type === 'symlink' || e.type === 'hardlink') ? { linkName: e.linkTarget } : {}),
      mode: e.mode & 0o7777,
      size,
      uid: e.uid,
      gid: e.gid,
      modtime: tocTime(Math.max(0, Math.min(Math.floor(e.mtime), Math.floor(this.sourceDateEpoch)))),
      ...(e.type === 'char' || e.type === 'block' ? { devMajor: e.devMajor ?? 0, devMinor: e.devMinor ?? 0 } : {}),
      ...(xattrs ? { xattrs: Object.fromEntries(Object.entries(xattrs).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } : {}),
      ...(size > 0 && e.content?.sha256 ? { digest: `sha256:${e.content.sha256}` } : {}),
    };
    this.toc.push(entry);
    const slot = this.split.length;
    this.split.push({ type: 1, name, size, payload: null });
    const hash = size > 0 && !e.content?.sha256 ? createHash('sha256') : undefined;
    return size > 0 ? { toc: [entry], crc: 0n, crcLength: 0, splitSlot: slot, ...(hash ? { hash } : {}) } : undefined;
  }

  private async data(bytes: Uint8Array): Promise<void> {
    if (!this.file) {
      const e = this.current;
      if (!e) throw new Error('zstd:chunked: content without an entry');
      const state = this.record(e);
      if (!state || !e.content) throw new Error(`zstd:chunked: ${e.path}: content for an entry without size`);
      // the headers before the content end their frame
      this.frame(concat(this.headers), { kind: 'headers' });
      this.headers = [];
      this.file = { state, buf: new Uint8Array(Math.min(this.chunkSize, e.content.size)), fill: 0, done: 0, index: 0 };
      this.fileSize = e.content.size;
    }
    const f = this.file;
    f.state.hash?.update(bytes);
    for (let off = 0; off < bytes.length; ) {
      const n = Math.min(f.buf.length - f.fill, bytes.length - off);
      f.buf.set(bytes.subarray(off, off + n), f.fill);
      f.fill += n;
      off += n;
      if (f.fill === f.buf.length) await this.flushChunk();
    }
  }
  private fileSize = 0;

  private async flushChunk(): Promise<void> {
    const f = this.file;
    if (!f || f.fill === 0) return;
    const data = f.fill === f.buf.length ? f.buf : f.buf.slice(0, f.fill);
    const last = f.done + data.length === this.fileSize;
    this.frame(data, { kind: 'chunk', file: f.state, index: f.index, size: data.length, last });
    f.done += data.length;
    f.index++;
    f.buf = new Uint8Array(Math.min(this.chunkSize, this.fileSize - f.done));
    f.fill = 0;
    await this.drain(false);
  }

  private async endFile(): Promise<void> {
    if (!this.file) return;
    const main = this.file.state.toc[0];
    if (main && this.file.state.hash) main.digest = `sha256:${this.file.state.hash.digest('hex')}`;
    await this.flushChunk();
    this.file = undefined;
  }

  private frame(data: Uint8Array, role: FrameRole): void {
    this.batch.parts.push(data);
    this.batch.roles.push(role);
    this.batch.bytes += data.length;
    if (this.batch.bytes >= BATCH_BYTES || this.batch.parts.length >= BATCH_PARTS) this.submit();
  }

  private submit(): void {
    if (this.batch.parts.length === 0) return;
    const { parts, roles } = this.batch;
    this.batch = { parts: [], roles: [], bytes: 0 };
    const result = this.pool.zstd({ op: 'zstd', parts: parts.map(owned), level: this.level, crc64: true });
    result.catch(() => {});
    this.queue.push({ result, roles });
  }

  private async drain(all: boolean): Promise<void> {
    const limit = all ? 0 : 2 * Math.max(1, this.pool.workers) + 1;
    while (this.queue.length > limit) {
      const head = this.queue.shift();
      if (!head) break;
      const r = await head.result;
      for (const [i, frame] of r.frames.entries()) {
        const role = head.roles[i];
        if (role?.kind === 'chunk') this.place(role, this.offset, r.crc64?.[i] ?? 0n);
        await this.sink(frame);
        this.offset += frame.length;
        if (role?.kind === 'chunk' && role.last) this.finishFile(role.file);
      }
    }
  }

  /** A content frame lands at `offset`: the file's TOC entry learns where its content starts. */
  private place(role: Extract<FrameRole, { kind: 'chunk' }>, offset: number, crc: bigint): void {
    const s = role.file;
    const main = s.toc[0];
    if (!main) return;
    s.crc = s.crcLength === 0 ? crc : crc64Combine(s.crc, crc, role.size);
    s.crcLength += role.size;
    if (role.index === 0) main.offset = offset;
  }

  private finishFile(s: FileState): void {
    const main = s.toc[0];
    if (!main) return;
    main.endOffset = this.offset;
    const line = this.split[s.splitSlot];
    if (line) line.payload = crc64Bytes(s.crc);
  }

  /** Writes the last frames, the TOC, the tar-split and the footer; returns the layer annotations. */
  async end(): Promise<Record<string, string>> {
    await this.endFile();
    if (this.current) this.record(this.current);
    // the padding and zero blocks at the end: one segment, then tar-split's (empty) remainder
    this.split.push({ type: 2, payload: concat(this.segment) }, { type: 2, payload: new Uint8Array(0) });
    this.segment = [];
    if (this.headers.length > 0) this.frame(concat(this.headers), { kind: 'headers' });
    this.headers = [];
    this.submit();
    await this.drain(true);

    await zstdReady();
    const splitText = Buffer.from(this.split.map((e, i) => tarSplitLine(e, i)).join(''));
    const splitZ = zstdCompress(splitText, this.level);
    const splitDigest = `sha256:${createHash('sha256').update(splitZ).digest('hex')}`;
    const manifest = Buffer.from(tocJson(this.toc, splitDigest));
    const manifestZ = zstdCompress(manifest, this.level);
    const manifestOffset = this.offset + 8;
    const tarSplitOffset = manifestOffset + manifestZ.length + 8;
    const positions = {
      manifestOffset, manifestLength: manifestZ.length, manifestUncompressed: manifest.length,
      tarSplitOffset, tarSplitLength: splitZ.length, tarSplitUncompressed: splitText.length,
    };
    for (const f of [skippableFrame(manifestZ), skippableFrame(splitZ), skippableFrame(chunkedFooter(positions))]) {
      await this.sink(f);
      this.offset += f.length;
    }
    return chunkedAnnotations(positions, `sha256:${createHash('sha256').update(manifestZ).digest('hex')}`);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 && parts[0] ? parts[0].slice() : Buffer.concat(parts);
}

function owned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice();
}
