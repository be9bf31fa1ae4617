/**
 * The payload of an RPM: the bytes after the main header, compressed with
 * the algorithm named in PAYLOADCOMPRESSOR (gzip when absent, as rpm assumes;
 * "lzma" is the legacy xz-alone format, which `xz -d` reads), holding a cpio
 * archive (PAYLOADFORMAT "cpio"; rpm v6 may also say "cpio" and use the
 * stripped entries cpio.ts understands).
 *
 * Fedora payloads are zstd. fzstd (pure JS) decodes ~20 MB/s here, so a
 * 1.5 GB RootFS would spend over a minute in it; when the `zstd` program can
 * be started it is used instead (the same trade decompress.ts makes for xz),
 * and fzstd remains the fallback. Whether it started is known before any byte
 * is written to it, so falling back never loses data.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { compressionFromName, DecompressError, decompressor, type Compression } from './decompress.js';
import { RpmFormatError, RpmTag, type RpmHeader } from './rpm-header.js';

export function payloadCompression(h: RpmHeader): Compression {
  const format = h.string(RpmTag.PAYLOADFORMAT) ?? 'cpio';
  if (format !== 'cpio') throw new RpmFormatError(`unsupported payload format "${format}" (only cpio)`);
  const name = h.string(RpmTag.PAYLOADCOMPRESSOR) ?? 'gzip';
  const c = compressionFromName(name);
  if (c === undefined) throw new RpmFormatError(`unsupported payload compressor "${name}"`);
  return c;
}

export interface PayloadOptions {
  /** Use the `zstd` program for zstd payloads when it can be started (default true). */
  readonly zstdTool?: boolean;
}

let zstdToolMissing = false;

function startZstd(): Promise<ChildProcessByStdio<Writable, Readable, Readable> | undefined> {
  if (zstdToolMissing) return Promise.resolve(undefined);
  const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(child));
    child.once('error', () => {
      zstdToolMissing = true;
      resolve(undefined);
    });
  });
}

async function* throughChild(
  child: ChildProcessByStdio<Writable, Readable, Readable>,
  compressed: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const stderr: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  child.stdin.on('error', () => {});
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let feedError: unknown;
  const feed = (async () => {
    try {
      for await (const c of compressed) {
        if (child.stdin.destroyed) return;
        if (!child.stdin.write(c)) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              child.stdin.off('drain', done);
              child.stdin.off('close', done);
              resolve();
            };
            child.stdin.on('drain', done);
            child.stdin.on('close', done);
          });
        }
      }
      child.stdin.end();
    } catch (err) {
      feedError = err;
      child.kill('SIGTERM');
    }
  })();
  try {
    for await (const chunk of child.stdout) {
      if (chunk instanceof Uint8Array) yield chunk;
    }
    const code = await closed;
    await feed;
    if (feedError !== undefined) throw feedError;
    if (code !== 0) {
      const msg = Buffer.concat(stderr).toString('utf8').trim() || `exit ${code}`;
      throw new DecompressError(`zstd: ${msg}`);
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await feed;
  }
}

/**
 * Decompresses a payload. `compressed` yields the package bytes from the
 * payload offset on; the result yields the cpio archive bytes.
 */
export async function* payloadChunks(
  h: RpmHeader,
  compressed: AsyncIterable<Uint8Array>,
  opts: PayloadOptions = {},
): AsyncGenerator<Uint8Array> {
  const c = payloadCompression(h);
  if (c === 'zstd' && opts.zstdTool !== false) {
    const child = await startZstd();
    if (child) {
      yield* throughChild(child, compressed);
      return;
    }
  }
  const d = decompressor(c);
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
