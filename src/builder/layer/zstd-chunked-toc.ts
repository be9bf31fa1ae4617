/**
 * The metadata of a zstd:chunked layer (containers/storage pkg/chunked,
 * internal/minimal/compression.go and the tar-split packer it uses), as pure
 * functions: TOC entries, tar-split JSON lines, the 64-byte footer and the
 * layer annotations. Field names, their order and omit-when-empty rules follow
 * the Go structs, so the JSON is what containers/storage itself would write.
 */
import { rfc3339 } from '../../common/canonical-json.js';

/** One TOC entry (minimal.FileMetadata); undefined fields are omitted as Go's omitempty does. */
export interface TocEntry {
  type: 'reg' | 'chunk' | 'hardlink' | 'char' | 'block' | 'dir' | 'fifo' | 'symlink';
  name: string;
  linkName?: string;
  mode?: number;
  size?: number;
  uid?: number;
  gid?: number;
  modtime?: string;
  devMajor?: number;
  devMinor?: number;
  xattrs?: Record<string, string>;
  digest?: string;
  offset?: number;
  endOffset?: number;
  chunkSize?: number;
  chunkOffset?: number;
  chunkDigest?: string;
  chunkType?: string;
}

const FIELD_ORDER: readonly (keyof TocEntry)[] = [
  'type', 'name', 'linkName', 'mode', 'size', 'uid', 'gid', 'modtime', 'devMajor', 'devMinor', 'xattrs',
  'digest', 'offset', 'endOffset', 'chunkSize', 'chunkOffset', 'chunkDigest', 'chunkType',
];

/** Go's encoding/json string escaping (HTML-safe: <, >, & and U+2028/9 escaped). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
}

function tocEntryJson(e: TocEntry): string {
  const parts: string[] = [];
  for (const k of FIELD_ORDER) {
    const v = e[k];
    // type and name have no omitempty
    if (k !== 'type' && k !== 'name' && isEmpty(v)) continue;
    if (typeof v === 'string') parts.push(`"${k}":${goJsonString(v)}`);
    else if (typeof v === 'number') parts.push(`"${k}":${v}`);
    else if (v && typeof v === 'object') {
      const keys = Object.keys(v).sort(); // Go sorts map keys
      parts.push(`"${k}":{${keys.map((x) => `${goJsonString(x)}:${goJsonString(v[x] ?? '')}`).join(',')}}`);
    }
  }
  return `{${parts.join(',')}}`;
}

/** The TOC document (minimal.TOC): version 1, the entries, the tar-split digest. */
export function tocJson(entries: readonly TocEntry[], tarSplitDigest: string): string {
  return `{"version":1,"entries":[${entries.map(tocEntryJson).join(',')}],"tarSplitDigest":${goJsonString(tarSplitDigest)}}`;
}

/** modtime as Go marshals a UTC time.Time. */
export function tocTime(epochSeconds: number): string {
  return rfc3339(epochSeconds);
}

/** A tar-split line (storage.Entry, JSON packer): type 1 = file, 2 = segment; payload base64 or null. */
export function tarSplitLine(e: { type: 1 | 2; name?: string; size?: number; payload: Uint8Array | null }, position: number): string {
  const parts = [`"type":${e.type}`];
  if (e.name) parts.push(`"name":${goJsonString(e.name)}`);
  if (e.size) parts.push(`"size":${e.size}`);
  parts.push(`"payload":${e.payload === null ? 'null' : `"${Buffer.from(e.payload).toString('base64')}"`}`);
  parts.push(`"position":${position}`);
  return `{${parts.join(',')}}\n`;
}

export const SKIPPABLE_MAGIC = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18]);
export const CHUNKED_MAGIC = Uint8Array.from([0x47, 0x4e, 0x55, 0x6c, 0x49, 0x6e, 0x55, 0x78]); // "GNUlInUx"
export const FOOTER_SIZE = 64;

/** A zstd skippable frame around data (ignored by every zstd decoder). */
export function skippableFrame(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + data.length);
  out.set(SKIPPABLE_MAGIC);
  new DataView(out.buffer).setUint32(4, data.length, true);
  out.set(data, 8);
  return out;
}

export interface ChunkedPositions {
  readonly manifestOffset: number;
  readonly manifestLength: number;
  readonly manifestUncompressed: number;
  readonly tarSplitOffset: number;
  readonly tarSplitLength: number;
  readonly tarSplitUncompressed: number;
}

/** The footer (minimal.footerDataToBlob): seven little-endian u64 and the magic. */
export function chunkedFooter(p: ChunkedPositions): Uint8Array {
  const out = new Uint8Array(FOOTER_SIZE);
  const v = new DataView(out.buffer);
  const put = (i: number, n: number) => v.setBigUint64(i * 8, BigInt(n), true);
  put(0, p.manifestOffset);
  put(1, p.manifestLength);
  put(2, p.manifestUncompressed);
  put(3, 1); // ManifestTypeCRFS
  put(4, p.tarSplitOffset);
  put(5, p.tarSplitLength);
  put(6, p.tarSplitUncompressed);
  out.set(CHUNKED_MAGIC, 56);
  return out;
}

/**
 * Layer annotations. The io.github.containers.* keys are today's
 * (containers/storage >= 1.44: Podman 4.4+); the io.containers.* pair is what
 * older readers (Podman 4.3, Debian 12) look for, so both partial-pull.
 */
export function chunkedAnnotations(p: ChunkedPositions, manifestDigest: string): Record<string, string> {
  const position = `${p.manifestOffset}:${p.manifestLength}:${p.manifestUncompressed}:1`;
  return {
    'io.containers.zstd-chunked.manifest-checksum': manifestDigest,
    'io.containers.zstd-chunked.manifest-position': position,
    'io.github.containers.zstd-chunked.manifest-checksum': manifestDigest,
    'io.github.containers.zstd-chunked.manifest-position': position,
    'io.github.containers.zstd-chunked.tarsplit-position': `${p.tarSplitOffset}:${p.tarSplitLength}:${p.tarSplitUncompressed}`,
  };
}
