/**
 * The real effects behind the steps, wired once for `fexpod lock` and
 * `fexpod build`: repositories over HTTP with the content-addressed cache,
 * libsolv through python3, repository keys (loaded only where a repository is
 * signed or packages are verified: openpgp is heavy and resolving does not
 * need it), download progress on stderr, the extraction cache and the tools
 * the outputs run (mkfs.erofs, mksquashfs, fakeroot).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from '../common/log.js';
import { processRunner } from '../common/process-runner.js';
import type { BuildDeps, PackageRepos } from './build-context.js';
import type { ImageDefinition } from './definition.js';
import { BlobCache } from './fetch/cache.js';
import { nodeHttpClient } from './fetch/http.js';
import { progressReporter, type ProgressMode } from './fetch/progress.js';
import { layerProgress } from './layer/layer-progress.js';
import { checkLocked, lockDefinition, type LockDeps } from './lock/lock-definition.js';
import { pythonSolverRunner } from './lock/solver.js';
import { extractCache, EXTRACT_VERSION } from './rpm/extract-cache.js';
import { ldSoCacheBytes } from './tree/ld-so-cache.js';

/** The version recorded in SBOMs and in the instant-rebuild key. */
export const TOOL_VERSION = '0.1.0';

export interface RepoOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cacheDir: string;
  readonly log: Logger;
  /** Download progress (bytes, files): a live line on a terminal, lines or JSON events otherwise. */
  readonly progress: { readonly stream: Writable; readonly mode: ProgressMode; readonly now: () => number };
}

export function nodePackageRepos(o: RepoOptions): PackageRepos {
  const http = nodeHttpClient();
  const cache = new BlobCache(o.cacheDir);
  const runSolver = pythonSolverRunner(o.env['FEXPOD_PYTHON'] ?? '/usr/bin/python3');
  const lockDeps = async (def: ImageDefinition): Promise<LockDeps> => ({
    http,
    cache,
    log: o.log,
    runSolver,
    // Keys only for repo_gpgcheck: openpgp is heavy and resolving does not need it otherwise.
    ...(def.repos.some((r) => r.repoGpgcheck) ? { keys: (await import('./fetch/keys.js')).nodeKeyDeps(http) } : {}),
  });
  return {
    cacheDir: o.cacheDir,
    lock: async (def) => {
      const { lock } = await lockDefinition(def, await lockDeps(def));
      await cache.flush(); // the metadata entries' renames, made durable at once
      return lock;
    },
    check: async (lockFile, lock, def, online) => checkLocked(lockFile, lock, def, online ? await lockDeps(def) : undefined),
    async fetch(lock, def, f) {
      const [{ fetchLocked }, { nodeKeyDeps }] = await Promise.all([import('./fetch/package-fetch.js'), import('./fetch/keys.js')]);
      // --repo overrides: a baseurl given for a repository is where its packages come from.
      const mirrors = new Map(def.repos.filter((r) => r.source.kind === 'baseurl').map((r) => [r.id, r.source.urls] as const));
      const totals = { files: lock.packages.length, bytes: lock.packages.reduce((n, p) => n + p.size, 0) };
      const progress = progressReporter(o.progress.stream, o.progress.mode, totals, o.progress.now);
      try {
        return await fetchLocked(lock, {
          cacheDir: o.cacheDir,
          offline: f.offline,
          concurrency: f.jobs,
          http,
          mirrors,
          keyDeps: nodeKeyDeps(http),
          onEvent: (e) => progress.event(e),
          log: o.log,
          ...(f.onVerified ? { onVerified: f.onVerified } : {}),
        });
      } finally {
        progress.finish();
      }
    },
  };
}

export interface NodeBuildOptions extends RepoOptions {
  readonly uid: number | undefined;
  /** A step starts (stderr). */
  readonly step: (step: string) => void;
  readonly push?: BuildDeps['push'];
  readonly load?: BuildDeps['load'];
}

export function nodeBuildDeps(o: NodeBuildOptions): BuildDeps {
  return {
    log: o.log,
    progress: o.step,
    repos: nodePackageRepos(o),
    extraction: extractCache(join(o.cacheDir, 'extract', `v${EXTRACT_VERSION}`)),
    ldSoCache: ldSoCacheBytes,
    runner: processRunner,
    privileged: o.uid === 0,
    pageSize: pageSize(),
    env: o.env,
    toolVersion: TOOL_VERSION,
    layerProgress: (total) => layerProgress(o.progress.stream, o.progress.mode, total, o.progress.now),
    ...(o.push ? { push: o.push } : {}),
    ...(o.load ? { load: o.load } : {}),
  };
}

function pageSize(): number {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096;
  } catch {
    return 4096;
  }
}
