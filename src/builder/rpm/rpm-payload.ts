/**
 * The payload of an RPM: the bytes after the main header, compressed with
 * the algorithm named in PAYLOADCOMPRESSOR (gzip when absent, as rpm assumes;
 * "lzma" is the legacy xz-alone format, which `xz -d` reads), holding a cpio
 * archive (PAYLOADFORMAT "cpio"; rpm v6 may also say "cpio" and use the
 * stripped entries cpio.ts understands).
 * rpm reads "gzip" payloads through zlib's gzdopen, which passes bytes that do
 * not start with the gzip magic through unchanged: that is how the plain cpio
 * payloads rpmbuild writes for `_binary_payload w.ufdio` (no PAYLOADCOMPRESSOR
 * tag at all) are read, and so they are here.
 * Fedora payloads are zstd: common/decompress.ts runs them through the `zstd`
 * program when it is on PATH (fzstd otherwise).
 */
import { compressionFromName, decompressor, type Compression } from '../../common/decompress.js';
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
  let compression = payloadCompression(h);
  let input = compressed;
  if (compression === 'gzip') {
    const peeked = await peek(compressed, GZIP_MAGIC.length);
    if (!GZIP_MAGIC.every((b, i) => peeked.head[i] === b)) compression = 'none';
    input = peeked.all;
  }
  const d = decompressor(compression);
  const feed = (async () => {
    try {
      for await (const c of input) {
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

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The first `n` bytes of a stream, and the whole stream (those bytes included) to read on. */
async function peek(src: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const it = src[Symbol.asyncIterator]();
  const taken: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    taken.push(r.value);
    have += r.value.length;
  }
  const head = Buffer.concat(taken).subarray(0, n);
  async function* all(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, all: all() };
}
