/**
 * Reading an OCI image layout (a directory, or an oci-archive tar of one) as
 * the source of a push or an extract: index.json's descriptors, and blobs by
 * digest. A directory is read in place (blobs are streamed from their files,
 * any range, so an upload can resume); an archive is unpacked once into a
 * temporary layout, every blob checked against its digest on the way.
 * Blob paths are built from validated sha256 digests only, never from names
 * found in the layout. index.json and manifests (≤ 16 MiB) are read with one
 * synchronous call each: a re-push reads nothing else, and each asynchronous
 * step would be a round trip through the thread pool.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FexpodError, errnoCode } from '../common/errors.js';
import { sha256Digest } from '../common/hash.js';
import { isSha256Digest } from '../registry/reference.js';
import type { BlobSource } from '../registry/blob-upload.js';
import { asIndex, type Descriptor } from '../registry/oci.js';

export interface LayoutSource {
  /** The layout directory (a temporary one for an archive). */
  readonly dir: string;
  /** What the user named (for messages). */
  readonly origin: string;
  /** index.json's descriptors. */
  readonly manifests: readonly Descriptor[];
  blob(desc: Pick<Descriptor, 'digest' | 'size'>): BlobSource;
  readBlob(digest: string, limit?: number): Promise<Buffer>;
  /** Removes the temporary layout of an archive (nothing for a directory). */
  close(): Promise<void>;
}

function blobPath(dir: string, digest: string, origin: string): string {
  if (!isSha256Digest(digest)) throw new FexpodError(`${origin}: unsupported or malformed digest "${digest}"`, { fix: 'fexpod reads sha256 layouts only' });
  return join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

async function readIndex(dir: string, origin: string): Promise<Descriptor[]> {
  let text: string;
  try {
    text = readFileSync(join(dir, 'index.json'), 'utf8');
  } catch (err) {
    throw new FexpodError(`${origin} is not an OCI image layout: no index.json (${errnoCode(err) ?? String(err)})`, {
      fix: 'give the directory fexpod build --format oci wrote (NAME.oci), or an oci-archive (NAME.oci.tar)',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FexpodError(`${join(dir, 'index.json')}: not JSON`, { cause: err, fix: 'rebuild the layout' });
  }
  const index = asIndex(raw, `${origin}: index.json`);
  if (index.manifests.length === 0) throw new FexpodError(`${origin}: index.json lists no manifests`, { fix: 'rebuild the layout' });
  return [...index.manifests];
}

function layoutSource(dir: string, origin: string, manifests: Descriptor[], close: () => Promise<void>): LayoutSource {
  return {
    dir,
    origin,
    manifests,
    blob(desc) {
      const path = blobPath(dir, desc.digest, origin);
      return {
        digest: desc.digest,
        size: desc.size,
        open: (start, end) => createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }),
      };
    },
    async readBlob(digest, limit = 16 << 20) {
      const path = blobPath(dir, digest, origin);
      let data: Buffer;
      try {
        if (statSync(path).size > limit) throw new FexpodError(`${origin}: blob ${digest} is larger than ${limit} bytes`);
        data = readFileSync(path);
      } catch (err) {
        if (err instanceof FexpodError) throw err;
        throw new FexpodError(`${origin}: blob ${digest} is missing (${errnoCode(err) ?? String(err)})`, { fix: 'the layout is incomplete: rebuild it' });
      }
      const got = sha256Digest(data);
      if (got !== digest) throw new FexpodError(`${origin}: blob ${digest} is corrupt (its bytes hash to ${got})`, { fix: 'rebuild the layout' });
      return data;
    },
    close,
  };
}

/** Opens a layout directory or an oci-archive (unpacked under tmpParent). */
export async function openLayout(path: string, tmpParent: string): Promise<LayoutSource> {
  let isDir: boolean;
  try {
    isDir = lstatSync(path).isDirectory();
  } catch (err) {
    throw new FexpodError(`cannot read ${path}: ${errnoCode(err) ?? String(err)}`, { fix: 'give an OCI layout directory or an oci-archive file' });
  }
  if (isDir) return layoutSource(path, path, await readIndex(path, path), async () => {});
  const { removeTree } = await import('./fs-safe.js'); // archives only
  const tmp = mkdtempSync(join(tmpParent, '.fexpod-layout-'));
  try {
    await unpackArchive(path, tmp);
    return layoutSource(tmp, path, await readIndex(tmp, path), () => removeTree(tmp));
  } catch (err) {
    await removeTree(tmp);
    throw err;
  }
}

/** Unpacks an oci-archive: only oci-layout, index.json and blobs/sha256/HEX, each blob verified. */
async function unpackArchive(file: string, dest: string): Promise<void> {
  mkdirSync(join(dest, 'blobs', 'sha256'), { recursive: true });
  const [{ default: tarStream }, { pipeline }] = await Promise.all([import('tar-stream'), import('node:stream/promises')]); // only archives need them
  const extract = tarStream.extract();
  let files = 0;
  extract.on('entry', (h, stream, next) => {
    const name = h.name.replace(/^\.\//, '');
    const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
    if (h.type !== 'file' || (!m && name !== 'index.json' && name !== 'oci-layout')) {
      stream.resume();
      stream.on('end', next);
      return;
    }
    files++;
    const hash = createHash('sha256');
    stream.on('data', (c: unknown) => { if (Buffer.isBuffer(c)) hash.update(c); });
    pipeline(stream, createWriteStream(join(dest, name), { mode: 0o644 }))
      .then(() => {
        if (m && hash.digest('hex') !== m[1]) throw new FexpodError(`${file}: ${name} does not match its digest`, { fix: 'the archive is corrupt: build it again' });
        next();
      })
      .catch((err: unknown) => next(err instanceof Error ? err : new Error(String(err))));
  });
  await pipeline(createReadStream(file), extract).catch((err: unknown) => {
    if (err instanceof FexpodError) throw err;
    throw new FexpodError(`${file} is not an OCI archive (tar): ${err instanceof Error ? err.message : String(err)}`, { cause: err, fix: 'give an OCI layout directory or an oci-archive file' });
  });
  if (files === 0) throw new FexpodError(`${file} is not an OCI archive: no layout files in it`, { fix: 'give an OCI layout directory or an oci-archive file' });
}
