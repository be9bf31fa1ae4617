/**
 * Streaming reader for the cpio forms found in RPM payloads (pure; bytes in,
 * events out — nothing is buffered beyond one header):
 *
 * - "070701" (newc) and "070702" (crc): 6-byte magic, 13 fields of 8 hex
 *   digits (ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
 *   rdevminor namesize check), the NUL-terminated name, padding to 4, the
 *   data, padding to 4. The archive ends with the entry "TRAILER!!!".
 * - "07070X" (stripped; rpm ≥ 4.12 for packages with files ≥ 4 GiB, and all
 *   v6 packages): the magic, 8 hex digits of the file index into the RPM
 *   header's file list, padding to 4, then the data. Name, metadata and the
 *   data size live only in the RPM header, so the caller supplies the size.
 *   The trailer is still a newc "TRAILER!!!" entry (rpm's rpmcpioTrailerWrite);
 *   a stripped index of ffffffff (-1) also ends the archive, as in rpm.
 * Offsets for padding are counted from the start of the archive, as rpm does.
 */

export const CPIO_TRAILER = 'TRAILER!!!';
const NEWC_FIELDS = 13;
const NEWC_HEADER = 6 + NEWC_FIELDS * 8;
const STRIPPED_HEADER = 6 + 8;
/** rpm's CPIO_NAMESIZE_MAX. */
const NAMESIZE_MAX = 4096;

export class CpioFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`cpio payload at byte ${offset}: ${message}`);
    this.name = 'CpioFormatError';
  }
}

export interface CpioNewcHeader {
  readonly kind: 'newc';
  /** Name bytes as stored (e.g. "./usr/bin/ls"), without the NUL. */
  readonly name: Uint8Array;
  readonly ino: number;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly nlink: number;
  readonly mtime: number;
  readonly size: number;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
}

export interface CpioStrippedHeader {
  readonly kind: 'stripped';
  /** Index into the RPM header's file list. */
  readonly fileIndex: number;
}

export type CpioHeader = CpioNewcHeader | CpioStrippedHeader;

export interface CpioHandler {
  /**
   * A new entry. Returns the number of data bytes that follow it: for newc
   * entries normally `header.size`; for stripped entries the size from the
   * RPM header (the archive does not say).
   */
  header(h: CpioHeader): number;
  /** A piece of the current entry's data (views into the input; copy to keep). */
  data(chunk: Uint8Array): void;
  /** The current entry's data is complete. */
  end(): void;
}

const HEX = /^[0-9a-fA-F]{8}$/;

function hexField(b: Uint8Array, at: number, offset: number): number {
  const s = Buffer.from(b.subarray(at, at + 8)).toString('latin1');
  if (!HEX.test(s)) throw new CpioFormatError(`bad header field "${s}"`, offset + at);
  return parseInt(s, 16);
}

type State =
  | { readonly t: 'magic' }
  | { readonly t: 'newc' }
  | { readonly t: 'stripped' }
  | { readonly t: 'name'; readonly fields: number[]; readonly nameSize: number }
  | { readonly t: 'pad'; readonly dataNext: number | undefined }
  | { readonly t: 'data'; left: number }
  | { readonly t: 'done' };

/**
 * Push parser: feed decompressed payload bytes with push(), then finish().
 * Calls the handler for every entry before the trailer.
 */
export class CpioReader {
  private offset = 0;
  private state: State = { t: 'magic' };
  private buf: Uint8Array = new Uint8Array(0);

  constructor(private readonly handler: CpioHandler) {}

  get finished(): boolean {
    return this.state.t === 'done';
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  push(chunk: Uint8Array): void {
    let input = chunk;
    for (;;) {
      const st = this.state;
      if (st.t === 'done') return; // anything after the trailer (rpm pads) is ignored
      if (st.t === 'data') {
        const n = Math.min(st.left, input.length);
        if (n > 0) this.handler.data(input.subarray(0, n));
        st.left -= n;
        this.offset += n;
        input = input.subarray(n);
        if (st.left > 0) return;
        this.handler.end();
        this.state = { t: 'pad', dataNext: undefined };
        continue;
      }
      if (st.t === 'pad') {
        const need = (4 - (this.offset % 4)) % 4;
        const n = Math.min(need, input.length);
        this.offset += n;
        input = input.subarray(n);
        if (need - n > 0) return;
        if (st.dataNext === undefined) this.state = { t: 'magic' };
        else this.state = { t: 'data', left: st.dataNext };
        continue;
      }
      // Header parts have a fixed length: gather them across chunks.
      const want = this.wanted(st);
      const take = Math.min(want - this.buf.length, input.length);
      if (take > 0) {
        const nb = new Uint8Array(this.buf.length + take);
        nb.set(this.buf, 0);
        nb.set(input.subarray(0, take), this.buf.length);
        this.buf = nb;
        input = input.subarray(take);
      }
      if (this.buf.length < want) return;
      const bytes = this.buf;
      this.buf = new Uint8Array(0);
      this.consumeHeader(st, bytes);
    }
  }

  /** Call after the last push; throws if the archive is incomplete. */
  finish(): void {
    if (this.state.t !== 'done') throw new CpioFormatError('archive ends before its trailer', this.offset);
  }

  private wanted(st: State): number {
    switch (st.t) {
      case 'magic':
        return 6;
      case 'newc':
        return NEWC_HEADER - 6;
      case 'stripped':
        return STRIPPED_HEADER - 6;
      case 'name':
        return st.nameSize;
      default:
        return 0;
    }
  }

  private consumeHeader(st: State, bytes: Uint8Array): void {
    const at = this.offset;
    this.offset += bytes.length;
    if (st.t === 'magic') {
      const m = Buffer.from(bytes).toString('latin1');
      if (m === '070701' || m === '070702') this.state = { t: 'newc' };
      else if (m === '07070X') this.state = { t: 'stripped' };
      else throw new CpioFormatError(`bad magic "${m.replace(/[^\x20-\x7e]/g, '?')}"`, at);
      return;
    }
    if (st.t === 'stripped') {
      const fx = hexField(bytes, 0, at);
      if (fx === 0xffffffff) {
        this.state = { t: 'done' };
        return;
      }
      const size = this.handler.header({ kind: 'stripped', fileIndex: fx });
      this.startData(size);
      return;
    }
    if (st.t === 'newc') {
      const fields: number[] = [];
      for (let i = 0; i < NEWC_FIELDS; i++) fields.push(hexField(bytes, i * 8, at));
      const nameSize = fields[11] ?? 0;
      if (nameSize <= 0 || nameSize > NAMESIZE_MAX) throw new CpioFormatError(`bad name size ${nameSize}`, at);
      this.state = { t: 'name', fields, nameSize };
      return;
    }
    if (st.t === 'name') {
      if (bytes[bytes.length - 1] !== 0) throw new CpioFormatError('entry name is not NUL-terminated', at);
      const name = bytes.slice(0, bytes.length - 1);
      const f = st.fields;
      const n = (i: number) => f[i] ?? 0;
      if (Buffer.from(name).toString('latin1') === CPIO_TRAILER) {
        this.state = { t: 'done' };
        return;
      }
      const size = this.handler.header({
        kind: 'newc', name, ino: n(0), mode: n(1), uid: n(2), gid: n(3), nlink: n(4), mtime: n(5), size: n(6),
        devMajor: n(7), devMinor: n(8), rdevMajor: n(9), rdevMinor: n(10),
      });
      this.startData(size);
    }
  }

  private startData(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new CpioFormatError(`bad data size ${size}`, this.offset);
    this.state = { t: 'pad', dataNext: size };
  }
}
