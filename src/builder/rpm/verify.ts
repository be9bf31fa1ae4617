/**
 * Package verification: one streaming pass over an .rpm file checks
 *   - the file's sha256 (when the expectation names one: the download cache, which has just
 *     checked it, leaves it out) and size against the lock / repository metadata,
 *   - name, epoch, version, release, arch against what was locked,
 *   - SHA256HEADER (sha256 of the main header) from the signature header,
 *   - the OpenPGP header signature against the repository's keys (gpgcheck),
 *   - PAYLOADDIGEST over the compressed payload (or the legacy MD5 over header + payload),
 * so a flipped byte in the header or the payload is caught even without metadata.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { PublicKey } from 'openpgp';
import { FexpodError } from '../../common/errors.js';
import type { DigestAlg } from '../../common/hash.js';
import { DIGEST_ALGS } from '../fetch/cache.js';
import {
  RPM_LEAD_SIZE,
  RpmFormatError,
  RpmHashAlgo,
  RpmSigTag,
  RpmTag,
  RpmTruncatedError,
  formatNevra,
  headerNevra,
  parseRpmHeaders,
  type RpmNevra,
  type RpmPackageHeaders,
} from './rpm-header.js';
import { verifyHeaderSignature } from './rpm-signature.js';

export interface RpmExpectation {
  readonly name: string;
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  readonly sha256?: string;
  readonly size?: number;
}

export interface VerifyOptions {
  readonly gpgcheck: boolean;
  readonly keys: readonly PublicKey[];
}

export interface VerifiedRpm {
  readonly nevra: RpmNevra;
  /** Key that signed the header (gpgcheck), e.g. "Fedora (42) <…>". */
  readonly signedBy: string | undefined;
  readonly payloadDigest: DigestAlg | 'md5' | 'none';
  /** Header signatures skipped because fexpod cannot check their kind (e.g. ML-DSA), described. */
  readonly skippedSignatures: readonly string[];
}

export type PackageVerifyKind = 'tampered' | 'unsigned' | 'no-key' | 'unsupported' | 'mismatch' | 'corrupt' | 'source';

/** What the user can do, per kind of failure. The bytes already matched the lock's sha256 when these run. */
const VERIFY_FIX: Readonly<Record<PackageVerifyKind, string>> = {
  'no-key': "add the signing key to the repository's gpgkey list (or set gpgcheck = false for a repository you trust otherwise)",
  unsigned: 'use signed packages, or set gpgcheck = false for this repository if that is intended',
  unsupported:
    'the package carries no signature fexpod can check (run with --verbose to see the skipped ones): sign it with an RSA or EdDSA key, or set gpgcheck = false for this repository if you trust it otherwise',
  tampered:
    'do not use this package: it differs from what was signed or locked. fexpod kept nothing of it; fetch it from a trusted mirror (--repo ID=URL) and, if the repository itself serves it so, report it there',
  mismatch: 'the repository serves another package under this file than the lock records: re-resolve with "fexpod lock DEF.toml"',
  corrupt: 'the file is not a readable RPM (a mirror error page or a damaged copy): fetch it again from another mirror (--repo ID=URL)',
  source: 'a source package cannot be installed into an image: remove it from the lock (re-resolve with "fexpod lock DEF.toml")',
};

/** A package that must not be installed: names it and says why. */
export class PackageVerifyError extends FexpodError {
  constructor(readonly pkg: string, readonly reason: string, readonly kind: PackageVerifyKind, fix: string = VERIFY_FIX[kind]) {
    super(`${pkg}: ${reason}`, { fix, exitCode: 4 });
  }
}

async function readHeaders(path: string): Promise<{ headers: RpmPackageHeaders; prefix: Uint8Array }> {
  const fh = await open(path, 'r');
  try {
    let want = 64 * 1024;
    for (;;) {
      const buf = new Uint8Array(want);
      const { bytesRead } = await fh.read(buf, 0, want, 0);
      const prefix = buf.subarray(0, bytesRead);
      try {
        return { headers: parseRpmHeaders(prefix), prefix };
      } catch (err) {
        if (err instanceof RpmTruncatedError && bytesRead === want && err.needed > want) {
          want = err.needed;
          continue;
        }
        throw err;
      }
    }
  } finally {
    await fh.close();
  }
}

/** Verifies one package file; throws PackageVerifyError naming it and the reason. */
export async function verifyRpmFile(path: string, exp: RpmExpectation, opts: VerifyOptions): Promise<VerifiedRpm> {
  const label = formatNevra(exp);
  let parsed: { headers: RpmPackageHeaders; prefix: Uint8Array };
  try {
    parsed = await readHeaders(path);
  } catch (err) {
    if (err instanceof RpmFormatError) {
      const size = (await stat(path)).size;
      throw new PackageVerifyError(label, size < RPM_LEAD_SIZE ? `the file is ${size} bytes: too short to be an RPM` : `corrupt RPM header: ${err.message}`, 'corrupt');
    }
    throw err;
  }
  const { headers: h, prefix } = parsed;
  // rpm's headerIsSource: a source package has no SOURCERPM.
  if (!h.header.has(RpmTag.SOURCERPM)) throw new PackageVerifyError(label, 'the file is a source package (.src.rpm)', 'source');
  const nevra = headerNevra(h.header);
  if (formatNevra(nevra) !== label) {
    throw new PackageVerifyError(label, `the file is ${formatNevra(nevra)}, not the locked package`, 'mismatch');
  }

  // Header digest (cheap, before the signature: a clearer message for a flipped header byte).
  const mainHeader = prefix.subarray(h.ranges.header.start, h.ranges.header.end);
  const sha256Header = h.signature.string(RpmSigTag.SHA256HEADER);
  if (sha256Header !== undefined && createHash('sha256').update(mainHeader).digest('hex') !== sha256Header.toLowerCase()) {
    throw new PackageVerifyError(label, 'header digest (SHA256HEADER) mismatch: the header was altered', 'tampered');
  }

  let signedBy: string | undefined;
  let skippedSignatures: readonly string[] = [];
  if (opts.gpgcheck) {
    const sig = await verifyHeaderSignature(prefix, h, opts.keys);
    skippedSignatures = sig.skipped;
    if (!sig.ok) {
      const kind = sig.reason === 'bad-signature' ? 'tampered' : sig.reason;
      const skipped = sig.skipped.length > 0 && sig.reason !== 'unsupported' ? ` (skipped: ${sig.skipped.join('; ')})` : '';
      throw new PackageVerifyError(label, `${sig.reason === 'unsigned' ? 'unsigned package (gpgcheck is on)' : sig.detail}${skipped}`, kind);
    }
    signedBy = sig.keyUser ?? sig.keyId;
  }

  // One pass over the file: whole-file sha256, payload digest, legacy MD5 (header + payload).
  const payloadDigest = h.header.strings(RpmTag.PAYLOADDIGEST)[0];
  const payloadAlgNum = h.header.number(RpmTag.PAYLOADDIGESTALGO) ?? 8;
  const payloadAlg = DIGEST_ALGS.find((a) => a === RpmHashAlgo[payloadAlgNum]);
  if (payloadDigest !== undefined && payloadAlg === undefined) {
    throw new PackageVerifyError(label, `its payload digest uses hash algorithm ${payloadAlgNum}, which fexpod cannot check (it checks ${DIGEST_ALGS.join(', ')})`, 'unsupported',
      'rebuild the package with a sha256 payload digest (rpm\'s default), or report the algorithm to fexpod');
  }
  const legacyMd5 = payloadDigest === undefined ? h.signature.binary(RpmSigTag.MD5) : undefined;
  const fileHash = exp.sha256 !== undefined ? createHash('sha256') : undefined;
  const payHash = payloadDigest !== undefined && payloadAlg ? createHash(payloadAlg) : undefined;
  const md5 = legacyMd5 ? createHash('md5') : undefined;
  let offset = 0;
  for await (const c of createReadStream(path)) {
    const chunk = c as Buffer;
    fileHash?.update(chunk);
    const end = offset + chunk.length;
    if (payHash && end > h.ranges.payloadOffset) payHash.update(chunk.subarray(Math.max(0, h.ranges.payloadOffset - offset)));
    if (md5 && end > h.ranges.header.start) md5.update(chunk.subarray(Math.max(0, h.ranges.header.start - offset)));
    offset = end;
  }
  if (exp.size !== undefined && offset !== exp.size) {
    throw new PackageVerifyError(label, `size ${offset} differs from the metadata's ${exp.size}`, 'tampered');
  }
  if (fileHash && fileHash.digest('hex') !== exp.sha256) {
    throw new PackageVerifyError(label, 'sha256 differs from the repository metadata', 'tampered');
  }
  if (payHash && payHash.digest('hex') !== payloadDigest!.toLowerCase()) {
    throw new PackageVerifyError(label, 'payload digest (PAYLOADDIGEST) mismatch: the payload was altered', 'tampered');
  }
  if (md5 && legacyMd5 && !Buffer.from(legacyMd5).equals(md5.digest())) {
    throw new PackageVerifyError(label, 'header+payload MD5 mismatch: the package was altered', 'tampered');
  }
  return {
    nevra,
    signedBy,
    payloadDigest: payHash && payloadAlg ? payloadAlg : md5 ? 'md5' : 'none',
    skippedSignatures,
  };
}
