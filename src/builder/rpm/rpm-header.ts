/**
 * RPM package layout and header parsing (pure, over bytes).
 *
 *   lead (96 bytes) | signature header (padded to 8) | main header | compressed payload
 *
 * A header is: magic 8e ad e8 01, 4 reserved bytes, index count (u32 BE), store size (u32 BE),
 * index entries of 16 bytes (tag, type, offset, count; all u32 BE), then the data store.
 * Values are decoded lazily from the store. The byte ranges of each part are kept because the
 * signature covers the exact main-header bytes and the payload digest covers the bytes after it.
 */

export class RpmFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpmFormatError';
  }
}

/** The bytes given end before the headers do; `needed` is the total length required. */
export class RpmTruncatedError extends RpmFormatError {
  constructor(readonly needed: number, have: number) {
    super(`RPM headers are truncated: need ${needed} bytes, have ${have}`);
    this.name = 'RpmTruncatedError';
  }
}

export const RPM_LEAD_SIZE = 96;
const LEAD_MAGIC = [0xed, 0xab, 0xee, 0xdb] as const;
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01] as const;
const HEADER_PREAMBLE = 16;
const ENTRY_SIZE = 16;
/** rpm refuses headers larger than this (hdrblob limits); so do we. */
const MAX_HEADER_STORE = 256 * 1024 * 1024;
const MAX_INDEX_ENTRIES = 1 << 20;

export { RpmTagType, RpmTag, RpmSigTag, RpmSense, RpmHashAlgo } from './rpm-tags.js';
export type { RpmTagTypeCode } from './rpm-tags.js';
import { RpmTagType, RpmTag } from './rpm-tags.js';

export interface ByteRange {
  /** Offset of the first byte in the package. */
  readonly start: number;
  /** Offset one past the last byte (before any padding). */
  readonly end: number;
}

export interface RpmIndexEntry {
  readonly tag: number;
  readonly type: number;
  /** Offset into the data store. */
  readonly offset: number;
  readonly count: number;
}

export interface RpmLead {
  readonly major: number;
  readonly minor: number;
  /** 0 binary, 1 source. */
  readonly type: number;
  readonly name: string;
  readonly signatureType: number;
}

/** One parsed header (signature or main). Values decode on demand. */
export class RpmHeader {
  private readonly byTag: Map<number, RpmIndexEntry>;

  constructor(
    /** The header's own bytes, magic to end of store. */
    readonly bytes: Uint8Array,
    readonly entries: readonly RpmIndexEntry[],
    private readonly storeOffset: number,
  ) {
    this.byTag = new Map(entries.map((e) => [e.tag, e]));
  }

  has(tag: number): boolean {
    return this.byTag.has(tag);
  }

  entry(tag: number): RpmIndexEntry | undefined {
    return this.byTag.get(tag);
  }

  /** STRING, I18NSTRING (first) or a one-element STRING_ARRAY. */
  string(tag: number): string | undefined {
    const e = this.byTag.get(tag);
    if (!e) return undefined;
    if (e.type !== RpmTagType.STRING && e.type !== RpmTagType.I18NSTRING && e.type !== RpmTagType.STRING_ARRAY) {
      throw new RpmFormatError(`tag ${tag} is type ${e.type}, not a string`);
    }
    return this.readStrings(e, 1)[0];
  }

  /** STRING_ARRAY / I18NSTRING values (a STRING gives one element). Missing tag: []. */
  strings(tag: number): string[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    if (e.type !== RpmTagType.STRING && e.type !== RpmTagType.I18NSTRING && e.type !== RpmTagType.STRING_ARRAY) {
      throw new RpmFormatError(`tag ${tag} is type ${e.type}, not a string array`);
    }
    return this.readStrings(e, e.type === RpmTagType.STRING ? 1 : e.count);
  }

  /** CHAR/INT8/INT16/INT32 values as numbers, INT64 as numbers when exact. Missing tag: []. */
  numbers(tag: number): number[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    if (e.type === RpmTagType.INT64) {
      return this.bigints(tag).map((b) => {
        if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new RpmFormatError(`tag ${tag}: value ${b} too large`);
        return Number(b);
      });
    }
    const width = intWidth(e.type);
    if (width === undefined) throw new RpmFormatError(`tag ${tag} is type ${e.type}, not an integer`);
    const start = this.dataStart(e, width * e.count);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + start, width * e.count);
    const out: number[] = new Array(e.count);
    for (let i = 0; i < e.count; i++) {
      out[i] = width === 1 ? view.getUint8(i) : width === 2 ? view.getUint16(i * 2) : view.getUint32(i * 4);
    }
    return out;
  }

  number(tag: number): number | undefined {
    return this.has(tag) ? this.numbers(tag)[0] : undefined;
  }

  bigints(tag: number): bigint[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    if (e.type !== RpmTagType.INT64) return this.numbers(tag).map((n) => BigInt(n));
    const start = this.dataStart(e, 8 * e.count);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + start, 8 * e.count);
    const out: bigint[] = [];
    for (let i = 0; i < e.count; i++) out.push(view.getBigUint64(i * 8));
    return out;
  }

  /** BIN value bytes (a view into the header). */
  binary(tag: number): Uint8Array | undefined {
    const e = this.byTag.get(tag);
    if (!e) return undefined;
    if (e.type !== RpmTagType.BIN && e.type !== RpmTagType.NULL) {
      throw new RpmFormatError(`tag ${tag} is type ${e.type}, not binary`);
    }
    const start = this.dataStart(e, e.count);
    return this.bytes.subarray(start, start + e.count);
  }

  private dataStart(e: RpmIndexEntry, length: number): number {
    const start = this.storeOffset + e.offset;
    if (e.offset < 0 || start + length > this.bytes.length) {
      throw new RpmFormatError(`tag ${e.tag}: data at ${e.offset}+${length} is outside the header store`);
    }
    return start;
  }

  private readStrings(e: RpmIndexEntry, count: number): string[] {
    const out: string[] = [];
    let pos = this.dataStart(e, 0);
    const decoder = new TextDecoder('utf-8');
    for (let i = 0; i < count; i++) {
      const nul = this.bytes.indexOf(0, pos);
      if (nul < 0) throw new RpmFormatError(`tag ${e.tag}: string runs past the header store`);
      out.push(decoder.decode(this.bytes.subarray(pos, nul)));
      pos = nul + 1;
    }
    return out;
  }
}

function intWidth(type: number): 1 | 2 | 4 | undefined {
  switch (type) {
    case RpmTagType.CHAR:
    case RpmTagType.INT8:
      return 1;
    case RpmTagType.INT16:
      return 2;
    case RpmTagType.INT32:
      return 4;
    default:
      return undefined;
  }
}

export interface RpmPackageHeaders {
  readonly lead: RpmLead;
  readonly signature: RpmHeader;
  readonly header: RpmHeader;
  readonly ranges: {
    readonly lead: ByteRange;
    /** The signature header, without its padding. */
    readonly signature: ByteRange;
    /** The main header: exactly the bytes RSAHEADER/SHA256HEADER cover. */
    readonly header: ByteRange;
    /** Where the compressed payload begins (= header.end). */
    readonly payloadOffset: number;
  };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Parses one header starting at `start`; returns it and its end offset. */
export function parseHeaderAt(bytes: Uint8Array, start: number, what: string): { header: RpmHeader; end: number } {
  if (bytes.length < start + HEADER_PREAMBLE) throw new RpmTruncatedError(start + HEADER_PREAMBLE, bytes.length);
  for (let i = 0; i < 3; i++) {
    if (bytes[start + i] !== HEADER_MAGIC[i]) {
      throw new RpmFormatError(`${what}: bad header magic at offset ${start}`);
    }
  }
  if (bytes[start + 3] !== HEADER_MAGIC[3]) {
    throw new RpmFormatError(`${what}: unsupported header version ${bytes[start + 3]}`);
  }
  const nindex = u32(bytes, start + 8);
  const hsize = u32(bytes, start + 12);
  if (nindex < 1 || nindex > MAX_INDEX_ENTRIES) throw new RpmFormatError(`${what}: implausible index count ${nindex}`);
  if (hsize > MAX_HEADER_STORE) throw new RpmFormatError(`${what}: implausible store size ${hsize}`);
  const storeOffsetAbs = start + HEADER_PREAMBLE + nindex * ENTRY_SIZE;
  const end = storeOffsetAbs + hsize;
  if (bytes.length < end) throw new RpmTruncatedError(end, bytes.length);
  const entries: RpmIndexEntry[] = [];
  for (let i = 0; i < nindex; i++) {
    const at = start + HEADER_PREAMBLE + i * ENTRY_SIZE;
    const entry = { tag: u32(bytes, at), type: u32(bytes, at + 4), offset: u32(bytes, at + 8), count: u32(bytes, at + 12) };
    if (entry.type > RpmTagType.I18NSTRING) throw new RpmFormatError(`${what}: tag ${entry.tag} has unknown type ${entry.type}`);
    if (entry.offset > hsize) throw new RpmFormatError(`${what}: tag ${entry.tag} points outside the store`);
    entries.push(entry);
  }
  const own = bytes.subarray(start, end);
  return { header: new RpmHeader(own, entries, HEADER_PREAMBLE + nindex * ENTRY_SIZE), end };
}

function parseLead(bytes: Uint8Array): RpmLead {
  if (bytes.length < RPM_LEAD_SIZE) throw new RpmTruncatedError(RPM_LEAD_SIZE, bytes.length);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== LEAD_MAGIC[i]) throw new RpmFormatError('not an RPM package (bad lead magic)');
  }
  const nameBytes = bytes.subarray(10, 76);
  const nul = nameBytes.indexOf(0);
  return {
    major: bytes[4]!,
    minor: bytes[5]!,
    type: (bytes[6]! << 8) | bytes[7]!,
    name: new TextDecoder().decode(nameBytes.subarray(0, nul < 0 ? nameBytes.length : nul)),
    signatureType: (bytes[78]! << 8) | bytes[79]!,
  };
}

/**
 * Parses lead, signature header and main header from the start of a package.
 * `bytes` may be just a prefix; if it is too short, RpmTruncatedError says how much is needed.
 */
export function parseRpmHeaders(bytes: Uint8Array): RpmPackageHeaders {
  const lead = parseLead(bytes);
  if (lead.major < 3) throw new RpmFormatError(`unsupported RPM format version ${lead.major}.${lead.minor}`);
  if (lead.signatureType !== 5) throw new RpmFormatError(`unsupported signature type ${lead.signatureType} (expected header-style 5)`);
  const sig = parseHeaderAt(bytes, RPM_LEAD_SIZE, 'signature header');
  const mainStart = sig.end + ((8 - (sig.end % 8)) % 8);
  const main = parseHeaderAt(bytes, mainStart, 'main header');
  return {
    lead,
    signature: sig.header,
    header: main.header,
    ranges: {
      lead: { start: 0, end: RPM_LEAD_SIZE },
      signature: { start: RPM_LEAD_SIZE, end: sig.end },
      header: { start: mainStart, end: main.end },
      payloadOffset: main.end,
    },
  };
}

/** Name-epoch-version-release-arch of a main header (source packages have arch "src"). */
export interface RpmNevra {
  readonly name: string;
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
}

export function headerNevra(h: RpmHeader, isSource = false): RpmNevra {
  const name = h.string(RpmTag.NAME);
  const version = h.string(RpmTag.VERSION);
  const release = h.string(RpmTag.RELEASE);
  if (name === undefined || version === undefined || release === undefined) {
    throw new RpmFormatError('main header lacks NAME, VERSION or RELEASE');
  }
  const arch = isSource || !h.has(RpmTag.SOURCERPM) ? 'src' : (h.string(RpmTag.ARCH) ?? 'noarch');
  return { name, epoch: h.number(RpmTag.EPOCH) ?? 0, version, release, arch };
}

export function formatNevra(n: RpmNevra): string {
  return `${n.name}-${n.epoch ? `${n.epoch}:` : ''}${n.version}-${n.release}.${n.arch}`;
}
