/**
 * Step "outputs": the layer and the images made from its tar → the requested
 * artefacts: OCI image layout and oci-archive (the blob taken over from the
 * layer step), the EroFS and SquashFS files, a plain directory, the SPDX SBOM
 * and FEXRootFSFetcher's index (RootFS_links.json). Every output is written to
 * a temp path next to its destination and renamed at the end: an interrupted
 * build leaves no partial output. All of them describe the very same tar.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicOutput } from '../../common/atomic-output.js';
import { FexpodError, inContext } from '../../common/errors.js';
import { muvmNote, writeRpmPackage } from '../outputs/rpm-package.js';
import { sha256Digest, sha256File } from '../../common/hash.js';
import type { BuildContext } from '../build-context.js';
import { packageUrls } from '../lock/lock.js';
import { writeDirOutput } from '../outputs/dir-output.js';
import { fexIndexJson, xxh3File } from '../outputs/fex-index.js';
import { writeOciArchive } from '../outputs/oci-archive.js';
import { planOciImageForLayer, writeOciLayout } from '../outputs/oci-layout.js';
import { FEX_INDEX_FILE, type OutputKind, type OutputRecord, type OutputsDeps, type OutputsRequest, type OutputsResult } from '../outputs/output-plan.js';
import { sbomJson, type SbomPackage } from '../outputs/sbom.js';
import { RpmTag } from '../rpm/rpm-header.js';
import type { Extracted } from './extract.js';
import { writeLayerOf, type Layered } from './layer.js';
import type { Profiled } from './profile.js';
import type { Resolved } from './resolve.js';

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

export interface Built {
  readonly result: BuildResult;
}

export async function outputs<C extends BuildContext & Resolved & Extracted & Profiled & Layered>(ctx: C): Promise<C & Built> {
  const def = ctx.definition;
  const withSbom: OutputsRequest = ctx.options.formats.includes('sbom')
    ? { ...ctx.request, sbom: { imageName: def.name, distro: { id: 'fedora', release: def.release }, packages: await sbomPackages(ctx), toolVersion: ctx.deps.toolVersion } }
    : ctx.request;
  // The RPM's License: the licences of the packages in the image.
  const request: OutputsRequest = withSbom.rpm && !withSbom.rpm.license ? { ...withSbom, rpm: { ...withSbom.rpm, license: imageLicense(ctx) } } : withSbom;
  const written = await writeOutputsOf(request, ctx, ctx.deps);
  return {
    ...ctx,
    result: {
      ...written,
      name: def.name,
      arch: request.arch.name,
      sourceDateEpoch: ctx.sourceDateEpoch,
      packages: ctx.installed.packages.length,
      entries: ctx.entries.length,
      lockFile: ctx.options.lockFile,
      notes: ctx.notes,
    },
  };
}

/** The layer and outputs steps for a tree that did not come from a definition (tests, benchmarks, library users). */
export async function writeOutputs(req: OutputsRequest, deps: OutputsDeps): Promise<OutputsResult> {
  return writeOutputsOf(req, await writeLayerOf(req, deps), deps);
}

async function writeOutputsOf(req: OutputsRequest, layered: Layered, deps: OutputsDeps): Promise<OutputsResult> {
  const step = (s: string) => deps.progress?.(s);
  const path = (k: OutputKind) => join(req.outDir, req.names[k]);
  const want = (k: OutputKind) => req.formats.includes(k);
  const outputs: OutputRecord[] = [];
  const warnings: string[] = [];
  const { layer, erofs, squashfs } = layered;
  try {
    const plan = planOciImageForLayer(layer, { ...req.image, arch: req.arch, sourceDateEpoch: req.sourceDateEpoch });
    // the archive reads the blob file; the layout then takes it over (link, or copy)
    if (want('oci-archive')) {
      step('oci-archive');
      await inContext('writing the OCI archive', () => writeOciArchive(path('oci-archive'), plan, req.sourceDateEpoch));
      outputs.push({ kind: 'oci-archive', path: path('oci-archive'), digest: plan.manifest.digest });
    }
    if (want('oci')) {
      step('oci');
      await inContext('writing the OCI layout', () => writeOciLayout(path('oci'), plan));
      outputs.push({ kind: 'oci', path: path('oci'), digest: plan.manifest.digest });
    }
    if (erofs) {
      warnings.push(...erofs.warnings);
      outputs.push({ kind: 'erofs', path: erofs.path, digest: `sha256:${erofs.sha256}` });
    }
    if (squashfs) outputs.push({ kind: 'squashfs', path: squashfs.path, digest: `sha256:${squashfs.sha256}` });
    if (want('rpm')) {
      if (!req.rpm) throw new FexpodError('--format rpm packages a RootFS or an overlay, not a sysroot', { fix: 'use the erofs or oci formats for a sysroot' });
      if (!erofs) throw new Error('the RPM output needs the EroFS image');
      step('rpm');
      const rpm = req.rpm;
      const r = await inContext('writing the RPM', () => writeRpmPackage(path('rpm'), erofs.path, { ...rpm, license: rpm.license ?? 'LicenseRef-not-given' }, req.sourceDateEpoch));
      outputs.push({ kind: 'rpm', path: path('rpm'), digest: `sha256:${r.sha256}` });
      const note = muvmNote(rpm);
      if (note) warnings.push(note);
    }
    if (want('dir')) {
      step('dir');
      const r = await inContext('writing the directory output', () =>
        writeDirOutput(req.entries, path('dir'), { privileged: deps.privileged, sourceDateEpoch: req.sourceDateEpoch }),
      );
      if (r.notApplied.length > 0) {
        warnings.push(`directory output: ${r.notApplied.length} owner/device/xattr settings need root and were not applied`);
      }
      outputs.push({ kind: 'dir', path: path('dir'), digest: layer.diffId });
    }
    if (want('sbom') && req.sbom) {
      step('sbom');
      const text = sbomJson({ ...req.sbom, imageDigest: plan.manifest.digest, sourceDateEpoch: req.sourceDateEpoch });
      await atomicOutput(path('sbom'), (tmp) => writeFile(tmp, text, { mode: 0o644 }));
      outputs.push({ kind: 'sbom', path: path('sbom'), digest: sha256Digest(text) });
    }
    const fexIndex = req.fexIndex ? await writeFexIndex(req, outputs, step) : undefined;
    for (const w of warnings) deps.log.warn(w);
    return {
      ...(fexIndex ? { fexIndex } : {}),
      diffId: layer.diffId,
      manifestDigest: plan.manifest.digest,
      layer: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
      outputs,
      warnings,
    };
  } finally {
    await layered.release();
  }
}

/** RootFS_links.json for the EroFS/SquashFS files written (none: no index). */
async function writeFexIndex(req: OutputsRequest, outputs: readonly OutputRecord[], step: (s: string) => void): Promise<string | undefined> {
  const fsImages = outputs.filter((o): o is OutputRecord & { kind: 'erofs' | 'squashfs' } => o.kind === 'erofs' || o.kind === 'squashfs');
  if (!req.fexIndex || fsImages.length === 0) return undefined;
  step('fex-index');
  const hashed = [];
  for (const o of fsImages) hashed.push({ image: { path: o.path, type: o.kind }, hash: await xxh3File(o.path) });
  const indexPath = join(req.outDir, FEX_INDEX_FILE);
  const text = fexIndexJson(req.fexIndex, hashed);
  await atomicOutput(indexPath, (tmp) => writeFile(tmp, text, { mode: 0o644 }));
  return indexPath;
}

/** The licences of the image's packages (sorted, once each), as one SPDX-style AND expression. */
function imageLicense(ctx: Extracted): string {
  const all = [...new Set(ctx.installed.packages.map((p) => p.header.string(RpmTag.LICENSE)).filter((l): l is string => Boolean(l)))].sort();
  if (all.length === 0) return 'LicenseRef-not-given';
  return all.length === 1 ? (all[0] ?? '') : all.map((l) => (/\s/.test(l) ? `(${l})` : l)).join(' AND ');
}

/** One SBOM package per installed RPM: its header's EVR, license, vendor and source RPM; the lock's sha256 and download URL. */
async function sbomPackages(ctx: Resolved & Extracted): Promise<SbomPackage[]> {
  const bases = new Map(ctx.lock.repos.map((r) => [r.id, r.baseurls] as const));
  const out: SbomPackage[] = [];
  for (const [i, p] of ctx.installed.packages.entries()) {
    const h = p.header;
    const locked = ctx.lock.packages.find((l) => l.name === p.name && l.arch === p.arch);
    const file = ctx.rpmFiles[i];
    const license = h.string(RpmTag.LICENSE);
    const vendor = h.string(RpmTag.VENDOR);
    const sourceRpm = h.string(RpmTag.SOURCERPM);
    const url = locked ? packageUrls(locked, bases.get(locked.repo) ?? [])[0] : undefined;
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
