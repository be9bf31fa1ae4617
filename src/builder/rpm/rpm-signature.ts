/**
 * OpenPGP checks of an RPM's header signature (pure, over bytes and parsed keys).
 *
 * The signature header carries a detached OpenPGP signature over the exact main-header bytes:
 * RSAHEADER (268) for RSA, DSAHEADER (267) for DSA/EdDSA, OPENPGP (278, rpm 6, base64 strings).
 * A package may carry several (rpm 6: an RSA and an ML-DSA one); each is first identified by
 * openpgp-packet.ts, and kinds fexpod cannot check are skipped and named, never guessed at.
 * v4 and v6 signatures are verified with openpgp.js. openpgp.js v6 no longer reads v3 signature
 * packets, which rpm still accepts and Fedora used for years (e.g. fc31 packages): those are
 * verified here directly — they are plain RSA PKCS#1 v1.5 over hash(data ‖ type ‖ time) — with
 * node:crypto and the key's public RSA parameters from openpgp.js.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import * as openpgp from 'openpgp';
import { describeSignature, readSignaturePacket, type SignaturePacket } from './openpgp-packet.js';
import { RpmHashAlgo, RpmSigTag, type RpmPackageHeaders } from './rpm-header.js';

type Check =
  | { readonly ok: true; readonly keyId: string; readonly keyUser: string | undefined }
  | { readonly ok: false; readonly reason: 'unsigned' | 'no-key' | 'bad-signature' | 'unsupported'; readonly detail: string; readonly keyId?: string };

/** The outcome, and the signatures that were skipped because fexpod cannot check their kind. */
export type SignatureResult = Check & { readonly skipped: readonly string[] };

/** Reads every key in armored or binary key files. */
export async function readKeys(files: readonly { readonly name: string; readonly data: Uint8Array }[]): Promise<openpgp.PublicKey[]> {
  const keys: openpgp.PublicKey[] = [];
  for (const f of files) {
    const text = new TextDecoder().decode(f.data);
    try {
      const read = text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')
        ? await openpgp.readKeys({ armoredKeys: text })
        : await openpgp.readKeys({ binaryKeys: f.data });
      keys.push(...read);
    } catch (err) {
      throw new Error(`${f.name} is not an OpenPGP public key: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return keys;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function keyUser(k: openpgp.PublicKey): string | undefined {
  return k.getUserIDs()[0];
}

/** Key (primary or subkey) with this 16-hex-digit id. */
function findKey(keys: readonly openpgp.PublicKey[], keyId: string): { key: openpgp.PublicKey; packet: openpgp.PublicKey['keyPacket'] | openpgp.Subkey['keyPacket'] } | undefined {
  for (const k of keys) {
    if (k.getKeyID().toHex() === keyId) return { key: k, packet: k.keyPacket };
    for (const s of k.getSubkeys()) if (s.getKeyID().toHex() === keyId) return { key: k, packet: s.keyPacket };
  }
  return undefined;
}

/** The raw signature packets in the signature header, strongest source first. */
function signaturePackets(h: RpmPackageHeaders): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of h.signature.strings(RpmSigTag.OPENPGP)) out.push(new Uint8Array(Buffer.from(s, 'base64')));
  for (const tag of [RpmSigTag.RSAHEADER, RpmSigTag.DSAHEADER]) {
    const b = h.signature.binary(tag);
    if (b) out.push(b);
  }
  return out;
}

interface V3Signature {
  readonly sigType: number;
  readonly time: Uint8Array;
  readonly keyId: string;
  readonly pubAlg: number;
  readonly hashAlg: number;
  readonly left16: Uint8Array;
  readonly mpi: Uint8Array;
}

/**
 * A v3 signature packet body (RFC 4880 §5.2.2): version 3, hashed length 5, type, time (4),
 * key ID (8), public-key algorithm, hash algorithm, the hash's left 16 bits, then the RSA
 * signature as an MPI: a 2-byte bit count and the bytes.
 */
function parseV3(s: SignaturePacket): V3Signature {
  const b = s.body;
  const bits = (b[19]! << 8) | b[20]!;
  return {
    sigType: s.sigType,
    time: b.subarray(3, 7),
    keyId: s.keyId ?? hex(b.subarray(7, 15)),
    pubAlg: s.pubAlg,
    hashAlg: s.hashAlg,
    left16: b.subarray(17, 19),
    mpi: b.subarray(21, 21 + Math.ceil(bits / 8)),
  };
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

function verifyV3(sig: V3Signature, data: Uint8Array, keys: readonly openpgp.PublicKey[]): Check {
  const found = findKey(keys, sig.keyId);
  if (!found) return { ok: false, reason: 'no-key', detail: `signed with key ID ${sig.keyId}, which is not among the trusted keys`, keyId: sig.keyId };
  const hash = RpmHashAlgo[sig.hashAlg];
  // MD5 and SHA-1 signatures are refused as too weak.
  if (!hash || hash === 'md5' || hash === 'sha1') return { ok: false, reason: 'unsupported', detail: `v3 signature with hash algorithm ${sig.hashAlg}`, keyId: sig.keyId };
  const params: Record<string, unknown> = { ...found.packet.publicParams };
  const n = params['n'];
  const e = params['e'];
  if (!(n instanceof Uint8Array) || !(e instanceof Uint8Array)) {
    return { ok: false, reason: 'bad-signature', detail: `key ${sig.keyId} is not an RSA key`, keyId: sig.keyId };
  }
  const pub = createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' });
  // v3: hash(data ‖ sigtype ‖ creation time)
  const signed = Buffer.concat([data, Buffer.from([sig.sigType]), sig.time]);
  // RSA signatures are left-padded to the modulus length.
  const modLen = n.length;
  const s = Buffer.alloc(Math.max(modLen, sig.mpi.length));
  Buffer.from(sig.mpi).copy(s, s.length - sig.mpi.length);
  const ok = cryptoVerify(hash, signed, pub, s);
  return ok
    ? { ok: true, keyId: sig.keyId, keyUser: keyUser(found.key) }
    : { ok: false, reason: 'bad-signature', detail: `the header signature does not match (key ID ${sig.keyId}): the header was altered`, keyId: sig.keyId };
}

/** v4 and v6 signatures, through openpgp.js; the issuer comes from our own reading of the packet. */
async function verifyV4(packet: Uint8Array, info: SignaturePacket, data: Uint8Array, keys: readonly openpgp.PublicKey[]): Promise<Check> {
  const keyId = info.keyId;
  if (keyId === undefined) return { ok: false, reason: 'unsupported', detail: `${describeSignature(info)} names no issuer key` };
  const found = findKey(keys, keyId);
  if (!found) return { ok: false, reason: 'no-key', detail: `signed with key ID ${keyId}, which is not among the trusted keys`, keyId };
  try {
    const sig = await openpgp.readSignature({ binarySignature: packet });
    const message = await openpgp.createMessage({ binary: data });
    const res = await openpgp.verify({ message, signature: sig, verificationKeys: found.key, format: 'binary', expectSigned: true });
    const first = res.signatures[0];
    if (!first) return { ok: false, reason: 'bad-signature', detail: 'no signature verified', keyId };
    await first.verified;
    return { ok: true, keyId, keyUser: keyUser(found.key) };
  } catch (err) {
    return { ok: false, reason: 'bad-signature', detail: `the header signature does not verify (key ID ${keyId}): ${err instanceof Error ? err.message : String(err)}`, keyId };
  }
}

/** Public-key algorithms fexpod checks: RSA (every version); DSA, ECDSA and EdDSA from v4 on (openpgp.js). */
const CHECKABLE: Readonly<Record<number, readonly number[]>> = { 3: [1, 3], 4: [1, 3, 17, 19, 22, 27, 28], 6: [1, 3, 19, 27, 28] };

/** Why fexpod cannot check this signature, or undefined when it can. */
function uncheckable(s: SignaturePacket): string | undefined {
  const algs = CHECKABLE[s.version];
  if (!algs) return `an OpenPGP v${s.version} signature (a version fexpod cannot check)`;
  if (!algs.includes(s.pubAlg)) return `${describeSignature(s)} (an algorithm fexpod cannot check)`;
  return undefined;
}

/**
 * Verifies the header signature(s) over the main header. Signatures fexpod cannot check (an
 * unknown version or algorithm, such as ML-DSA) are skipped and named in `skipped`; any one good
 * signature from a trusted key passes; otherwise the most telling failure is returned.
 */
export async function verifyHeaderSignature(pkg: Uint8Array, h: RpmPackageHeaders, keys: readonly openpgp.PublicKey[]): Promise<SignatureResult> {
  const data = pkg.subarray(h.ranges.header.start, h.ranges.header.end);
  const packets = signaturePackets(h);
  if (packets.length === 0) return { ok: false, reason: 'unsigned', detail: 'the package has no header signature', skipped: [] };
  const failures: Check[] = [];
  const skipped: string[] = [];
  for (const p of packets) {
    const info = readSignaturePacket(p);
    if (!info) {
      skipped.push('a signature-header entry that is not an OpenPGP signature packet');
      continue;
    }
    const why = uncheckable(info);
    if (why) {
      skipped.push(why);
      continue;
    }
    const r = info.version === 3 ? verifyV3(parseV3(info), data, keys) : await verifyV4(p, info, data, keys);
    if (r.ok) return { ...r, skipped };
    failures.push(r);
  }
  const rank = { 'bad-signature': 0, 'no-key': 1, unsupported: 2, unsigned: 3 } as const;
  failures.sort((a, b) => (a.ok || b.ok ? 0 : rank[a.reason] - rank[b.reason]));
  const worst = failures[0];
  if (!worst || worst.ok) {
    return { ok: false, reason: 'unsupported', detail: `no signature fexpod can check: ${skipped.join('; ')}`, skipped };
  }
  return { ...worst, skipped };
}
