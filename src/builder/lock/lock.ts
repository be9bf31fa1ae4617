/**
 * The lock file: what a definition resolved to, exactly. A JSON document with a schema version:
 * the definition digest, each repository with its repomd.xml digest and mirrors, and for each
 * package name, epoch, version, release, arch, sha256, size, location, repo and source RPM.
 * Deterministic (sorted, no timestamps): the same resolution gives the same bytes.
 */
import { z } from 'zod';
import { ConfigError, FexpodError } from '../../common/errors.js';
import type { ImageDefinition } from '../definition.js';
import { redactUrl, withTrailingSlash } from '../fetch/http.js';
import { formatNevra } from '../rpm/rpm-header.js';
import type { SyncedRepo } from '../repo/repo-sync.js';
import type { ExpandedGroup } from '../repo/groups.js';
import type { Resolution } from './solver.js';

export const LOCK_SCHEMA_VERSION = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const lockSchema = z.strictObject({
  schemaVersion: z.literal(LOCK_SCHEMA_VERSION),
  definition: z.strictObject({
    name: z.string(),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    release: z.string(),
    arches: z.array(z.string()).min(1),
    weakDeps: z.boolean(),
  }),
  repos: z.array(
    z.strictObject({
      id: z.string(),
      repomd: z.string().regex(/^sha256:[0-9a-f]{64}$/),
      baseurls: z.array(z.string()).min(1),
      gpgcheck: z.boolean(),
      gpgkeys: z.array(z.string()),
    }),
  ),
  packages: z.array(
    z.strictObject({
      name: z.string(),
      epoch: z.number().int().nonnegative(),
      version: z.string(),
      release: z.string(),
      arch: z.string(),
      sha256: hex64,
      size: z.number().int().nonnegative(),
      location: z.string(),
      repo: z.string(),
      sourcerpm: z.string().nullable(),
    }),
  ),
  /** `@group` entries of the definition: the comps groups each named and the packages they brought in. */
  groups: z
    .array(
      z.strictObject({
        spec: z.string(),
        groups: z.array(z.string()),
        packages: z.array(z.string()),
      }),
    )
    .optional(),
});
export type Lock = z.infer<typeof lockSchema>;
export type LockedPackage = Lock['packages'][number];

/** Builds the lock document (pure). */
export function buildLock(def: ImageDefinition, repos: readonly SyncedRepo[], res: Resolution, groups?: readonly ExpandedGroup[]): Lock {
  const packages = res.packages.map(({ repo, record: r }) => {
    if (r.checksum.type !== 'sha256') {
      throw new FexpodError(`${repo}: package ${r.name} has a ${r.checksum.type} checksum; a lock needs sha256`, {
        fix: 'use a repository generated with sha256 checksums (createrepo_c default)',
      });
    }
    return {
      name: r.name,
      epoch: r.epoch,
      version: r.version,
      release: r.release,
      arch: r.arch,
      sha256: r.checksum.value,
      size: r.size,
      location: r.locationBase ? new URL(r.location, withTrailingSlash(r.locationBase)).toString() : r.location,
      repo,
      sourcerpm: r.sourcerpm ?? null,
    };
  });
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0));
  return {
    schemaVersion: LOCK_SCHEMA_VERSION,
    definition: { name: def.name, digest: def.digest, release: def.release, arches: [...def.arches], weakDeps: def.weakDeps },
    repos: repos.map((r) => {
        const d = def.repos.find((x) => x.id === r.id);
        return {
          id: r.id,
          repomd: `sha256:${r.repomdSha256}`,
          baseurls: r.baseUrls.map(redactUrl),
          gpgcheck: d?.gpgcheck ?? true,
          gpgkeys: [...(d?.gpgkeys ?? [])],
        };
      }),
    packages,
    // Which group gave which package: the names a group asked for that are in the lock.
    ...(groups && groups.length > 0
      ? { groups: groups.map((g) => ({ spec: g.spec, groups: [...g.groups], packages: g.packages.filter((n) => packages.some((p) => p.name === n)) })) }
      : {}),
  };
}

export function serializeLock(lock: Lock): string {
  return JSON.stringify(lock, null, 2) + '\n';
}

export function parseLock(file: string, text: string): Lock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', 'not valid JSON', 'regenerate it with fexpod lock', err);
  }
  if (typeof raw === 'object' && raw !== null && 'schemaVersion' in raw && raw.schemaVersion !== LOCK_SCHEMA_VERSION) {
    throw new ConfigError(file, 'schemaVersion', `unsupported lock schema version ${String(raw.schemaVersion)} (this fexpod reads ${LOCK_SCHEMA_VERSION})`, 'regenerate it with this fexpod: fexpod lock DEF.toml');
  }
  const parsed = lockSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(file, i ? i.path.map(String).join('.') : '', i?.message ?? 'invalid', 'regenerate it with fexpod lock DEF.toml', parsed.error);
  }
  for (const p of parsed.data.packages) {
    if (!parsed.data.repos.some((r) => r.id === p.repo)) {
      throw new ConfigError(file, 'packages', `${formatNevra(p)} names unknown repository ${p.repo}`, 'regenerate it with fexpod lock DEF.toml');
    }
  }
  return parsed.data;
}

/** --locked: the lock must belong to this definition as it is now. */
export function checkLockMatches(lockFile: string, lock: Lock, def: ImageDefinition): void {
  if (lock.definition.digest !== def.digest) {
    throw new FexpodError(
      `${lockFile} was made for a different version of ${def.file} (definition digest ${lock.definition.digest.slice(0, 19)}…, now ${def.digest.slice(0, 19)}…); --locked refuses to re-resolve`,
      { fix: `run "fexpod lock ${def.file}" to update the lock, then commit it`, exitCode: 3 },
    );
  }
}

/** Where a locked package can be downloaded: its absolute location, or its location under each base URL. */
export function packageUrls(p: LockedPackage, baseUrls: readonly string[]): string[] {
  if (/^[a-z]+:\/\//.test(p.location)) return [p.location];
  return baseUrls.map((b) => withTrailingSlash(b) + p.location);
}

/** Locked packages that no longer appear in the repositories' current metadata (pure). */
export function vanishedPackages(lock: Lock, repos: readonly SyncedRepo[]): LockedPackage[] {
  const present = new Map<string, Set<string>>();
  for (const r of repos) present.set(r.id, new Set(r.packages.map((p) => p.checksum.value)));
  return lock.packages.filter((p) => !(present.get(p.repo)?.has(p.sha256) ?? false));
}

export class VanishedPackagesError extends FexpodError {
  constructor(readonly packages: readonly LockedPackage[]) {
    super(
      `${packages.length} locked package${packages.length === 1 ? ' has' : 's have'} vanished from the mirrors: ${packages.map(formatNevra).join(', ')}`,
      { fix: 'the repository moved on: run "fexpod lock DEF.toml" to re-resolve (or point --repo at a mirror/snapshot that still has them)', exitCode: 3 },
    );
  }
}
