/**
 * Downloading blobs, verified: every byte goes through sha256 and the size
 * and digest must match the descriptor before the caller may use the file
 * (a mismatch deletes it). A connection that drops mid-body is resumed with a
 * Range request where the registry honours it (206), restarted otherwise.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FexpodError } from '../common/errors.js';
import { sha256Digest } from '../common/hash.js';
import type { Descriptor } from '../registry/oci.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { isNetworkError, readAll } from '../registry/transport.js';
import type { TransferProgress } from './transfer-progress.js';

export class DigestMismatchError extends FexpodError {}

function mismatch(what: string, desc: Pick<Descriptor, 'digest' | 'size'>, got: string, size: number): DigestMismatchError {
  return new DigestMismatchError(`${what}: refused: the bytes received (${size} bytes, ${got}) do not match ${desc.digest} (${desc.size} bytes)`, {
    fix: 'the registry or something between altered the content; nothing was kept. Try again, or check the registry',
  });
}

/** A pass-through that hashes, counts and, at the end, checks size and digest. */
export function verifying(desc: Pick<Descriptor, 'digest' | 'size'>, what: string, onBytes?: (n: number) => void): Transform {
  const hash: Hash = createHash('sha256');
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      n += chunk.length;
      if (n > desc.size) return cb(mismatch(what, desc, 'too long', n));
      hash.update(chunk);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== desc.digest || n !== desc.size) return cb(mismatch(what, desc, got, n));
      cb();
    },
  });
}

const ATTEMPTS = 5;

/** Downloads a blob into `file` (created or truncated); verified, or the file is removed. */
export async function downloadBlob(client: RegistryClient, repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, file: string, progress?: TransferProgress): Promise<void> {
  const what = `blob ${desc.digest} from ${client.registry}/${repo}`;
  const hash = createHash('sha256');
  let have = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      const res = await client.blob(repo, desc.digest, have);
      if (res.status === 200 && have > 0) {
        // no Range support: start again
        progress?.bytes(-have);
        have = 0;
        return await downloadFresh();
      }
      try {
        await pipeline(
          res.body,
          new Transform({
            transform(chunk: Buffer, _e, cb) {
              have += chunk.length;
              if (have > desc.size) return cb(mismatch(what, desc, 'too long', have));
              hash.update(chunk);
              progress?.bytes(chunk.length);
              cb(null, chunk);
            },
          }),
          createWriteStream(file, { flags: have > 0 || attempt > 0 ? 'a' : 'w' }),
        );
        break;
      } catch (err) {
        if (err instanceof DigestMismatchError) throw err;
        if (!isNetworkError(err) || attempt + 1 >= ATTEMPTS) throw new FexpodError(`downloading ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        client.log.debug(`downloading ${what}: ${err instanceof Error ? err.message : String(err)}; resuming at byte ${have}`);
      }
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== desc.digest || have !== desc.size) throw mismatch(what, desc, got, have);
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }

  async function downloadFresh(): Promise<void> {
    const res = await client.blob(repo, desc.digest);
    await pipeline(res.body, verifying(desc, what, (n) => progress?.bytes(n)), createWriteStream(file));
  }
}

/** A small blob (config, SBOM) in memory, verified. */
export async function blobBytes(client: RegistryClient, repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, limit = 64 << 20): Promise<Buffer> {
  const what = `blob ${desc.digest} from ${client.registry}/${repo}`;
  if (desc.size > limit) throw new FexpodError(`${what}: ${desc.size} bytes is more than expected for metadata`);
  const data = await readAll(await client.blob(repo, desc.digest), limit, what);
  const got = sha256Digest(data);
  if (got !== desc.digest || data.length !== desc.size) throw mismatch(what, desc, got, data.length);
  return data;
}

/** A blob as a verified stream: it errors at its end when the bytes do not match. */
export async function blobStream(client: RegistryClient, repo: string, desc: Pick<Descriptor, 'digest' | 'size'>, progress?: TransferProgress): Promise<Readable> {
  const res = await client.blob(repo, desc.digest);
  const v = verifying(desc, `blob ${desc.digest} from ${client.registry}/${repo}`, (n) => progress?.bytes(n));
  res.body.on('error', (err) => v.destroy(err));
  return res.body.pipe(v);
}
