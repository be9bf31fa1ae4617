/**
 * Writing an RPM header (pure, over values): the inverse of rpm-header.ts.
 *
 *   magic 8e ad e8 01 | 4 reserved | index count (u32 BE) | store size (u32 BE)
 *   index entries (tag, type, offset, count; u32 BE each), sorted by tag
 *   data store: values in index order, each aligned to its type (INT16 2,
 *   INT32 4, INT64 8), then the region trailer
 *
 * The first entry is the region tag (HEADERIMMUTABLE for the main header,
 * HEADERSIGNATURES for the signature header): BIN, count 16, pointing at a
 * 16-byte trailer at the end of the store that repeats the tag with offset
 * -(16 × entries), which says the whole header is one immutable region (as
 * rpmbuild writes it; rpm verifies digests and signatures over that region).
 * The same values give the same bytes.
 */
import { RpmTagType } from './rpm-tags.js';

export type HeaderValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'i18n'; readonly value: string }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'int16'; readonly value: readonly number[] }
  | { readonly type: 'int32'; readonly value: readonly number[] }
  | { readonly type: 'bin'; readonly value: Uint8Array };

export const str = (value: string): HeaderValue => ({ type: 'string', value });
export const i18n = (value: string): HeaderValue => ({ type: 'i18n', value });
export const strs = (value: readonly string[]): HeaderValue => ({ type: 'strings', value });
export const int16 = (...value: number[]): HeaderValue => ({ type: 'int16', value });
export const int32 = (...value: number[]): HeaderValue => ({ type: 'int32', value });

const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);

function typeCode(v: HeaderValue): number {
  switch (v.type) {
    case 'string': return RpmTagType.STRING;
    case 'i18n': return RpmTagType.I18NSTRING;
    case 'strings': return RpmTagType.STRING_ARRAY;
    case 'int16': return RpmTagType.INT16;
    case 'int32': return RpmTagType.INT32;
    case 'bin': return RpmTagType.BIN;
  }
}

function encode(v: HeaderValue): { bytes: Buffer; count: number; align: number } {
  switch (v.type) {
    case 'string':
    case 'i18n':
      return { bytes: Buffer.from(`${v.value}\0`, 'utf8'), count: 1, align: 1 };
    case 'strings':
      return { bytes: Buffer.from(v.value.map((s) => `${s}\0`).join(''), 'utf8'), count: v.value.length, align: 1 };
    case 'int16': {
      const b = Buffer.alloc(2 * v.value.length);
      v.value.forEach((n, i) => b.writeUInt16BE(n & 0xffff, 2 * i));
      return { bytes: b, count: v.value.length, align: 2 };
    }
    case 'int32': {
      const b = Buffer.alloc(4 * v.value.length);
      v.value.forEach((n, i) => b.writeUInt32BE(n >>> 0, 4 * i));
      return { bytes: b, count: v.value.length, align: 4 };
    }
    case 'bin':
      return { bytes: Buffer.from(v.value), count: v.value.length, align: 1 };
  }
}

/** A header whose first entry is the immutable region `regionTag`, then `tags` sorted by tag number. */
export function writeHeader(regionTag: number, tags: ReadonlyMap<number, HeaderValue>): Buffer {
  const sorted = [...tags.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.some(([t]) => t <= regionTag)) throw new Error(`header: tags must come after the region tag ${regionTag}`);
  const il = sorted.length + 1;
  const index: Buffer[] = [];
  const store: Buffer[] = [];
  let size = 0;
  for (const [tag, v] of sorted) {
    const e = encode(v);
    const pad = (e.align - (size % e.align)) % e.align;
    if (pad) {
      store.push(Buffer.alloc(pad));
      size += pad;
    }
    const entry = Buffer.alloc(16);
    entry.writeUInt32BE(tag, 0);
    entry.writeUInt32BE(typeCode(v), 4);
    entry.writeUInt32BE(size, 8);
    entry.writeUInt32BE(e.count, 12);
    index.push(entry);
    store.push(e.bytes);
    size += e.bytes.length;
  }
  // The region: its entry points at the trailer; the trailer's offset is -(16 × il).
  const region = Buffer.alloc(16);
  region.writeUInt32BE(regionTag, 0);
  region.writeUInt32BE(RpmTagType.BIN, 4);
  region.writeUInt32BE(size, 8);
  region.writeUInt32BE(16, 12);
  const trailer = Buffer.alloc(16);
  trailer.writeUInt32BE(regionTag, 0);
  trailer.writeUInt32BE(RpmTagType.BIN, 4);
  trailer.writeInt32BE(-16 * il, 8);
  trailer.writeUInt32BE(16, 12);
  store.push(trailer);
  size += 16;
  const counts = Buffer.alloc(8);
  counts.writeUInt32BE(il, 0);
  counts.writeUInt32BE(size, 4);
  return Buffer.concat([HEADER_MAGIC, counts, region, ...index, ...store]);
}
