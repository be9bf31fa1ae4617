/**
 * Fetch a lock's packages into the content-addressed cache, in parallel, and verify each one
 * (sha256 + size by the cache, header digest, OpenPGP signature, payload digest by verify.ts).
 * A download is verified before it is renamed into the cache (a package that fails never gets
 * an entry), and a cached package is verified again against this lock's keys each time it is used.
 *
 *   fetchLocked(lock, opts) → Map<sha256, path in the cache>
 *
 * --offline uses the cache alone and names what is missing. Packages that every mirror answers
 * 404 for have vanished: the error names them.
 */
import type { PublicKey } from 'openpgp';
import { FexpodError, errnoCode, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { BlobCache } from './cache.js';
import { CacheStoreError, fetchBlob, FetchError, type BlobEvent } from './fetch-blob.js';
import type { HttpClient } from './http.js';
import { loadKeys, type KeyDeps } from './keys.js';
import { packageUrls, VanishedPackagesError, type Lock, type LockedPackage } from '../lock/lock.js';
import { formatNevra } from '../rpm/rpm-header.js';
import { PackageVerifyError, verifyRpmFile } from '../rpm/verify.js';

export interface FetchLockedOptions {
  readonly cacheDir: string;
  readonly offline?: boolean;
  readonly concurrency?: number;
  readonly onEvent?: (e: BlobEvent) => void;
  readonly http: HttpClient;
  /** Mirror base URLs per repo id, overriding the lock's (e.g. from --repo). */
  readonly mirrors?: ReadonlyMap<string, readonly string[]>;
  /** Keys per repo id; default: load the lock's gpgkey URLs. */
  readonly keys?: ReadonlyMap<string, readonly PublicKey[]>;
  readonly keyDeps?: KeyDeps;
  /** Skip header/signature/payload verification (sha256 is always checked). */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
  /** Called as each package is downloaded and verified (its sha256 and cache path), so extraction can start. */
  readonly onVerified?: (sha256: string, path: string) => void;
  /** --verbose details (signatures skipped because fexpod cannot check their kind). */
  readonly log?: Logger;
}

async function pool<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export async function fetchLocked(lock: Lock, opts: FetchLockedOptions): Promise<Map<string, string>> {
  const cache = new BlobCache(opts.cacheDir);
  const result = new Map<string, string>();
  const keys = new Map<string, readonly PublicKey[]>();
  const verify = opts.verify ?? true;
  if (verify) {
    for (const r of lock.repos) {
      if (!r.gpgcheck) continue;
      const given = opts.keys?.get(r.id);
      if (given) keys.set(r.id, given);
      else if (opts.keyDeps) keys.set(r.id, await loadKeys(r.gpgkeys, opts.keyDeps));
      else throw new FexpodError(`repository ${r.id} has gpgcheck on but no keys were given`);
    }
  }
  if (opts.offline) {
    const missing: string[] = [];
    for (const p of lock.packages) {
      const d = { alg: 'sha256' as const, hex: p.sha256 };
      if (await cache.has(d, p.size)) result.set(p.sha256, cache.path(d));
      else missing.push(formatNevra(p));
    }
    if (missing.length > 0) {
      throw new FexpodError(`--offline: ${missing.length} package(s) are not in the cache ${opts.cacheDir}: ${missing.join(', ')}`, {
        fix: 'run once without --offline to fill the cache',
      });
    }
  }
  const vanished: LockedPackage[] = [];
  const failures: Error[] = [];
  // One download per blob, even if two repositories carry the same file.
  const unique = [...new Map(lock.packages.map((p) => [p.sha256, p])).values()];
  await pool(unique, opts.concurrency ?? 4, async (p) => {
    try {
      const repo = lock.repos.find((r) => r.id === p.repo);
      const file = p.location.split('/').pop() ?? p.location;
      const check = verify
        ? async (path: string, digestChecked: boolean) => {
            // Just committed: the cache checked sha256 and size, so verify skips its whole-file sha256.
            const { sha256, ...rest } = p;
            const v = await verifyRpmFile(path, digestChecked ? rest : p, { gpgcheck: repo?.gpgcheck ?? true, keys: keys.get(p.repo) ?? [] });
            for (const s of v.skippedSignatures) opts.log?.debug(`${file}: skipped ${s}; ${v.signedBy ? `signed by ${v.signedBy}` : 'gpgcheck is off'}`);
          }
        : undefined;
      let path = result.get(p.sha256);
      if (path) await check?.(path, false);
      else {
        const bases = opts.mirrors?.get(p.repo) ?? repo?.baseurls ?? [];
        path = await fetchBlob(
          { digest: { alg: 'sha256', hex: p.sha256 }, size: p.size, urls: packageUrls(p, bases), what: file, ...(check ? { check } : {}) },
          { http: opts.http, cache, ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.signal ? { signal: opts.signal } : {}) },
        );
      }
      result.set(p.sha256, path);
      opts.onVerified?.(p.sha256, path);
    } catch (err) {
      if (err instanceof FetchError && err.notFound) {
        vanished.push(p);
        return;
      }
      // Reading a cached package failed: a local problem, not the network's.
      if (!(err instanceof FexpodError) && errnoCode(err)) {
        failures.push(new CacheStoreError(`${p.location.split('/').pop()}: cannot read it in the cache ${opts.cacheDir}: ${errorMessage(err)}`, {
          cause: err,
          fix: `check ${opts.cacheDir} (permissions, disk); deleting the cache directory is always safe`,
        }));
        return;
      }
      failures.push(err instanceof Error ? err : new Error(String(err)));
    }
  });
  // The renames of the packages committed above, made durable at once (cache.ts: one fsync per batch).
  await cache.flush();
  const verifyErrors = failures.filter((e): e is PackageVerifyError => e instanceof PackageVerifyError);
  if (verifyErrors.length > 0) {
    throw new FexpodError(`${verifyErrors.length} package(s) failed verification (nothing of them was kept in the cache):\n  ${verifyErrors.map((e) => e.message).join('\n  ')}`, {
      fix: verifyErrors[0]!.fix ?? '',
      exitCode: 4,
      cause: verifyErrors[0],
    });
  }
  const local = failures.find((e) => e instanceof CacheStoreError);
  if (local) throw local;
  if (failures.length > 0) {
    const first = failures[0]!;
    throw new FexpodError(`${failures.length} package(s) could not be fetched:\n  ${failures.map((e) => e.message).join('\n  ')}`, {
      cause: first,
      // Network failures come as FetchErrors with their own fix; anything else unnamed is a bug.
      fix: first instanceof FexpodError ? (first.fix ?? 'rerun (downloads resume)') : 'an unexpected error: report it to fexpod with the package named above and this message',
    });
  }
  if (vanished.length > 0) throw new VanishedPackagesError(vanished);
  return result;
}
