/**
 * CRC-32 (the gzip trailer's checksum) of data split into parts: each part's
 * CRC is computed on its own (in a worker, next to its compression) and the
 * results are combined here, so the whole layer is never hashed by one thread.
 *
 * Combining uses polynomial arithmetic modulo the CRC-32 polynomial (reflected
 * 0xedb88320): crc(A‖B) = crc(A)·x^(8·|B|) + crc(B) mod P. x^(8·n) is found by
 * square-and-multiply over a table of x^(2^k), so a combine costs O(log n).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

const POLY = 0xedb88320;
/** x^0 in the reflected representation. */
const ONE = 0x80000000;

/** a(x)·b(x) mod P, both reflected. */
function multModP(a: number, b: number): number {
  let m = ONE;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) mod P. */
const X2N: number[] = (() => {
  const t: number[] = [];
  let p = ONE >>> 1; // x^1
  for (let k = 0; k < 32; k++) {
    t.push(p);
    p = multModP(p, p);
  }
  return t;
})();

/** x^(n·2^k) mod P. */
function x2nModP(n: number, k: number): number {
  let p = ONE;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 31] ?? 0, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A‖B from crc(A), crc(B) and |B| in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}

/** CRC-32 of bytes (zlib's, as the gzip trailer wants it). */
export function crc32(data: Uint8Array, initial = 0): number {
  return zlibCrc32(data, initial) >>> 0;
}
