/**
 * Hashing, once for every part: digests of bytes (hex, or "sha256:…" as OCI
 * writes them) and of files, streamed (packages, layers and images can be
 * gigabytes).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The digest algorithms repository metadata and packages use (md5 is refused where they are parsed). */
export type DigestAlg = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** sha256 hex of bytes, or of a string's UTF-8. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** "sha256:…" of bytes, or of a string's UTF-8 (as writeFile writes it). */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}

/** Hex digest of a file, streamed. */
export async function hashFile(path: string, alg: DigestAlg): Promise<string> {
  const h = createHash(alg);
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** sha256 hex of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return hashFile(path, 'sha256');
}
