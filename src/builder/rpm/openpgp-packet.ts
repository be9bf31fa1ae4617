/**
 * Just enough of OpenPGP's packet framing (RFC 9580 §4.2, §5.2) to say what an RPM header
 * signature is before anything tries to check it: its version (3, 4 or 6), public-key and hash
 * algorithm, and the issuer (key ID, fingerprint). Pure, over bytes; never throws.
 *
 * rpm (6.x with rpm-sequoia) may carry several signatures of different kinds in one package,
 * e.g. an RSA v4 and an ML-DSA-87+Ed448 v6 one; fexpod checks the ones it can and names the rest.
 */

export interface SignaturePacket {
  readonly version: number;
  readonly sigType: number;
  readonly pubAlg: number;
  readonly hashAlg: number;
  /** 16 lower-case hex digits, when the packet names its issuer (or its fingerprint implies it). */
  readonly keyId: string | undefined;
  /** Lower-case hex issuer fingerprint (v4: 40 digits, v6: 64), when present. */
  readonly fingerprint: string | undefined;
  /** The packet's body (after the packet header). */
  readonly body: Uint8Array;
}

/** OpenPGP public-key algorithm names (RFC 9580 §9.1; 30–34 from the PQC draft rpm 6 uses). */
const PUBKEY_ALGS: Readonly<Record<number, string>> = {
  1: 'RSA', 2: 'RSA', 3: 'RSA', 16: 'Elgamal', 17: 'DSA', 18: 'ECDH', 19: 'ECDSA', 22: 'EdDSA',
  25: 'X25519', 26: 'X448', 27: 'Ed25519', 28: 'Ed448',
  30: 'ML-DSA-65+Ed25519', 31: 'ML-DSA-87+Ed448', 32: 'SLH-DSA-SHAKE-128s', 33: 'SLH-DSA-SHAKE-128f', 34: 'SLH-DSA-SHAKE-256s',
};

/** OpenPGP hash algorithm names (RFC 9580 §9.5). */
const HASH_ALGS: Readonly<Record<number, string>> = {
  1: 'MD5', 2: 'SHA1', 3: 'RIPEMD160', 8: 'SHA256', 9: 'SHA384', 10: 'SHA512', 11: 'SHA224', 12: 'SHA3-256', 14: 'SHA3-512',
};

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Tag and body of the first packet (old or new format header), or undefined. */
export function packetBody(p: Uint8Array): { tag: number; body: Uint8Array } | undefined {
  const t = p[0];
  if (t === undefined || (t & 0x80) === 0) return undefined;
  const at = (i: number): number => p[i] ?? 0;
  if (t & 0x40) {
    const tag = t & 0x3f;
    const l0 = at(1);
    if (l0 < 192) return { tag, body: p.subarray(2, 2 + l0) };
    if (l0 < 224) return { tag, body: p.subarray(3, 3 + ((l0 - 192) << 8) + at(2) + 192) };
    if (l0 === 255) return { tag, body: p.subarray(6, 6 + (((at(2) << 24) | (at(3) << 16) | (at(4) << 8) | at(5)) >>> 0)) };
    return undefined; // partial body lengths: never used for signatures
  }
  const tag = (t >> 2) & 0x0f;
  const lt = t & 3;
  if (lt === 0) return { tag, body: p.subarray(2, 2 + at(1)) };
  if (lt === 1) return { tag, body: p.subarray(3, 3 + ((at(1) << 8) | at(2))) };
  if (lt === 2) return { tag, body: p.subarray(5, 5 + (((at(1) << 24) | (at(2) << 16) | (at(3) << 8) | at(4)) >>> 0)) };
  return undefined;
}

/** Issuer key ID (type 16) and fingerprint (type 33) from a subpacket area. */
function issuer(area: Uint8Array): { keyId?: string; fingerprint?: string } {
  const out: { keyId?: string; fingerprint?: string } = {};
  let i = 0;
  while (i < area.length) {
    const l0 = area[i]!;
    let len: number;
    if (l0 < 192) {
      len = l0;
      i += 1;
    } else if (l0 < 255) {
      len = ((l0 - 192) << 8) + (area[i + 1] ?? 0) + 192;
      i += 2;
    } else {
      len = (((area[i + 1] ?? 0) << 24) | ((area[i + 2] ?? 0) << 16) | ((area[i + 3] ?? 0) << 8) | (area[i + 4] ?? 0)) >>> 0;
      i += 5;
    }
    if (len === 0 || i + len > area.length) break;
    const type = area[i]! & 0x7f;
    const data = area.subarray(i + 1, i + len);
    if (type === 16 && data.length === 8) out.keyId = hex(data);
    if (type === 33 && data.length > 1) {
      const fpr = data.subarray(1);
      out.fingerprint = hex(fpr);
      // v4 key IDs are the fingerprint's last 8 bytes, v6 ones its first 8.
      out.keyId ??= data[0] === 6 ? hex(fpr.subarray(0, 8)) : hex(fpr.subarray(fpr.length - 8));
    }
    i += len;
  }
  return out;
}

const u16 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u32 = (b: Uint8Array, i: number): number => (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;

/** What a signature packet is, or undefined when the bytes are not a signature packet. */
export function readSignaturePacket(p: Uint8Array): SignaturePacket | undefined {
  const pkt = packetBody(p);
  if (!pkt || pkt.tag !== 2) return undefined;
  const b = pkt.body;
  const version = b[0];
  if (version === 3) {
    if (b.length < 19 || b[1] !== 5) return undefined;
    return { version, sigType: b[2]!, pubAlg: b[15]!, hashAlg: b[16]!, keyId: hex(b.subarray(7, 15)), fingerprint: undefined, body: b };
  }
  if (version === 4 || version === 6) {
    // v4: 2-octet subpacket area lengths; v6: 4-octet.
    const lenSize = version === 4 ? 2 : 4;
    const read = (i: number) => (lenSize === 2 ? u16(b, i) : u32(b, i));
    if (b.length < 4 + lenSize) return undefined;
    const hashedLen = read(4);
    const hashedEnd = 4 + lenSize + hashedLen;
    const unhashedLen = read(hashedEnd);
    const unhashed = b.subarray(hashedEnd + lenSize, hashedEnd + lenSize + unhashedLen);
    const hashed = issuer(b.subarray(4 + lenSize, hashedEnd));
    const other = issuer(unhashed);
    return {
      version,
      sigType: b[1]!,
      pubAlg: b[2]!,
      hashAlg: b[3]!,
      keyId: hashed.keyId ?? other.keyId,
      fingerprint: hashed.fingerprint ?? other.fingerprint,
      body: b,
    };
  }
  return { version: version ?? 0, sigType: 0, pubAlg: 0, hashAlg: 0, keyId: undefined, fingerprint: undefined, body: b };
}

/** "OpenPGP v6 ML-DSA-87+Ed448/SHA512 signature by key aed0…" (the way rpm -Kv names it). */
export function describeSignature(s: SignaturePacket): string {
  const alg = PUBKEY_ALGS[s.pubAlg] ?? `algorithm ${s.pubAlg}`;
  const hash = HASH_ALGS[s.hashAlg] ?? `hash ${s.hashAlg}`;
  const by = s.fingerprint ?? s.keyId;
  return `OpenPGP v${s.version} ${alg}/${hash} signature${by ? ` by key ${by}` : ''}`;
}
