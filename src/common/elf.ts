/**
 * A small, pure ELF reader: program headers, PT_INTERP and the dynamic
 * section (DT_NEEDED, DT_SONAME, DT_RUNPATH, DT_RPATH), for 32- and 64-bit
 * files of either byte order. It works on the bytes of a whole file and never
 * touches the filesystem; the identity part comes from src/common/elf-ident.ts.
 *
 * Used to decide whether an emulator is static (no PT_INTERP) and to walk a
 * dynamic emulator's library closure without running ldd (which would execute
 * the binary's loader).
 */
import { readElfIdent, type ElfIdent } from './elf-ident.js';

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;

export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;

/** e_phnum value meaning "the real count is in section 0's sh_info". */
const PN_XNUM = 0xffff;

export interface ProgramHeader {
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly vaddr: number;
  readonly filesz: number;
  readonly memsz: number;
}

export interface DynamicInfo {
  readonly needed: readonly string[];
  readonly soname: string | undefined;
  /** DT_RUNPATH split on ':' (empty entries dropped). */
  readonly runpath: readonly string[] | undefined;
  /** DT_RPATH split on ':' (ignored by the loader when DT_RUNPATH is present). */
  readonly rpath: readonly string[] | undefined;
}

export interface ElfFile extends ElfIdent {
  readonly programHeaders: readonly ProgramHeader[];
  /** PT_INTERP path (the dynamic loader), undefined for static binaries. */
  readonly interpreter: string | undefined;
  /** The dynamic section, undefined when there is none (fully static). */
  readonly dynamic: DynamicInfo | undefined;
}

export class ElfParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfParseError';
  }
}

/** Little/big-endian readers bounded by the buffer; out-of-range reads throw. */
class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    private readonly le: boolean,
    readonly is64: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(off: number, len: number): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + len > this.bytes.length) {
      throw new ElfParseError(`truncated ELF: read of ${len} bytes at offset ${off} past end (${this.bytes.length})`);
    }
  }
  u16(off: number): number {
    this.check(off, 2);
    return this.view.getUint16(off, this.le);
  }
  u32(off: number): number {
    this.check(off, 4);
    return this.view.getUint32(off, this.le);
  }
  u64(off: number): number {
    this.check(off, 8);
    const v = this.view.getBigUint64(off, this.le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfParseError(`64-bit value at ${off} too large`);
    return Number(v);
  }
  /** A native word: 4 bytes in ELF32, 8 in ELF64. */
  word(off: number): number {
    return this.is64 ? this.u64(off) : this.u32(off);
  }
  cstring(off: number, limit = this.bytes.length): string {
    this.check(off, 0);
    const end = Math.min(limit, this.bytes.length);
    let i = off;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i >= end) throw new ElfParseError(`unterminated string at offset ${off}`);
    return Buffer.from(this.bytes.subarray(off, i)).toString('utf8');
  }
}

function readProgramHeaders(r: Reader): ProgramHeader[] {
  const is64 = r.is64;
  const phoff = is64 ? r.u64(0x20) : r.u32(0x1c);
  const phentsize = r.u16(is64 ? 0x36 : 0x2a);
  let phnum = r.u16(is64 ? 0x38 : 0x2c);
  if (phnum === PN_XNUM) {
    // The real count lives in the first section header's sh_info.
    const shoff = is64 ? r.u64(0x28) : r.u32(0x20);
    phnum = r.u32(shoff + (is64 ? 0x2c : 0x1c));
  }
  if (phnum === 0) return [];
  const want = is64 ? 56 : 32;
  if (phentsize < want) throw new ElfParseError(`program header entry size ${phentsize} < ${want}`);
  const out: ProgramHeader[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (is64) {
      out.push({
        type: r.u32(o),
        flags: r.u32(o + 4),
        offset: r.u64(o + 8),
        vaddr: r.u64(o + 16),
        filesz: r.u64(o + 32),
        memsz: r.u64(o + 40),
      });
    } else {
      out.push({
        type: r.u32(o),
        offset: r.u32(o + 4),
        vaddr: r.u32(o + 8),
        filesz: r.u32(o + 16),
        memsz: r.u32(o + 20),
        flags: r.u32(o + 24),
      });
    }
  }
  return out;
}

/** Maps a virtual address to a file offset through the PT_LOAD segments. */
export function vaddrToOffset(phdrs: readonly ProgramHeader[], vaddr: number): number | undefined {
  for (const p of phdrs) {
    if (p.type === PT_LOAD && vaddr >= p.vaddr && vaddr < p.vaddr + p.filesz) return p.offset + (vaddr - p.vaddr);
  }
  return undefined;
}

function splitPath(s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  return s.split(':').filter((x) => x.length > 0);
}

function readDynamic(r: Reader, phdrs: readonly ProgramHeader[]): DynamicInfo | undefined {
  const dyn = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (!dyn) return undefined;
  const entSize = r.is64 ? 16 : 8;
  const entries: { tag: number; val: number }[] = [];
  for (let o = dyn.offset; o + entSize <= dyn.offset + dyn.filesz; o += entSize) {
    // Tags are signed, but every tag we read is small and positive; read as unsigned words.
    const tag = r.word(o);
    if (tag === DT_NULL) break;
    entries.push({ tag, val: r.word(o + entSize / 2) });
  }
  const strtabAddr = entries.find((e) => e.tag === DT_STRTAB)?.val;
  const strsz = entries.find((e) => e.tag === DT_STRSZ)?.val;
  const needsStrings = entries.some((e) => [DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH].includes(e.tag));
  if (strtabAddr === undefined) {
    if (needsStrings) throw new ElfParseError('dynamic section has string entries but no DT_STRTAB');
    return { needed: [], soname: undefined, runpath: undefined, rpath: undefined };
  }
  const strtab = vaddrToOffset(phdrs, strtabAddr);
  if (strtab === undefined) throw new ElfParseError(`DT_STRTAB 0x${strtabAddr.toString(16)} is not in any PT_LOAD segment`);
  const limit = strsz === undefined ? r.bytes.length : strtab + strsz;
  const str = (off: number) => {
    if (strsz !== undefined && off >= strsz) throw new ElfParseError(`dynamic string offset ${off} >= DT_STRSZ ${strsz}`);
    return r.cstring(strtab + off, limit);
  };
  const one = (tag: number) => {
    const e = entries.find((x) => x.tag === tag);
    return e === undefined ? undefined : str(e.val);
  };
  return {
    needed: entries.filter((e) => e.tag === DT_NEEDED).map((e) => str(e.val)),
    soname: one(DT_SONAME),
    runpath: splitPath(one(DT_RUNPATH)),
    rpath: splitPath(one(DT_RPATH)),
  };
}

/**
 * Parses an ELF file. With `{ dynamic: false }` the dynamic section is not
 * read, so the first few KiB of a file (header, program headers, PT_INTERP)
 * are enough to tell static from dynamic. Throws ElfParseError when the bytes are not ELF or the
 * structures point outside the file.
 */
export function parseElf(bytes: Uint8Array, opts: { dynamic?: boolean } = {}): ElfFile {
  const ident = readElfIdent(bytes);
  if (!ident) throw new ElfParseError('not an ELF file (bad magic, class or byte order)');
  const r = new Reader(bytes, ident.elfData === 1, ident.elfClass === 2);
  const programHeaders = readProgramHeaders(r);
  const interp = programHeaders.find((p) => p.type === PT_INTERP);
  const interpreter = interp === undefined ? undefined : r.cstring(interp.offset, interp.offset + interp.filesz);
  const dynamic = opts.dynamic === false ? undefined : readDynamic(r, programHeaders);
  return { ...ident, programHeaders, interpreter, dynamic };
}

/** Like parseElf, but undefined instead of an exception for non-ELF or damaged input. */
export function tryParseElf(bytes: Uint8Array, opts: { dynamic?: boolean } = {}): ElfFile | undefined {
  try {
    return parseElf(bytes, opts);
  } catch {
    return undefined;
  }
}

/** A binary is static when it asks for no dynamic loader. */
export function isStatic(elf: ElfFile): boolean {
  return elf.interpreter === undefined;
}

/**
 * The search path the loader uses for an object's own DT_NEEDED entries:
 * DT_RUNPATH when present, else DT_RPATH (LD_LIBRARY_PATH and the cache come
 * after; the caller adds the system directories). $ORIGIN is expanded to
 * `originDir`; other dynamic string tokens ($LIB, $PLATFORM) are left alone
 * and such entries dropped, since their value depends on the loader build.
 */
export function searchPathOf(elf: ElfFile, originDir: string): string[] {
  const raw = elf.dynamic?.runpath ?? elf.dynamic?.rpath ?? [];
  const out: string[] = [];
  for (const entry of raw) {
    const expanded = entry.replace(/\$(ORIGIN\b|\{ORIGIN\})/g, originDir);
    if (expanded.includes('$')) continue;
    out.push(expanded);
  }
  return out;
}
