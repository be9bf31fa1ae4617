/**
 * Streaming decompressors for repository metadata and RPM payloads: zstd, xz, gzip, bzip2.
 *
 * - zstd: fzstd (pure JS, streaming `Decompress`); Node 20's zlib has no zstd.
 * - gzip: node:zlib.
 * - xz, bzip2: the `xz` and `bzip2` programs (`-dc`, streaming through pipes). No well-kept
 *   pure-JS decoder exists on npm (lzma-native is a native addon whose prebuilds lag Node
 *   releases; the WASM ports are 0.x with little use), while both tools are part of every Fedora
 *   and Debian base system and are fast. Their absence is reported with the package to install.
 */
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createRequire } from 'node:module';
import type { Decompress as ZstdDecompress } from 'fzstd';
import { FexpodError } from './errors.js';
import { findProgram } from './find-program.js';

export type Compression = 'zstd' | 'xz' | 'gzip' | 'bzip2' | 'none';

export class DecompressError extends FexpodError {}

const MAGICS: readonly { readonly c: Compression; readonly magic: readonly number[] }[] = [
  { c: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { c: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { c: 'gzip', magic: [0x1f, 0x8b] },
  { c: 'bzip2', magic: [0x42, 0x5a, 0x68] },
];

/** Compression of a blob from its first bytes ('none' when no known magic matches). */
export function detectCompression(head: Uint8Array): Compression {
  for (const { c, magic } of MAGICS) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return c;
  }
  return 'none';
}

/** Compression named by a file name (repodata `location`) or an RPM PAYLOADCOMPRESSOR value. */
export function compressionFromName(name: string): Compression | undefined {
  const n = name.toLowerCase();
  if (n.endsWith('.zst') || n === 'zstd') return 'zstd';
  if (n.endsWith('.xz') || n === 'xz' || n === 'lzma') return 'xz';
  if (n.endsWith('.gz') || n === 'gzip') return 'gzip';
  if (n.endsWith('.bz2') || n === 'bzip2') return 'bzip2';
  if (n.endsWith('.xml') || n === 'none' || n === '') return 'none';
  return undefined;
}

class ZstdTransform extends Transform {
  private readonly dec: ZstdDecompress;
  private failed = false;

  constructor() {
    super();
    // fzstd is the fallback for hosts without the zstd CLI: loaded on first use, not at start-up (~20 ms)
    const fzstd: typeof import('fzstd') = createRequire(import.meta.url)('fzstd');
    this.dec = new fzstd.Decompress((chunk) => {
      this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.dec.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      cb();
    } catch (err) {
      this.failed = true;
      cb(new DecompressError(`zstd: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.failed) return cb();
    try {
      this.dec.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new DecompressError(`zstd: truncated or corrupt stream: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
  }
}

const TOOL_PACKAGE: Readonly<Record<string, string>> = { xz: 'xz (Fedora) / xz-utils (Debian)', bzip2: 'bzip2', zstd: 'zstd' };

let zstdCli: boolean | undefined;
/**
 * The native `zstd` CLI decompresses RPM payloads ~10x faster than fzstd (pure JS); use it
 * when it is on PATH (FEXPOD_ZSTD=js forces fzstd). Same bytes either way.
 */
function useZstdCli(): boolean {
  if (zstdCli === undefined) {
    zstdCli =
      process.env['FEXPOD_ZSTD'] !== 'js' && findProgram('zstd', process.env['PATH']) !== undefined;
  }
  return zstdCli;
}

function toolStream(tool: 'xz' | 'bzip2' | 'zstd'): Duplex {
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  const out = new PassThrough();
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let stdoutEnded = false;
  const finish = () => {
    if (!exited || !stdoutEnded) return;
    if (exited.code === 0) out.end();
    else {
      const msg = Buffer.concat(stderr).toString('utf8').trim() || `exit ${exited.code ?? exited.signal}`;
      out.destroy(new DecompressError(`${tool}: ${msg.replace(/^(xz|bzip2): \(stdin\): /, '').replace(/^zstd: \/\*stdin\*\\ ?: /, '')}`));
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    if (!out.write(d)) {
      child.stdout.pause();
      out.once('drain', () => child.stdout.resume());
    }
  });
  child.stdout.on('end', () => {
    stdoutEnded = true;
    finish();
  });
  child.on('error', (err) => {
    out.destroy(
      new DecompressError(`cannot run ${tool}: ${err.message}`, {
        cause: err,
        fix: `install ${TOOL_PACKAGE[tool] ?? tool}`,
      }),
    );
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    finish();
  });
  // A reader that goes away early must not leave the child blocked on a full pipe.
  child.stdin.on('error', () => {});
  const duplex = Duplex.from({ writable: child.stdin, readable: out });
  duplex.on('close', () => {
    if (exited === undefined) child.kill('SIGTERM');
  });
  return duplex;
}

/** A streaming decompressor: write compressed bytes in, read plain bytes out. */
export function decompressor(c: Compression): Duplex {
  switch (c) {
    case 'zstd':
      return useZstdCli() ? toolStream('zstd') : new ZstdTransform();
    case 'gzip':
      return createGunzip();
    case 'xz':
    case 'bzip2':
      return toolStream(c);
    case 'none':
      return new PassThrough();
  }
}

/** Decompresses a whole buffer (small inputs: repomd fixtures, tests). */
export async function decompressBuffer(c: Compression, data: Uint8Array): Promise<Buffer> {
  const d = decompressor(c);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    d.on('data', (b: Buffer) => chunks.push(b));
    d.on('end', () => resolve(Buffer.concat(chunks)));
    d.on('error', reject);
  });
  d.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return done;
}
