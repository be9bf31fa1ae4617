/**
 * The build context: what every step takes and hands on (apko's build.Context).
 * It carries the definition, the options the command was given and the effects
 * (deps); each step returns it with what the step added, so a step's inputs
 * travel with it and nothing is kept on the side:
 *
 *   BuildContext ─resolve→ +lock ─fetch→ +packages on their way ─extract→ +tree
 *     ─profile→ +shaped tree ─layer→ +layer blob ─outputs→ +result ─publish→ +pushed
 *
 * `fexpod lock` runs resolve (and, with --fetch, fetch) on a PackagesContext;
 * `fexpod build` runs every step on a BuildContext, and an overlay's base runs
 * resolve → profile as a context of its own (`base`).
 */
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { FexpodError, inContext } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { ImageDefinition } from './definition.js';
import type { LayerCompression } from './layer/layer-compression.js';
import type { Lock } from './lock/lock.js';
import type { OutputKind, OutputsDeps } from './outputs/output-plan.js';
import type { LoadResult } from '../engine/image-load.js';
import type { PublishResult } from '../publish/publish.js';
import type { ExtractCache } from './rpm/extract-cache.js';
import type { BuildResult } from './steps/outputs.js';
import type { TreeEntry } from './tree/tree.js';

/**
 * When resolve runs libsolv: 'when-stale' re-resolves only when the lock does not match the
 * definition (fexpod build), 'always' re-resolves (fexpod lock), 'never' checks the lock and
 * the repositories instead (--locked).
 */
export type ResolvePolicy = 'when-stale' | 'always' | 'never';

export interface PackageOptions {
  /** The lock file to read and (re)write. */
  readonly lockFile: string;
  readonly resolve: ResolvePolicy;
  /** The package cache only, no network (fexpod lock --locked --fetch --offline). */
  readonly offline: boolean;
  /** Parallel downloads. */
  readonly jobs: number;
}

/** Repository metadata, libsolv and the verified package cache (build-deps.ts wires the real ones). */
export interface PackageRepos {
  readonly cacheDir: string;
  /** Resolves a definition into a lock. */
  lock(def: ImageDefinition): Promise<Lock>;
  /** --locked: the lock must match the definition; online, no locked package may have vanished. */
  check(lockFile: string, lock: Lock, def: ImageDefinition, online: boolean): Promise<void>;
  /** Downloads and verifies every locked package; its path in the cache by sha256. onVerified hears of each one as it is ready. */
  fetch(lock: Lock, def: ImageDefinition, opts: { readonly offline: boolean; readonly jobs: number; readonly onVerified?: (sha256: string, path: string) => void }): Promise<ReadonlyMap<string, string>>;
}

export interface PackageDeps {
  readonly log: Logger;
  /** A step starts ("resolve demo", "fetch 5 packages"): progress on stderr. */
  readonly progress?: (step: string) => void;
  readonly repos: PackageRepos;
}

export interface PackagesContext {
  readonly definition: ImageDefinition;
  readonly options: PackageOptions;
  readonly deps: PackageDeps;
}

export interface BuildOptions extends PackageOptions {
  readonly outDir: string;
  readonly formats: readonly OutputKind[];
  /** SOURCE_DATE_EPOCH; default: the newest BUILDTIME among the installed packages. */
  readonly sourceDateEpoch?: number;
  readonly layer: { readonly compression: LayerCompression; readonly level?: number };
  /** Reuse the verified outputs of an identical earlier build (off with --rebuild). */
  readonly reuse: boolean;
}

export interface BuildDeps extends PackageDeps, OutputsDeps {
  /** Extracts one verified package (the extraction cache: a package is decompressed once). */
  readonly extraction: ExtractCache;
  /** Builds etc/ld.so.cache for a tree; absent: no cache is generated (and the build says so). */
  readonly ldSoCache?: (entries: readonly TreeEntry[]) => Uint8Array | Promise<Uint8Array>;
  readonly toolVersion: string;
  /** Publishes the outputs (--push REF); absent: nothing is pushed. */
  readonly push?: (built: BuildResult, profile: string) => Promise<readonly PublishResult[]>;
  /** Loads the OCI layout into the local engine (--load); absent: nothing is loaded. */
  readonly load?: (built: BuildResult) => Promise<LoadResult>;
}

export interface BuildContext extends PackagesContext {
  readonly options: BuildOptions;
  readonly deps: BuildDeps;
  /** Overlay: the base definition's context (its own lock; resolve → profile). */
  readonly base?: BuildContext;
  /** This is an overlay's base (its progress lines say so). */
  readonly isBase?: boolean;
}

function withOciLayout(formats: readonly OutputKind[], needed: boolean): readonly OutputKind[] {
  return needed && !formats.includes('oci') ? [...formats, 'oci'] : formats;
}

/** DEF.lock.json next to DEF.toml: the default of both `fexpod lock` and `fexpod build`. */
export function defaultLockPath(defFile: string): string {
  return join(dirname(defFile), `${basename(defFile).replace(/\.toml$/, '')}.lock.json`);
}

export interface BuildRequest {
  readonly definitionFile: string;
  readonly outDir: string;
  /** Default: DEF.lock.json next to the definition (an overlay's base always uses its own default). */
  readonly lockFile?: string;
  readonly locked?: boolean;
  /** Overrides the definition's output formats. */
  readonly formats?: readonly OutputKind[];
  readonly sourceDateEpoch?: number;
  /** The OCI layer's compression and level (default: the definition's [outputs.layer], else gzip at its default level). */
  readonly layer?: { readonly compression?: LayerCompression; readonly level?: number };
  /** --rebuild: never reuse an earlier build's outputs. */
  readonly rebuild?: boolean;
  /** The load step reads an OCI layout: write one whatever the formats (--load). */
  readonly ociLayout?: boolean;
  readonly jobs?: number;
}

/**
 * Reads the definition (and an overlay's base) and fills every option in from the request and
 * the definition. An overlay's packages are the base's and its own, installed together.
 */
export async function buildContext(req: BuildRequest, load: (file: string) => Promise<ImageDefinition>, deps: BuildDeps): Promise<BuildContext> {
  const def = await inContext('reading the definition', () => load(req.definitionFile));
  const opts = def.outputs.options;
  const level = req.layer?.level ?? opts.layer?.level;
  const options: BuildOptions = {
    lockFile: req.lockFile ?? defaultLockPath(def.file),
    resolve: req.locked ? 'never' : 'when-stale',
    offline: false,
    jobs: req.jobs ?? 4,
    outDir: req.outDir,
    formats: withOciLayout(req.formats ?? def.outputs.formats, req.ociLayout ?? false),
    ...(req.sourceDateEpoch !== undefined ? { sourceDateEpoch: req.sourceDateEpoch } : {}),
    layer: { compression: req.layer?.compression ?? opts.layer?.compression ?? 'gzip', ...(level !== undefined ? { level } : {}) },
    reuse: !req.rebuild,
  };
  if (def.profile.kind !== 'overlay') return { definition: def, options, deps };
  if (!def.base) throw new FexpodError(`${def.file}: an overlay needs base = "…"`, { fix: 'set base to the base definition file' });
  const baseDef = await inContext('reading the base definition', () => load(resolvePath(dirname(def.file), def.base ?? '')));
  return {
    definition: { ...def, packages: [...new Set([...baseDef.packages, ...def.packages])] },
    options,
    deps,
    base: { definition: baseDef, options: { ...options, lockFile: defaultLockPath(baseDef.file) }, deps, isBase: true },
  };
}
