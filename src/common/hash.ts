/**
 * Hashing, once for every part: digests of bytes (hex, or "sha256:…" as OCI
 * writes them) and of files, streamed (packages, layers and images can be
 * gigabytes).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

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

const CHUNK = 1024 * 1024;

/**
 * Feeds a file to `update` in 1 MiB chunks read into ONE reused buffer
 * (`update` must consume a chunk before it returns, as a hash's update does).
 * A read stream allocates a new buffer per 64 KiB chunk: hashing a few hundred
 * MB that way left ~40 MiB of garbage buffers on the RSS peak of a build.
 */
export async function readFileChunks(path: string, update: (chunk: Uint8Array) => void): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

/** Hex digest of a file, streamed. */
export async function hashFile(path: string, alg: DigestAlg): Promise<string> {
  const h = createHash(alg);
  await readFileChunks(path, (c) => h.update(c));
  return h.digest('hex');
}

/** sha256 hex of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return hashFile(path, 'sha256');
}
