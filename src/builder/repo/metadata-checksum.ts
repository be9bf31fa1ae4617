/**
 * The checksum types repository metadata may use, as dnf (librepo) accepts them: sha1 (also
 * written "sha", yum's old name), sha224, sha256, sha384, sha512. md5 is refused: a forged
 * primary.xml with a matching md5 is cheap to make, and whatever repomd.xml's checksum allows
 * to be swapped decides which packages a build trusts. Fedora uses sha256.
 */
import type { DigestAlg } from '../../common/hash.js';
import { MetadataError } from './metadata-error.js';

export const METADATA_DIGEST_ALGS: readonly DigestAlg[] = ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

/** repomd.xml's `<checksum type="…">` → the hash to check it with (MetadataError when refused). */
export function metadataDigestAlg(type: string, what: string): DigestAlg {
  const t = type.toLowerCase() === 'sha' ? 'sha1' : type.toLowerCase();
  const found = METADATA_DIGEST_ALGS.find((a) => a === t);
  if (found) return found;
  if (t === 'md5') {
    throw new MetadataError(`${what} is protected only by an md5 checksum, which fexpod refuses (md5 collisions are cheap to make)`, {
      fix: "have the repository regenerated with sha256 checksums (createrepo_c's default: createrepo_c --checksum sha256), or use a mirror that has it",
    });
  }
  throw new MetadataError(`${what} uses the checksum type "${type}", which fexpod does not know (it accepts ${METADATA_DIGEST_ALGS.join(', ')}, as dnf)`, {
    fix: "have the repository regenerated with sha256 checksums (createrepo_c's default)",
  });
}
