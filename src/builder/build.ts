/**
 * `fexpod build`, top to bottom (like apko's build): a straight list of named
 * steps over one definition.
 *
 *   resolve  → the locked package set (a lock file, or a fresh resolution)
 *   fetch    → every .rpm verified in the local cache
 *   extract  → scriptless install into one Tree
 *   profile  → rootfs / sysroot / overlay transform
 *   outputs  → layer tar → OCI layout, oci-archive, EroFS, SquashFS, dir, SBOM
 *
 * Resolution and fetching belong to the repository code (lock.ts / fetch), the
 * install to the RPM code; they come in through BuildDeps so this file only
 * orders the steps and carries the values between them.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import { Arch } from '../common/arch.js';
import { FexpodError, inContext } from '../common/errors.js';
import type { ImageDefinition } from './definition.js';
import type { TreeEntry } from './tree/tree.js';
import { RpmTag } from './rpm/rpm-header.js';
import type { ExtractedRpm } from './rpm/rpm-extract.js';
import { applyProfile } from './profile/profile.js';
import { defaultOutputNames, writeOutputs, type OutputKind, type OutputsDeps, type OutputsResult } from './steps/outputs.js';
import type { SbomPackage } from './outputs/sbom.js';
import { sha256File } from '../common/hash.js';
import type { LayerCompression } from './layer/layer-compression.js';
import type { ReuseKeyInput } from './steps/reuse.js';

/** One package of a lock, as the build needs it. */
export interface LockedRpm {
  readonly name: string;
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  /** sha256 hex of the .rpm file. */
  readonly sha256: string;
  /** Where it is downloaded from (for the SBOM). */
  readonly url?: string;
}

export interface ResolvedSet {
  readonly packages: readonly LockedRpm[];
  /** The lock file used or written, if any. */
  readonly lockFile?: string;
}

export interface InstalledSet {
  readonly entries: readonly TreeEntry[];
  readonly packages: readonly ExtractedRpm[];
}

export interface BuildDeps extends OutputsDeps {
  readonly loadDefinition: (file: string) => Promise<ImageDefinition>;
  /** resolve: the lock for a definition (read, checked or freshly resolved). */
  readonly resolve: (def: ImageDefinition) => Promise<ResolvedSet>;
  /**
   * fetch: local paths of the verified .rpm files, in lock order; onReady (optional) is
   * told of each one as soon as it is verified, so extraction overlaps the downloads.
   */
  readonly fetch: (def: ImageDefinition, set: ResolvedSet, onReady?: (index: number, path: string) => void) => Promise<readonly string[]>;
  /** extract: scriptless install of the files into one tree (paths may still be on their way; sha256s: the lock's, per file). */
  readonly install: (rpmFiles: readonly (string | Promise<string>)[], def: ImageDefinition, sourceDateEpoch: number, sha256s?: readonly string[]) => Promise<InstalledSet>;
  /** Instant rebuilds: reuse verified outputs of an identical earlier build (absent: always build). */
  readonly reuse?: {
    key(input: Omit<ReuseKeyInput, 'toolVersion' | 'privileged' | 'pageSize'>, definitionFiles: readonly string[]): Promise<string>;
    check(outDir: string, name: string, key: string): Promise<BuildResult | undefined>;
    save(outDir: string, name: string, key: string, result: BuildResult): Promise<void>;
  };
  /** Builds etc/ld.so.cache for a tree; absent: no cache is generated (and the build says so). */
  readonly ldSoCache?: (entries: readonly TreeEntry[], def: ImageDefinition) => Uint8Array | Promise<Uint8Array>;
  readonly toolVersion: string;
}

export interface BuildRequest {
  readonly definitionFile: string;
  readonly outDir: string;
  /** Overrides the definition's output formats. */
  readonly formats?: readonly OutputKind[];
  /** SOURCE_DATE_EPOCH; default: the newest BUILDTIME among the installed packages. */
  readonly sourceDateEpoch?: number;
  /** The OCI layer's compression and level (default: the definition's [outputs.layer], else gzip at its default level). */
  readonly layer?: { readonly compression?: LayerCompression; readonly level?: number };
}

export interface BuildResult extends OutputsResult {
  readonly name: string;
  readonly arch: string;
  readonly sourceDateEpoch: number;
  readonly packages: number;
  readonly entries: number;
  readonly lockFile?: string;
  readonly notes: readonly string[];
  /** True when the outputs of an identical earlier build were verified and reused. */
  readonly reused?: boolean;
}

/** The newest package build time: a SOURCE_DATE_EPOCH that depends only on the lock. */
export function packagesEpoch(pkgs: readonly ExtractedRpm[]): number {
  let max = 0;
  for (const p of pkgs) max = Math.max(max, p.header.number(RpmTag.BUILDTIME) ?? 0);
  return max;
}

async function sbomPackages(installed: InstalledSet, files: readonly string[], set: ResolvedSet): Promise<SbomPackage[]> {
  const out: SbomPackage[] = [];
  for (const [i, p] of installed.packages.entries()) {
    const h = p.header;
    const locked = set.packages.find((l) => l.name === p.name && l.arch === p.arch);
    const file = files[i];
    const license = h.string(RpmTag.LICENSE);
    const vendor = h.string(RpmTag.VENDOR);
    const sourceRpm = h.string(RpmTag.SOURCERPM);
    const url = locked?.url;
    out.push({
      name: p.name,
      epoch: h.number(RpmTag.EPOCH) ?? 0,
      version: h.string(RpmTag.VERSION) ?? '',
      release: h.string(RpmTag.RELEASE) ?? '',
      arch: p.arch,
      sha256: locked?.sha256 ?? (file ? await sha256File(file) : ''),
      ...(url ? { location: url } : {}),
      ...(license ? { license } : {}),
      ...(vendor ? { vendor } : {}),
      ...(sourceRpm ? { sourceRpm } : {}),
    });
  }
  return out;
}

/** resolve: the locked set of a definition. */
async function resolveDefinition(def: ImageDefinition, deps: BuildDeps): Promise<ResolvedSet> {
  deps.progress?.(`resolve ${def.name}`);
  return inContext(`resolving ${def.file}`, () => deps.resolve(def));
}

/** fetch → extract, for one resolved definition. */
async function installDefinition(def: ImageDefinition, deps: BuildDeps, epoch: number | undefined, set: ResolvedSet) {
  deps.progress?.(`fetch ${set.packages.length} packages`);
  // Each package is extracted as soon as it is downloaded and verified (never before):
  // one promise per lock entry, settled by fetch's onReady or, at the latest, by its result.
  const ready = set.packages.map(() => {
    let resolve: (path: string) => void = () => {};
    let reject: (err: unknown) => void = () => {};
    const promise = new Promise<string>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {}); // a fetch failure is reported as such, below
    return { promise, resolve, reject };
  });
  const fetching = inContext(`fetching the packages of ${def.name}`, () => deps.fetch(def, set, (i, path) => ready[i]?.resolve(path)));
  // Implicit directories get the epoch; before it is known, a fixed 0 (clamped later anyway).
  const installing = inContext(`installing the packages of ${def.name}`, () =>
    deps.install(ready.map((r) => r.promise), def, epoch ?? 0, set.packages.map((p) => p.sha256)),
  );
  installing.catch(() => {}); // awaited below, after the fetch
  let files: readonly string[];
  try {
    files = await fetching;
  } catch (err) {
    for (const r of ready) r.reject(err);
    await installing.catch(() => {});
    throw err;
  }
  files.forEach((f, i) => ready[i]?.resolve(f));
  deps.progress?.(`extract ${files.length} packages`);
  const installed = await installing;
  return { set, files, installed };
}

export async function build(req: BuildRequest, deps: BuildDeps): Promise<BuildResult> {
  const def = await inContext('reading the definition', () => deps.loadDefinition(req.definitionFile));
  const arch = Arch.parse(def.basearch);
  // The definition arrives checked and normalized (definition.ts): profile and output options included.
  const profile = def.profile;
  const formats = req.formats ?? def.outputs.formats;
  const notes: string[] = [];

  // resolve (both sets of an overlay first: the reuse check needs them)
  let base: readonly TreeEntry[] | undefined;
  let packagesDef = def;
  let baseDef: ImageDefinition | undefined;
  let baseSet: ResolvedSet | undefined;
  if (profile.kind === 'overlay') {
    if (!def.base) throw new FexpodError(`${def.file}: an overlay needs base = "…"`, { fix: 'set base to the base definition file' });
    baseDef = await inContext('reading the base definition', () => deps.loadDefinition(resolvePath(dirname(def.file), def.base ?? '')));
    baseSet = await resolveDefinition(baseDef, deps);
    // The overlay's tree is the base packages and its own, installed together.
    packagesDef = { ...def, packages: [...new Set([...baseDef.packages, ...def.packages])], repos: def.repos };
  }
  const set = await resolveDefinition(packagesDef, deps);
  const opts = def.outputs.options;
  const level = req.layer?.level ?? opts.layer?.level;
  const layer = { compression: req.layer?.compression ?? opts.layer?.compression ?? 'gzip', ...(level !== undefined ? { level } : {}) };
  const reuseKey = deps.reuse && !formats.includes('dir')
    ? await deps.reuse.key(
        {
          definitions: [],
          packages: [...(baseSet?.packages ?? []), ...set.packages].map((p) => p.sha256),
          formats: [...formats],
          sourceDateEpoch: req.sourceDateEpoch ?? 'packages',
          layer,
        },
        [def.file, ...(baseDef ? [baseDef.file] : [])],
      )
    : undefined;
  if (deps.reuse && reuseKey) {
    const hit = await deps.reuse.check(req.outDir, def.name, reuseKey);
    if (hit) {
      deps.progress?.('outputs unchanged (verified): reused');
      return { ...hit, reused: true };
    }
  }

  // fetch, extract
  if (baseDef && baseSet) {
    const b = await installDefinition(baseDef, deps, req.sourceDateEpoch, baseSet);
    const bEpoch = req.sourceDateEpoch ?? packagesEpoch(b.installed.packages);
    const bProfile = baseDef.profile;
    deps.progress?.(`profile ${bProfile.kind} (base ${baseDef.name})`);
    base = (await applyProfile(b.installed.entries, bProfile, profileCtx(deps, baseDef, bEpoch))).entries;
  }
  const { files, installed } = await installDefinition(packagesDef, deps, req.sourceDateEpoch, set);
  const sourceDateEpoch = req.sourceDateEpoch ?? packagesEpoch(installed.packages);

  // profile
  deps.progress?.(`profile ${profile.kind}`);
  const shaped = await inContext(`applying the ${profile.kind} profile`, () =>
    applyProfile(installed.entries, profile, { ...profileCtx(deps, def, sourceDateEpoch), ...(base ? { base } : {}) }),
  );
  notes.push(...shaped.notes);
  for (const n of shaped.notes) deps.log.info(`  ${n}`);

  // outputs (layer → OCI, EroFS, SquashFS, dir, SBOM)
  const tag = opts.tag ?? def.release;
  const sbom = formats.includes('sbom')
    ? { imageName: def.name, distro: { id: 'fedora', release: def.release }, packages: await sbomPackages(installed, files, set), toolVersion: deps.toolVersion }
    : undefined;
  const result = await writeOutputs(
    {
      entries: shaped.entries,
      formats,
      outDir: req.outDir,
      names: defaultOutputNames(def.name, opts.erofs_name),
      arch,
      sourceDateEpoch,
      image: {
        refName: `${def.name}:${tag}`,
        createdBy: `fexpod build ${def.name} (${profile.kind})`,
        ...(opts.cmd ? { cmd: opts.cmd } : {}),
        ...(opts.env ? { env: opts.env } : {}),
        ...(opts.entrypoint ? { entrypoint: opts.entrypoint } : {}),
        ...(opts.working_dir ? { workingDir: opts.working_dir } : {}),
        ...(opts.labels ? { labels: opts.labels } : {}),
        annotations: {
          'org.opencontainers.image.title': def.name,
          'org.opencontainers.image.version': tag,
          'io.fexpod.profile': profile.kind,
          'io.fexpod.definition-digest': def.digest,
        },
      },
      ...(sbom ? { sbom } : {}),
      ...(profile.kind === 'rootfs'
        ? {
            fexIndex: {
              title: opts.fex_index?.title ?? `${def.name} ${def.release}`,
              distroMatch: opts.fex_index?.distro_match ?? 'fedora',
              distroVersion: def.release,
              ...(opts.fex_index?.base_url ? { baseUrl: opts.fex_index.base_url } : {}),
            },
          }
        : {}),
      ...(opts.erofs ? { erofs: { ...(opts.erofs.block_size ? { blockSize: opts.erofs.block_size } : {}), ...(opts.erofs.compression ? { compression: opts.erofs.compression } : {}) } } : {}),
      layer,
      ...(opts.squashfs ? { squashfs: { ...(opts.squashfs.block_size ? { blockSize: opts.squashfs.block_size } : {}), ...(opts.squashfs.compression ? { compression: opts.squashfs.compression } : {}) } } : {}),
    },
    deps,
  );
  const built: BuildResult = {
    ...result,
    name: def.name,
    arch: arch.name,
    sourceDateEpoch,
    packages: installed.packages.length,
    entries: shaped.entries.length,
    ...(set.lockFile ? { lockFile: set.lockFile } : {}),
    notes,
  };
  if (deps.reuse && reuseKey) await deps.reuse.save(req.outDir, def.name, reuseKey, built);
  return built;
}

function profileCtx(deps: BuildDeps, def: ImageDefinition, sourceDateEpoch: number) {
  const gen = deps.ldSoCache;
  return { sourceDateEpoch, ...(gen ? { ldSoCache: (es: readonly TreeEntry[]) => gen(es, def) } : {}) };
}
