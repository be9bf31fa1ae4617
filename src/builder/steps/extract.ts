/**
 * Step "extract": the verified packages → one tree (tree/install.ts), as a
 * scriptless `rpm -i --noscripts` into an empty root would make it — owners
 * through the tree's own passwd/group, file capabilities as
 * security.capability, %ghost not created, docs left out — never touching the
 * host filesystem. Each package is extracted as soon as fetch has verified it;
 * its payload streams into the extraction cache on disk (rpm/extract-cache.ts:
 * a package extracted by an earlier build is not decompressed again), never
 * into memory.
 *
 * SOURCE_DATE_EPOCH is known from here on: the option, else the newest
 * BUILDTIME among the installed packages (so it depends only on the lock).
 */
import { join } from 'node:path';
import { inContext } from '../../common/errors.js';
import type { BuildContext } from '../build-context.js';
import type { ExtractedRpm } from '../rpm/rpm-extract.js';
import { RpmTag } from '../rpm/rpm-header.js';
import { memoryContentStore } from '../tree/content-store.js';
import { installRpmFiles } from '../tree/install.js';
import type { TreeEntry } from '../tree/tree.js';
import type { Fetching } from './fetch.js';
import type { Resolved } from './resolve.js';

export interface InstalledSet {
  readonly entries: readonly TreeEntry[];
  readonly packages: readonly ExtractedRpm[];
}

export interface Extracted {
  /** The verified .rpm files, in lock order. */
  readonly rpmFiles: readonly string[];
  readonly installed: InstalledSet;
  readonly sourceDateEpoch: number;
}

/** The newest package build time: a SOURCE_DATE_EPOCH that depends only on the lock. */
export function packagesEpoch(pkgs: readonly ExtractedRpm[]): number {
  let max = 0;
  for (const p of pkgs) max = Math.max(max, p.header.number(RpmTag.BUILDTIME) ?? 0);
  return max;
}

export async function extract<C extends BuildContext & Resolved & Fetching>(ctx: C): Promise<C & Extracted> {
  const { definition: def, options: o, deps } = ctx;
  const installing = inContext(`installing the packages of ${def.name}`, () => install(ctx));
  installing.catch(() => {}); // awaited below, after the fetch
  let rpmFiles: readonly string[];
  try {
    rpmFiles = await ctx.fetched;
  } catch (err) {
    await installing.catch(() => {});
    throw err;
  }
  deps.progress?.(`extract ${rpmFiles.length} packages`);
  const installed = await installing;
  return { ...ctx, rpmFiles, installed, sourceDateEpoch: o.sourceDateEpoch ?? packagesEpoch(installed.packages) };
}

async function install(ctx: BuildContext & Resolved & Fetching): Promise<InstalledSet> {
  const { definition: def, options: o, deps, lock } = ctx;
  const cache = deps.extraction;
  const before = { ...cache.stats };
  const { tree, report, packages } = await installRpmFiles(
    ctx.rpms,
    {
      docs: false,
      langs: 'all',
      // Implicit directories get the epoch; before it is known, a fixed 0 (clamped later anyway).
      sourceDateEpoch: o.sourceDateEpoch ?? 0,
      preferColor: def.basearch === 'x86_64' || def.basearch === 'aarch64' ? 2 : 0,
    },
    memoryContentStore(),
    (path, i) => cache.extract(path, lock.packages[i]?.sha256),
  );
  deps.log.debug(`extract: ${cache.stats.extracted - before.extracted} packages extracted, ${cache.stats.reused - before.reused} reused from ${join(deps.repos.cacheDir, 'extract')}`);
  for (const u of report.unknownOwners.slice(0, 5)) deps.log.warn(`${u.package}: unknown ${u.kind} "${u.name}" for /${u.path}: owned by root`);
  return { entries: [...tree.values()], packages };
}
