/**
 * repo_gpgcheck: repomd.xml's detached OpenPGP signature (repodata/repomd.xml.asc, made with
 * `gpg --detach-sign --armor repomd.xml`), verified against the repository's own keys (gpgkey)
 * before anything repomd.xml lists is trusted — what librepo does for dnf with repo_gpgcheck=1.
 * Loaded only for repositories that ask for it (openpgp.js is heavy).
 */
import * as openpgp from 'openpgp';
import { MetadataError } from './metadata-error.js';

export class RepomdSignatureError extends MetadataError {}

const FIX_KEYS = "list the key that signs the repository's metadata in its gpgkey, or set repo_gpgcheck = false if the repository does not sign repomd.xml";

function keyIds(k: openpgp.PublicKey): string[] {
  return [k.getKeyID(), ...k.getSubkeys().map((s) => s.getKeyID())].map((id) => id.toHex().toUpperCase());
}

async function readSignature(data: Uint8Array): Promise<openpgp.Signature> {
  const text = new TextDecoder().decode(data);
  try {
    return text.includes('-----BEGIN PGP SIGNATURE-----')
      ? await openpgp.readSignature({ armoredSignature: text })
      : await openpgp.readSignature({ binarySignature: data });
  } catch (err) {
    throw new RepomdSignatureError(`repomd.xml.asc is not an OpenPGP signature: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
      fix: 'the mirror serves a broken signature file: try another mirror, or ask the repository to re-sign repomd.xml',
    });
  }
}

/**
 * Passes when one signature in `signature` is a valid signature of exactly these repomd.xml
 * bytes by one of `keys`; returns its key ID. Throws RepomdSignatureError otherwise.
 */
export async function verifyRepomdSignature(repomd: Uint8Array, signature: Uint8Array, keys: readonly openpgp.PublicKey[]): Promise<string> {
  const sig = await readSignature(signature);
  const signers = sig.getSigningKeyIDs().map((k) => k.toHex().toUpperCase());
  const trusted = keys.filter((k) => keyIds(k).some((id) => signers.includes(id)));
  if (trusted.length === 0) {
    const known = keys.flatMap((k) => keyIds(k).slice(0, 1));
    throw new RepomdSignatureError(
      `repomd.xml is signed with key ID ${signers.join(', ') || '(none)'}, which is not among the repository's keys (${known.join(', ') || 'none'})`,
      { fix: FIX_KEYS },
    );
  }
  const message = await openpgp.createMessage({ binary: repomd });
  const result = await openpgp.verify({ message, signature: sig, verificationKeys: [...trusted], format: 'binary' });
  const failures: string[] = [];
  for (const s of result.signatures) {
    const id = s.keyID.toHex().toUpperCase();
    try {
      await s.verified;
      return id;
    } catch (err) {
      failures.push(`key ID ${id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new RepomdSignatureError(`repomd.xml does not match its signature (${failures.join('; ')}): it was altered after signing`, {
    fix: 'the mirror serves altered or stale metadata: try another mirror (--repo ID=URL); if every mirror fails, tell the repository maintainers',
  });
}
