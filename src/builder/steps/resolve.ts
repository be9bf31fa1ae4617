/**
 * Where `fexpod build` gets its packages: the lock and the verified package
 * cache of the repository code (lock.ts, lock-definition.ts, fetch.ts), and
 * the ld.so.cache generator of the RPM code. Only adapts them to BuildDeps.
 *
 * Lock policy (as cargo/npm): an existing lock that matches the definition
 * is used as is (no metadata download); otherwise the definition is resolved
 * and the lock (re)written. With --locked the lock must exist and match, and
 * the repositories are checked for vanished packages; nothing is rewritten.
 * A lock whose digest matches but whose lines a resolution could not have
 * written (lock-check.ts) is refused, never used nor silently rewritten.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FexpodError, errnoCode } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { ImageDefinition } from '../definition.js';
import type { LockedRpm, ResolvedSet } from '../build.js';
import type { TreeEntry } from '../tree/tree.js';
import { BlobCache, defaultCacheDir } from '../fetch/cache.js';
import { atomicOutput } from '../../common/atomic-output.js';
import { nodeHttpClient } from '../fetch/http.js';
import { nodeKeyDeps } from '../fetch/keys.js';
import { checkLockMatches, parseLock, serializeLock, type Lock } from '../lock/lock.js';
import { checkLockContent } from '../lock/lock-check.js';
import { checkLocked, lockDefinition, type LockDeps } from '../lock/lock-definition.js';
import { fetchLocked, packageUrls } from '../fetch/package-fetch.js';
import { pythonSolverRunner } from '../lock/solver.js';
import { ldSoCacheBytes } from '../tree/ld-so-cache.js';
import { progressReporter, type ProgressMode } from '../fetch/progress.js';
import type { Writable } from 'node:stream';

export interface PackageSourceOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number | undefined;
  /** The definition the user named (an overlay's base uses its own default lock path). */
  readonly definitionFile: string;
  readonly lockFile?: string;
  readonly locked: boolean;
  readonly cacheDir?: string;
  readonly log: Logger;
  readonly jobs?: number;
  /** Download progress (bytes, files) on this stream: a live line on a terminal, lines or JSON events otherwise. */
  readonly progress?: { readonly stream: Writable; readonly mode: ProgressMode; readonly now: () => number };
}

export interface PackageSource {
  resolve(def: ImageDefinition): Promise<ResolvedSet>;
  fetch(def: ImageDefinition, set: ResolvedSet, onReady?: (index: number, path: string) => void): Promise<readonly string[]>;
  readonly ldSoCache: (entries: readonly TreeEntry[], def: ImageDefinition) => Promise<Uint8Array>;
}

/** DEF.lock.json next to DEF.toml (the same default as `fexpod lock`). */
export function defaultLockPath(defFile: string): string {
  return join(dirname(defFile), `${basename(defFile).replace(/\.toml$/, '')}.lock.json`);
}

function lockedRpms(lock: Lock): LockedRpm[] {
  const bases = new Map(lock.repos.map((r) => [r.id, r.baseurls] as const));
  return lock.packages.map((p) => {
    const url = packageUrls(p, bases.get(p.repo) ?? [])[0];
    return { name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, sha256: p.sha256, ...(url ? { url } : {}) };
  });
}

async function readLockIfAny(path: string): Promise<Lock | undefined> {
  try {
    return parseLock(path, await readFile(path, 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

export function packageSource(opts: PackageSourceOptions): PackageSource {
  const http = nodeHttpClient();
  const cacheDir = opts.cacheDir ?? defaultCacheDir(opts.env, opts.uid);
  const deps: LockDeps = {
    http,
    cache: new BlobCache(cacheDir),
    log: opts.log,
    runSolver: pythonSolverRunner(opts.env['FEXPOD_PYTHON'] ?? '/usr/bin/python3'),
    keys: nodeKeyDeps(http),
  };
  const locks = new WeakMap<ResolvedSet, Lock>();

  return {
    async resolve(def) {
      const lockFile = def.file === opts.definitionFile && opts.lockFile ? opts.lockFile : defaultLockPath(def.file);
      const existing = await readLockIfAny(lockFile);
      let lock: Lock;
      if (opts.locked) {
        if (!existing) {
          throw new FexpodError(`--locked: there is no lock file ${lockFile}`, { fix: `run "fexpod lock ${def.file}" and commit the lock`, exitCode: 3 });
        }
        await checkLocked(lockFile, existing, def, deps);
        lock = existing;
      } else if (existing && matches(lockFile, existing, def)) {
        // The digest says this lock is for this definition; its lines must say so too.
        checkLockContent(lockFile, existing, def);
        opts.log.info(`using ${lockFile} (${existing.packages.length} packages)`);
        lock = existing;
      } else {
        opts.log.info(`resolving ${def.name} (${existing ? 'the lock is stale' : 'no lock yet'})`);
        lock = (await lockDefinition(def, deps)).lock;
        await atomicOutput(lockFile, (tmp) => writeFile(tmp, serializeLock(lock), { mode: 0o644 }));
        opts.log.info(`wrote ${lockFile}`);
      }
      const set: ResolvedSet = { packages: lockedRpms(lock), lockFile };
      locks.set(set, lock);
      return set;
    },

    async fetch(def, set, onReady) {
      const lock = locks.get(set);
      if (!lock) throw new FexpodError('internal: fetch without a resolved lock');
      const mirrors = new Map(def.repos.filter((r) => r.source.kind === 'baseurl').map((r) => [r.id, r.source.urls] as const));
      const progress = opts.progress
        ? progressReporter(opts.progress.stream, opts.progress.mode, { files: lock.packages.length, bytes: lock.packages.reduce((n, p) => n + p.size, 0) }, opts.progress.now)
        : undefined;
      let paths: Map<string, string>;
      try {
        paths = await fetchLocked(lock, {
          cacheDir,
          http,
          mirrors,
          concurrency: opts.jobs ?? 4,
          log: opts.log,
          keyDeps: nodeKeyDeps(http),
          ...(progress ? { onEvent: (e) => progress.event(e) } : {}),
          ...(onReady
            ? {
                onVerified: (sha256: string, path: string) => {
                  lock.packages.forEach((p, i) => {
                    if (p.sha256 === sha256) onReady(i, path);
                  });
                },
              }
            : {}),
        });
      } finally {
        progress?.finish();
      }
      return lock.packages.map((p) => {
        const path = paths.get(p.sha256);
        if (!path) throw new FexpodError(`internal: ${p.name} was not fetched`);
        return path;
      });
    },

    ldSoCache: (entries) => ldSoCacheBytes(entries),
  };
}

function matches(lockFile: string, lock: Lock, def: ImageDefinition): boolean {
  try {
    checkLockMatches(lockFile, lock, def);
    return true;
  } catch {
    return false;
  }
}
