/**
 * The kernel's page size, from AT_PAGESZ in the auxiliary vector
 * (/proc/self/auxv): pairs of native words (type, value) ending in AT_NULL.
 * 64-bit processes see 16-byte entries, 32-bit ones 8-byte entries, in the
 * host's byte order. Pure; reading the file and the `getconf PAGESIZE`
 * fallback live in host-facts.ts.
 */

export const AT_NULL = 0;
export const AT_PAGESZ = 6;

export interface AuxvLayout {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
}

/** Parses an auxv image into type → value (the first occurrence of a type wins). */
export function parseAuxv(bytes: Uint8Array, layout: AuxvLayout): Map<number, bigint> | undefined {
  const word = layout.bits / 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (o: number): bigint =>
    word === 8 ? view.getBigUint64(o, layout.littleEndian) : BigInt(view.getUint32(o, layout.littleEndian));
  const out = new Map<number, bigint>();
  for (let o = 0; o + 2 * word <= bytes.length; o += 2 * word) {
    const type = read(o);
    if (type === 0n) return out;
    if (type > 0xffffn) return undefined; // not this layout
    if (!out.has(Number(type))) out.set(Number(type), read(o + word));
  }
  return undefined; // no AT_NULL terminator: truncated or wrong layout
}

const isPageSize = (v: bigint | undefined): v is bigint =>
  v !== undefined && v >= 4096n && v <= 1n << 22n && (v & (v - 1n)) === 0n;

/**
 * AT_PAGESZ from an auxv image. Tries the given layout first, then the other
 * word size (a 32-bit reader on a 64-bit kernel sees its own 32-bit vector,
 * but a saved file may come from anywhere).
 */
export function pageSizeFromAuxv(bytes: Uint8Array, preferred: AuxvLayout): number | undefined {
  const layouts: AuxvLayout[] = [preferred, { ...preferred, bits: preferred.bits === 64 ? 32 : 64 }];
  for (const l of layouts) {
    const v = parseAuxv(bytes, l)?.get(AT_PAGESZ);
    if (isPageSize(v)) return Number(v);
  }
  return undefined;
}

/** Parses `getconf PAGESIZE` output. */
export function parseGetconfPageSize(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const v = BigInt(t);
  return isPageSize(v) ? Number(v) : undefined;
}
