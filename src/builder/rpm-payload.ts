/**
 * The payload of an RPM: the bytes after the main header, compressed with
 * the algorithm named in PAYLOADCOMPRESSOR (gzip when absent, as rpm assumes;
 * "lzma" is the legacy xz-alone format, which `xz -d` reads), holding a cpio
 * archive (PAYLOADFORMAT "cpio"; rpm v6 may also say "cpio" and use the
 * stripped entries cpio.ts understands).
 * Fedora payloads are zstd: decompress.ts runs them through the `zstd`
 * program when it is on PATH (fzstd otherwise).
 */
import { compressionFromName, decompressor, type Compression } from './decompress.js';
import { RpmFormatError, RpmTag, type RpmHeader } from './rpm-header.js';

export function payloadCompression(h: RpmHeader): Compression {
  const format = h.string(RpmTag.PAYLOADFORMAT) ?? 'cpio';
  if (format !== 'cpio') throw new RpmFormatError(`unsupported payload format "${format}" (only cpio)`);
  const name = h.string(RpmTag.PAYLOADCOMPRESSOR) ?? 'gzip';
  const c = compressionFromName(name);
  if (c === undefined) throw new RpmFormatError(`unsupported payload compressor "${name}"`);
  return c;
}

/**
 * Decompresses a payload. `compressed` yields the package bytes from the
 * payload offset on; the result yields the cpio archive bytes.
 */
export async function* payloadChunks(h: RpmHeader, compressed: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const d = decompressor(payloadCompression(h));
  const feed = (async () => {
    try {
      for await (const c of compressed) {
        if (d.destroyed) return;
        if (!d.write(c)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              d.off('drain', done);
              d.off('close', done);
              resolve();
            };
            d.on('drain', done);
            d.on('close', done);
          });
        }
      }
      if (!d.destroyed) d.end();
    } catch (err) {
      d.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  try {
    for await (const chunk of d) {
      if (chunk instanceof Uint8Array) yield chunk;
    }
  } finally {
    if (!d.destroyed) d.destroy();
    await feed;
  }
}
