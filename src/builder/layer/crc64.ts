/**
 * CRC-64/ISO (Go's hash/crc64 with crc64.ISO): tar-split records it for every
 * file payload of a zstd:chunked layer. Table-driven over two 32-bit halves
 * (no BigInt in the byte loop); parts computed separately (in the compression
 * workers) are combined as for CRC-32, with polynomial arithmetic mod P.
 */
const POLY = 0xd800000000000000n; // reflected ISO polynomial

const TABLE_LO = new Uint32Array(256);
const TABLE_HI = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = BigInt(i);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  TABLE_LO[i] = Number(c & 0xffffffffn);
  TABLE_HI[i] = Number(c >> 32n);
}

/** Go's crc64.Update(crc, ISO table, data): the running value is inverted in and out. */
export function crc64(data: Uint8Array, initial = 0n): bigint {
  let lo = ~Number(initial & 0xffffffffn) >>> 0;
  let hi = ~Number(initial >> 32n) >>> 0;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ (data[i] ?? 0)) & 0xff;
    // (crc >> 8) ^ table[idx], on the two halves
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ (TABLE_LO[idx] ?? 0);
    hi = (hi >>> 8) ^ (TABLE_HI[idx] ?? 0);
  }
  return (BigInt(~hi >>> 0) << 32n) | BigInt(~lo >>> 0);
}

const MASK = 0xffffffffffffffffn;
const ONE = 0x8000000000000000n; // x^0, reflected

function multModP(a: bigint, b: bigint): bigint {
  let m = ONE;
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ POLY : b >> 1n;
  }
  return p & MASK;
}

const X2N: bigint[] = (() => {
  const t: bigint[] = [];
  let p = ONE >> 1n;
  for (let k = 0; k < 64; k++) {
    t.push(p);
    p = multModP(p, p);
  }
  return t;
})();

/** CRC-64 of A‖B from crc(A), crc(B) and |B|. */
export function crc64Combine(crcA: bigint, crcB: bigint, lengthB: number): bigint {
  let p = ONE;
  let k = 3;
  for (let n = lengthB; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) p = multModP(X2N[k & 63] ?? 0n, p);
  return multModP(p, crcA) ^ crcB;
}

/** The 8 big-endian bytes Go's hash.Sum appends (what tar-split stores, base64). */
export function crc64Bytes(crc: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, crc);
  return out;
}
