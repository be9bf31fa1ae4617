/**
 * The parts of an ELF file that parseElf (src/common/elf.ts) reads — the
 * header, the program headers, PT_INTERP, the dynamic section and its string
 * table — read from the file into an otherwise untouched, zero-filled array
 * of the file's size, so parseElf gives what it gives for the whole file.
 *
 * Why: ld.so.cache needs the SONAME of every shared library of the tree;
 * reading each one whole (hundreds of MB for a RootFS, libraries of 100 MB
 * among them) made that step the largest jump of a build's RSS (+70 MiB on the
 * large benchmark set). A zero-filled array of the file's size is mapped, not
 * resident, until written: only the pieces read here count.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DT_NULL, DT_STRSZ, DT_STRTAB, PT_DYNAMIC, PT_INTERP, vaddrToOffset, parseElf, type ProgramHeader } from '../../common/elf.js';

const HEAD = 64 * 1024;

/** The file's bytes where parseElf looks, zeros elsewhere (a file that is not ELF: its first 64 KiB). */
export async function readElfSparse(path: string, size: number): Promise<Uint8Array> {
  const img = new Uint8Array(size);
  const fh = await open(path, 'r');
  try {
    const fill = async (off: number, len: number): Promise<void> => {
      const end = Math.min(size, off + len);
      for (let at = Math.max(0, off); at < end; ) {
        const { bytesRead } = await fh.read(img, at, end - at, at);
        if (bytesRead === 0) break;
        at += bytesRead;
      }
    };
    await fill(0, HEAD);
    if (size < 0x40 || img[0] !== 0x7f || img[1] !== 0x45 || img[2] !== 0x4c || img[3] !== 0x46) return img;
    await fillHeaders(img, fill);
    let phdrs: readonly ProgramHeader[];
    try {
      phdrs = parseElf(img, { dynamic: false }).programHeaders;
    } catch {
      return img; // damaged: parseElf says so again on these bytes
    }
    for (const p of phdrs) if (p.type === PT_INTERP || p.type === PT_DYNAMIC) await fill(p.offset, p.filesz);
    const dyn = phdrs.find((p) => p.type === PT_DYNAMIC);
    if (dyn) {
      const strtab = dynamicStrtab(img, dyn, phdrs);
      if (strtab) await fill(strtab.offset, strtab.size);
    }
    return img;
  } finally {
    await closeQuietly(fh);
  }
}

/** The program headers (and section header 0, where the count lives for PN_XNUM), beyond the head. */
async function fillHeaders(img: Uint8Array, fill: (off: number, len: number) => Promise<void>): Promise<void> {
  const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const is64 = img[4] === 2;
  const le = img[5] === 1;
  const num = (off: number): number => (is64 ? Number(v.getBigUint64(off, le)) : v.getUint32(off, le));
  if (img.length < (is64 ? 0x40 : 0x34)) return;
  const phoff = num(is64 ? 0x20 : 0x1c);
  const phentsize = v.getUint16(is64 ? 0x36 : 0x2a, le);
  let phnum = v.getUint16(is64 ? 0x38 : 0x2c, le);
  if (phnum === 0xffff) {
    const shoff = num(is64 ? 0x28 : 0x20);
    await fill(shoff, is64 ? 0x40 : 0x28);
    if (shoff + (is64 ? 0x30 : 0x20) <= img.length) phnum = v.getUint32(shoff + (is64 ? 0x2c : 0x1c), le);
  }
  await fill(phoff, phnum * phentsize);
}

/** Where DT_STRTAB points in the file, and how long it is (DT_STRSZ; without one, to the end of its segment). */
function dynamicStrtab(img: Uint8Array, dyn: ProgramHeader, phdrs: readonly ProgramHeader[]): { offset: number; size: number } | undefined {
  const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const is64 = img[4] === 2;
  const le = img[5] === 1;
  const ent = is64 ? 16 : 8;
  const word = (off: number): number => (is64 ? Number(v.getBigUint64(off, le)) : v.getUint32(off, le));
  let addr: number | undefined;
  let size: number | undefined;
  for (let o = dyn.offset; o + ent <= Math.min(img.length, dyn.offset + dyn.filesz); o += ent) {
    const tag = word(o);
    if (tag === DT_NULL) break;
    if (tag === DT_STRTAB) addr = word(o + ent / 2);
    if (tag === DT_STRSZ) size = word(o + ent / 2);
  }
  if (addr === undefined) return undefined;
  const offset = vaddrToOffset(phdrs, addr);
  if (offset === undefined) return undefined;
  if (size !== undefined) return { offset, size };
  const seg = phdrs.find((p) => p.type === 1 && addr !== undefined && addr >= p.vaddr && addr < p.vaddr + p.filesz);
  return { offset, size: seg ? seg.offset + seg.filesz - offset : img.length - offset };
}

async function closeQuietly(fh: FileHandle): Promise<void> {
  try {
    await fh.close();
  } catch {
    /* closing a read-only handle */
  }
}
