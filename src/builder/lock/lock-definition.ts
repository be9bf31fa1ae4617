/**
 * Resolution as a library call (the resolve step's work when libsolv runs):
 *   definition → sync every repository (in parallel) → libsolv → lock document,
 * and the --locked check of an existing lock against the repositories.
 */
import type { Logger } from '../../common/log.js';
import type { BlobCache } from '../fetch/cache.js';
import type { ImageDefinition } from '../definition.js';
import type { BlobEvent } from '../fetch/fetch-blob.js';
import type { HttpClient } from '../fetch/http.js';
import { isGroupSpec } from '../repo/groups.js';
import type { KeyDeps } from '../fetch/keys.js';
import { expandDefinitionGroups } from '../repo/repo-comps.js';
import { buildLock, checkLockMatches, vanishedPackages, VanishedPackagesError, type Lock } from './lock.js';
import { checkLockContent } from './lock-check.js';
import { interpretSolverOutput, runResolver, type Resolution, type SolverRunner } from './solver.js';
import { parseRepoPackages, syncRepoMetadata, type RepoMetadata, type SyncedRepo } from '../repo/repo-sync.js';

export interface LockDeps {
  readonly http: HttpClient;
  readonly cache: BlobCache;
  readonly log: Logger;
  readonly runSolver: SolverRunner;
  readonly onEvent?: (e: BlobEvent) => void;
  readonly signal?: AbortSignal;
  /** Where repository keys come from (needed for repositories with repo_gpgcheck). */
  readonly keys?: KeyDeps;
}

export async function syncRepos(def: ImageDefinition, deps: LockDeps): Promise<SyncedRepo[]> {
  return Promise.all((await syncMetadata(def, deps, false)).map(parseRepoPackages));
}

/** `groups`: also fetch the group (comps) metadata, for `@group` entries. */
async function syncMetadata(def: ImageDefinition, deps: LockDeps, groups: boolean): Promise<RepoMetadata[]> {
  return Promise.all(
    def.repos.map((r) =>
      syncRepoMetadata(r, {
        http: deps.http,
        cache: deps.cache,
        log: deps.log,
        groups,
        ...(deps.keys ? { keys: deps.keys } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
      }),
    ),
  );
}

export async function lockDefinition(def: ImageDefinition, deps: LockDeps): Promise<{ lock: Lock; repos: SyncedRepo[]; resolution: Resolution }> {
  const metadata = await syncMetadata(def, deps, def.packages.some(isGroupSpec));
  const groups = await expandDefinitionGroups(def, metadata);
  // libsolv reads the metadata files itself: parse our copy (validation, lock fields) meanwhile.
  const [parsed, solved] = await Promise.allSettled([Promise.all(metadata.map(parseRepoPackages)), runResolver(def, metadata, { runSolver: deps.runSolver }, groups)]);
  // Broken metadata explains a solver failure better than the solver does.
  if (parsed.status === 'rejected') throw parsed.reason;
  if (solved.status === 'rejected') throw solved.reason;
  const repos = parsed.value;
  const answer = solved.value;
  for (const r of repos) deps.log.debug(`repo ${r.id}: ${r.packages.length} packages, repomd sha256 ${r.repomdSha256}`);
  const resolution = interpretSolverOutput(answer, repos);
  for (const w of resolution.warnings) deps.log.warn(w);
  return { lock: buildLock(def, repos, resolution, groups?.groups), repos, resolution };
}

/**
 * --locked: never re-resolve. The lock must match the definition (its digest, and each line:
 * lock-check.ts); with the network, the repositories are checked for packages that have
 * vanished since (named in the error).
 */
export async function checkLocked(lockFile: string, lock: Lock, def: ImageDefinition, deps: LockDeps | undefined): Promise<void> {
  checkLockMatches(lockFile, lock, def);
  checkLockContent(lockFile, lock, def);
  if (!deps) return;
  const repos = await syncRepos(def, deps);
  const gone = vanishedPackages(lock, repos);
  if (gone.length > 0) throw new VanishedPackagesError(gone);
}
