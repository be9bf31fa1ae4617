/**
 * Step "fetch": every package of the lock downloaded into the content-addressed
 * cache and verified there — sha256 and size, header digest, OpenPGP signature,
 * payload digest (fetch/, rpm/verify.ts). A package is never handed on before
 * it is verified.
 *
 * The step does not wait for the downloads: it hands on one promise per locked
 * package, settled as soon as that package is verified, so that extraction
 * runs while later packages are still on their way; `fetched` settles when all
 * of them are there, or with the fetch's error (which then also rejects every
 * package not yet handed on).
 */
import { FexpodError, inContext } from '../../common/errors.js';
import type { PackagesContext } from '../build-context.js';
import type { Resolved } from './resolve.js';

export interface Fetching {
  /** The cache path of each locked package, in lock order, each settled once that package is verified. */
  readonly rpms: readonly Promise<string>[];
  /** Every path, in lock order, once all are verified. */
  readonly fetched: Promise<readonly string[]>;
}

export function fetch<C extends PackagesContext & Resolved>(ctx: C): C & Fetching {
  const { definition: def, options: o, deps, lock } = ctx;
  deps.progress?.(`fetch ${lock.packages.length} packages`);
  const ready = lock.packages.map(() => deferred<string>());
  const onVerified = (sha256: string, path: string): void => {
    lock.packages.forEach((p, i) => {
      if (p.sha256 === sha256) ready[i]?.resolve(path);
    });
  };
  const fetched = (async () => {
    try {
      return await inContext(`fetching the packages of ${def.name}`, async () => {
        const paths = await deps.repos.fetch(lock, def, { offline: o.offline, jobs: o.jobs, onVerified });
        return lock.packages.map((p, i) => {
          const path = paths.get(p.sha256);
          if (!path) throw new FexpodError(`internal: ${p.name} was not fetched`);
          ready[i]?.resolve(path);
          return path;
        });
      });
    } catch (err) {
      for (const r of ready) r.reject(err);
      throw err;
    }
  })();
  fetched.catch(() => {}); // whoever awaits it gets the error; nobody may be waiting yet
  return { ...ctx, rpms: ready.map((r) => r.promise), fetched };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (err: unknown) => void } {
  let resolve: (v: T) => void = () => {};
  let reject: (err: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a fetch failure is reported through `fetched`
  return { promise, resolve, reject };
}
