/**
 * OpenPGP checks of an RPM's header signature (pure, over bytes and parsed keys).
 *
 * The signature header carries a detached OpenPGP signature over the exact main-header bytes:
 * RSAHEADER (268) for RSA, DSAHEADER (267) for DSA/EdDSA, OPENPGP (278, rpm 6, base64 strings).
 * v4+ signatures are verified with openpgp.js. openpgp.js v6 no longer reads v3 signature
 * packets, which rpm still accepts and Fedora used for years (e.g. fc31 packages): those are
 * verified here directly — they are plain RSA PKCS#1 v1.5 over hash(data ‖ type ‖ time) — with
 * node:crypto and the key's public RSA parameters from openpgp.js.
 */
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import * as openpgp from 'openpgp';
import { RpmHashAlgo, RpmSigTag, type RpmPackageHeaders } from './rpm-header.js';

export type SignatureResult =
  | { readonly ok: true; readonly keyId: string; readonly keyUser: string | undefined }
  | { readonly ok: false; readonly reason: 'unsigned' | 'no-key' | 'bad-signature' | 'unsupported'; readonly detail: string; readonly keyId?: string };

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

/** Body of the first packet (old or new format header), or undefined. */
function packetBody(p: Uint8Array): { tag: number; body: Uint8Array } | undefined {
  const t = p[0];
  if (t === undefined || (t & 0x80) === 0) return undefined;
  if (t & 0x40) {
    const tag = t & 0x3f;
    const l0 = p[1] ?? 0;
    if (l0 < 192) return { tag, body: p.subarray(2, 2 + l0) };
    if (l0 < 224) {
      const len = ((l0 - 192) << 8) + (p[2] ?? 0) + 192;
      return { tag, body: p.subarray(3, 3 + len) };
    }
    if (l0 === 255) {
      const len = ((p[2]! << 24) | (p[3]! << 16) | (p[4]! << 8) | p[5]!) >>> 0;
      return { tag, body: p.subarray(6, 6 + len) };
    }
    return undefined;
  }
  const tag = (t >> 2) & 0x0f;
  const lt = t & 3;
  if (lt === 0) return { tag, body: p.subarray(2, 2 + p[1]!) };
  if (lt === 1) return { tag, body: p.subarray(3, 3 + ((p[1]! << 8) | p[2]!)) };
  if (lt === 2) return { tag, body: p.subarray(5, 5 + (((p[1]! << 24) | (p[2]! << 16) | (p[3]! << 8) | p[4]!) >>> 0)) };
  return undefined;
}

function parseV3(p: Uint8Array): V3Signature | undefined {
  const pkt = packetBody(p);
  if (!pkt || pkt.tag !== 2) return undefined;
  const b = pkt.body;
  if (b[0] !== 3 || b[1] !== 5 || b.length < 19) return undefined;
  const bits = (b[17]! << 8) | b[18]!;
  return {
    sigType: b[2]!,
    time: b.subarray(3, 7),
    keyId: hex(b.subarray(7, 15)),
    pubAlg: b[15]!,
    hashAlg: b[16]!,
    left16: b.subarray(17, 19),
    mpi: b.subarray(21, 21 + Math.ceil(bits / 8)),
  };
}

function b64url(b: Uint8Array): string {
  return Buffer.from(b).toString('base64url');
}

function verifyV3(sig: V3Signature, data: Uint8Array, keys: readonly openpgp.PublicKey[]): SignatureResult {
  const found = findKey(keys, sig.keyId);
  if (!found) return { ok: false, reason: 'no-key', detail: `signed with key ID ${sig.keyId}, which is not among the trusted keys`, keyId: sig.keyId };
  const hash = RpmHashAlgo[sig.hashAlg];
  if (sig.pubAlg !== 1 && sig.pubAlg !== 3) return { ok: false, reason: 'unsupported', detail: `v3 signature with public-key algorithm ${sig.pubAlg}`, keyId: sig.keyId };
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

async function verifyV4(packet: Uint8Array, data: Uint8Array, keys: readonly openpgp.PublicKey[]): Promise<SignatureResult> {
  let sig: openpgp.Signature;
  try {
    sig = await openpgp.readSignature({ binarySignature: packet });
  } catch (err) {
    return { ok: false, reason: 'unsupported', detail: `unreadable OpenPGP signature: ${err instanceof Error ? err.message : String(err)}` };
  }
  const ids = sig.getSigningKeyIDs().map((k) => k.toHex());
  if (ids.length === 0) return { ok: false, reason: 'unsupported', detail: 'OpenPGP signature packet of an unsupported version' };
  const keyId = ids[0]!;
  const found = ids.map((id) => findKey(keys, id)).find((x) => x !== undefined);
  if (!found) return { ok: false, reason: 'no-key', detail: `signed with key ID ${keyId}, which is not among the trusted keys`, keyId };
  const message = await openpgp.createMessage({ binary: data });
  try {
    const res = await openpgp.verify({ message, signature: sig, verificationKeys: found.key, format: 'binary', expectSigned: true });
    const first = res.signatures[0];
    if (!first) return { ok: false, reason: 'bad-signature', detail: 'no signature verified', keyId };
    await first.verified;
    return { ok: true, keyId, keyUser: keyUser(found.key) };
  } catch (err) {
    return { ok: false, reason: 'bad-signature', detail: `the header signature does not verify (key ID ${keyId}): ${err instanceof Error ? err.message : String(err)}`, keyId };
  }
}

/**
 * Verifies the header signature(s) over the main header. Any one good signature from a trusted
 * key passes; otherwise the most telling failure is returned.
 */
export async function verifyHeaderSignature(pkg: Uint8Array, h: RpmPackageHeaders, keys: readonly openpgp.PublicKey[]): Promise<SignatureResult> {
  const data = pkg.subarray(h.ranges.header.start, h.ranges.header.end);
  const packets = signaturePackets(h);
  if (packets.length === 0) return { ok: false, reason: 'unsigned', detail: 'the package has no header signature' };
  const failures: SignatureResult[] = [];
  for (const p of packets) {
    const v3 = parseV3(p);
    const r = v3 ? verifyV3(v3, data, keys) : await verifyV4(p, data, keys);
    if (r.ok) return r;
    failures.push(r);
  }
  const rank = { 'bad-signature': 0, 'no-key': 1, unsupported: 2, unsigned: 3 } as const;
  failures.sort((a, b) => (a.ok || b.ok ? 0 : rank[a.reason] - rank[b.reason]));
  return failures[0]!;
}
