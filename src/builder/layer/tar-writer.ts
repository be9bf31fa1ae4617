/**
 * Deterministic POSIX (pax) tar writer over a Tree: the byte stream of an OCI
 * layer, whose sha256 is the layer's diff_id. Same entries + same
 * SOURCE_DATE_EPOCH → the same bytes, on any host, umask, TZ or temp dir.
 *
 * Rules (design §5):
 * - entries in canonical order (parents first, byte order), hardlink sets
 *   pointing back at the first member (typeflag '1');
 * - numeric uid/gid, EMPTY uname/gname, mtime clamped to SOURCE_DATE_EPOCH,
 *   no atime/ctime;
 * - a pax extended header ('x') only when needed: path or linkpath longer
 *   than 100 bytes or not ASCII, numbers too big for octal fields, and
 *   `SCHILY.xattr.<name>` records whose values are raw binary
 *   (tar-stream cannot write binary pax values, so headers are written here);
 * - devmajor/devminor only for device nodes; magic "ustar\0", version "00";
 *   the archive ends with two zero blocks (no padding to a record size).
 *
 * Pure: content is pulled lazily from each entry's ContentSource, one file at
 * a time, so a multi-GB tree is never held in memory.
 */
import { Readable } from 'node:stream';
import { canonicalEntries, type TreeEntry } from '../tree/tree.js';
import type { ChunkPool } from '../tree/chunk-pool.js';

const BLOCK = 512;
const MAX_OCTAL_7 = 0o7777777;
const MAX_OCTAL_11 = 0o77777777777;
const PAX_HEADER_NAME = '././@PaxHeader';

export interface TarWriterOptions {
  /** Every mtime is clamped to this (seconds since the epoch). */
  readonly sourceDateEpoch: number;
  /**
   * Content is read into this pool's buffers where its source can (tree/chunk-pool.ts): every
   * 'data' part whose bytes the pool owns() is the consumer's to release().
   */
  readonly pool?: ChunkPool;
}

export class TarWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TarWriteError';
  }
}

const TYPEFLAG: Record<TreeEntry['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

const enc = new TextEncoder();

function isAscii(b: Uint8Array): boolean {
  for (const x of b) if (x > 0x7f || x === 0) return false;
  return true;
}

function writeString(h: Uint8Array, off: number, len: number, b: Uint8Array): void {
  h.set(b.subarray(0, len), off);
}

/** Octal digits padded to len-1, then NUL. */
function writeOctal(h: Uint8Array, off: number, len: number, value: number): void {
  const s = value.toString(8).padStart(len - 1, '0');
  h.set(enc.encode(s), off);
  h[off + len - 1] = 0;
}

/** One pax record: "<len> <key>=<value>\n", where len counts the whole record. */
export function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const body = value.length + enc.encode(key).length + 3; // ' ' '=' '\n'
  let len = body + String(body).length;
  if (body + String(len).length !== len) len = body + String(len).length;
  const out = new Uint8Array(len);
  const prefix = enc.encode(`${len} ${key}=`);
  out.set(prefix, 0);
  out.set(value, prefix.length);
  out[len - 1] = 0x0a;
  if (prefix.length + value.length + 1 !== len) throw new TarWriteError(`pax record length mismatch for ${key}`);
  return out;
}

interface HeaderFields {
  readonly name: Uint8Array;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly typeflag: string;
  readonly linkname?: Uint8Array;
  readonly devMajor?: number;
  readonly devMinor?: number;
}

/** One ustar header block. Numbers must already fit their fields. */
export function ustarHeader(f: HeaderFields): Uint8Array {
  const h = new Uint8Array(BLOCK);
  writeString(h, 0, 100, f.name);
  writeOctal(h, 100, 8, f.mode);
  writeOctal(h, 108, 8, f.uid);
  writeOctal(h, 116, 8, f.gid);
  writeOctal(h, 124, 12, f.size);
  writeOctal(h, 136, 12, f.mtime);
  h.fill(0x20, 148, 156); // checksum placeholder: spaces
  h[156] = f.typeflag.charCodeAt(0);
  if (f.linkname) writeString(h, 157, 100, f.linkname);
  h.set(enc.encode('ustar\u0000'), 257);
  h.set(enc.encode('00'), 263);
  // uname (265) and gname (297) stay empty.
  if (f.devMajor !== undefined) writeOctal(h, 329, 8, f.devMajor);
  if (f.devMinor !== undefined) writeOctal(h, 337, 8, f.devMinor);
  let sum = 0;
  for (const x of h) sum += x;
  const ck = sum.toString(8).padStart(6, '0');
  h.set(enc.encode(ck), 148);
  h[154] = 0;
  h[155] = 0x20;
  return h;
}

function padding(size: number): Uint8Array {
  const r = size % BLOCK;
  return new Uint8Array(r === 0 ? 0 : BLOCK - r);
}

/** Header blocks (pax header if needed + ustar header) for one entry. */
export function entryHeaders(e: TreeEntry, opts: TarWriterOptions): Uint8Array[] {
  const isDir = e.type === 'dir';
  const pathBytes = enc.encode(isDir ? `${e.path}/` : e.path);
  if (e.path.length === 0) throw new TarWriteError('the tree root is not an entry');
  const records: Uint8Array[] = [];
  if (pathBytes.length > 100 || !isAscii(pathBytes)) records.push(paxRecord('path', pathBytes));
  let linkBytes: Uint8Array | undefined;
  if (e.type === 'symlink' || e.type === 'hardlink') {
    if (e.linkTarget === undefined || e.linkTarget.length === 0) throw new TarWriteError(`${e.path}: ${e.type} without a target`);
    linkBytes = enc.encode(e.linkTarget);
    if (linkBytes.length > 100 || !isAscii(linkBytes)) records.push(paxRecord('linkpath', linkBytes));
  }
  const size = e.type === 'file' ? (e.content?.size ?? 0) : 0;
  if (e.type === 'file' && !e.content && size !== 0) throw new TarWriteError(`${e.path}: file without content`);
  for (const [key, v] of [['uid', e.uid], ['gid', e.gid]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new TarWriteError(`${e.path}: bad ${key} ${v}`);
    if (v > MAX_OCTAL_7) records.push(paxRecord(key, enc.encode(String(v))));
  }
  if (size > MAX_OCTAL_11) records.push(paxRecord('size', enc.encode(String(size))));
  const xattrs = e.type === 'hardlink' ? undefined : e.xattrs;
  if (xattrs) {
    for (const name of Object.keys(xattrs).sort()) {
      const v = xattrs[name];
      if (v) records.push(paxRecord(`SCHILY.xattr.${name}`, v));
    }
  }
  const mtime = Math.max(0, Math.min(Math.floor(e.mtime), Math.floor(opts.sourceDateEpoch)));
  const blocks: Uint8Array[] = [];
  if (records.length > 0) {
    const body = Buffer.concat(records);
    blocks.push(
      ustarHeader({ name: enc.encode(PAX_HEADER_NAME), mode: 0o644, uid: 0, gid: 0, size: body.length, mtime, typeflag: 'x' }),
      body,
      padding(body.length),
    );
  }
  const dev = e.type === 'char' || e.type === 'block';
  blocks.push(
    ustarHeader({
      name: pathBytes,
      mode: e.mode & 0o7777,
      uid: Math.min(e.uid, MAX_OCTAL_7),
      gid: Math.min(e.gid, MAX_OCTAL_7),
      size: Math.min(size, MAX_OCTAL_11),
      mtime,
      typeflag: TYPEFLAG[e.type],
      ...(linkBytes ? { linkname: linkBytes } : {}),
      ...(dev ? { devMajor: e.devMajor ?? 0, devMinor: e.devMinor ?? 0 } : {}),
    }),
  );
  return blocks;
}

/** One piece of the tar stream, with what it belongs to (zstd:chunked frames files by it). */
export interface TarPart {
  /** header: pax + ustar header blocks of `entry`; data: some of its content; pad: block padding; end: the two zero blocks. */
  readonly kind: 'header' | 'data' | 'pad' | 'end';
  readonly bytes: Uint8Array;
  readonly entry?: TreeEntry;
}

/** A file's content in pieces: streamed from its file where it has one, else read whole. */
async function* contentPieces(e: TreeEntry, pool: ChunkPool | undefined): AsyncGenerator<Uint8Array> {
  const src = e.content;
  if (!src) return;
  let total = 0;
  try {
    if (src.stream) {
      for await (const c of src.stream(pool)) {
        total += c.length;
        if (total > src.size) {
          pool?.release(c);
          break;
        }
        yield c;
      }
    } else {
      const data = await src.read();
      total = data.length;
      if (total <= src.size) yield data;
    }
  } catch (err) {
    throw new TarWriteError(`${e.path}: reading content: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (total !== src.size) throw new TarWriteError(`${e.path}: content is ${total > src.size ? 'more than' : total} bytes, the entry says ${src.size}`);
}

/**
 * The tar stream of a tree as labelled parts (headers, content pieces,
 * padding, end). Entries are put in canonical order here, so callers may pass
 * them in any order; content is pulled one file at a time, in pieces.
 */
export async function* tarParts(entries: Iterable<TreeEntry>, opts: TarWriterOptions): AsyncGenerator<TarPart> {
  for (const e of canonicalEntries(entries)) {
    for (const bytes of entryHeaders(e, opts)) yield { kind: 'header', bytes, entry: e };
    if (e.type === 'file' && e.content && e.content.size > 0) {
      for await (const bytes of contentPieces(e, opts.pool)) yield { kind: 'data', bytes, entry: e };
      const pad = padding(e.content.size);
      if (pad.length > 0) yield { kind: 'pad', bytes: pad, entry: e };
    }
  }
  yield { kind: 'end', bytes: new Uint8Array(BLOCK * 2) };
}

/**
 * The tar byte stream of a tree, as an async iterable of chunks. Entries are
 * put in canonical order here, so callers may pass them in any order.
 */
export async function* tarChunks(entries: Iterable<TreeEntry>, opts: TarWriterOptions): AsyncGenerator<Uint8Array> {
  for await (const p of tarParts(entries, opts)) yield p.bytes;
}

/** The same stream as a Node Readable (for piping into hashes, files, registries). */
export function tarReadable(entries: Iterable<TreeEntry>, opts: TarWriterOptions): Readable {
  return Readable.from(tarChunks(entries, opts), { objectMode: false });
}

/** The whole tar in memory (tests and small trees; builds stream it). */
export async function layerTar(entries: readonly TreeEntry[], sourceDateEpoch: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of tarChunks(entries, { sourceDateEpoch })) chunks.push(c);
  return Buffer.concat(chunks);
}
