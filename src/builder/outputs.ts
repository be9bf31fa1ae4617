/**
 * The "outputs" step: one finished tree → the requested artefacts (OCI layout,
 * oci-archive, EroFS, SquashFS, plain directory, SPDX SBOM). Every output is
 * written atomically; the layer tar is made once and shared by OCI and
 * SquashFS, so all outputs describe the very same bytes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch } from '../common/arch.js';
import { inContext } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { treeDigest, type TreeEntry } from './tree.js';
import { tarChunks } from './tar-writer.js';
import { gzipAsync, planOciImage, sha256Digest, writeOciLayout, type ImageSettings } from './oci-layout.js';
import { writeOciArchive } from './oci-archive.js';
import { writeErofs } from './erofs.js';
import { writeSquashfs } from './squashfs.js';
import { atomicOutput, writeDirOutput } from './dir-output.js';
import { sbomJson, type SbomInput } from './sbom.js';
import type { CommandRunner } from './command-runner.js';
import { fexIndexJson, xxh3File, type FexIndexSettings } from './fex-index.js';

/** FEXRootFSFetcher's index file name. */
export const FEX_INDEX_FILE = 'RootFS_links.json';

export const OUTPUT_KINDS = ['oci', 'oci-archive', 'erofs', 'squashfs', 'dir', 'sbom'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface OutputNames {
  readonly oci: string;
  readonly 'oci-archive': string;
  readonly erofs: string;
  readonly squashfs: string;
  readonly dir: string;
  readonly sbom: string;
}

/** Default file names in the output directory for an image called `name`. */
export function defaultOutputNames(name: string, erofsName?: string): OutputNames {
  return {
    oci: `${name}.oci`,
    'oci-archive': `${name}.oci.tar`,
    erofs: erofsName ?? `${name}.erofs`,
    squashfs: `${name}.sqfs`,
    dir: `${name}.rootfs`,
    sbom: `${name}.spdx.json`,
  };
}

export interface OutputsRequest {
  readonly entries: readonly TreeEntry[];
  readonly formats: readonly OutputKind[];
  readonly outDir: string;
  readonly names: OutputNames;
  readonly arch: Arch;
  readonly sourceDateEpoch: number;
  readonly image: Omit<ImageSettings, 'arch' | 'sourceDateEpoch'>;
  /** SBOM data (without the digest and epoch, filled in here). */
  readonly sbom?: Omit<SbomInput, 'imageDigest' | 'sourceDateEpoch'>;
  readonly erofs?: { readonly blockSize?: number; readonly compression?: string };
  readonly squashfs?: { readonly compression?: string; readonly blockSize?: number };
  /** Write FEXRootFSFetcher's index (RootFS_links.json) for the EroFS/SquashFS outputs. */
  readonly fexIndex?: FexIndexSettings;
}

export interface OutputsDeps {
  readonly runner: CommandRunner;
  readonly privileged: boolean;
  readonly pageSize: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** Called as each output starts (progress). */
  readonly progress?: (step: string) => void;
}

export interface OutputRecord {
  readonly kind: OutputKind;
  readonly path: string;
  /** sha256:… of the file, or the manifest digest for OCI outputs. */
  readonly digest: string;
}

export interface OutputsResult {
  /** Path of RootFS_links.json, when written. */
  readonly fexIndex?: string;
  readonly diffId: string;
  readonly manifestDigest: string;
  readonly outputs: readonly OutputRecord[];
  readonly warnings: readonly string[];
}

/** The uncompressed layer tar, in memory (one copy shared by every output). */
export async function layerTar(entries: readonly TreeEntry[], sourceDateEpoch: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of tarChunks(entries, { sourceDateEpoch })) chunks.push(c);
  return Buffer.concat(chunks);
}

export async function writeOutputs(req: OutputsRequest, deps: OutputsDeps): Promise<OutputsResult> {
  const step = (s: string) => deps.progress?.(s);
  const outputs: OutputRecord[] = [];
  const warnings: string[] = [];
  const path = (k: OutputKind) => join(req.outDir, req.names[k]);
  const want = (k: OutputKind) => req.formats.includes(k);
  let fexIndex: string | undefined;

  // mkfs.erofs (the longest step: one core) starts first, from the staging tree; its UUID
  // comes from the tree's digest, so it need not wait for the layer tar. The tar is made
  // while it runs, then gzip (zlib's thread pool) and mksquashfs (a child) join it. Each is
  // deterministic on its own, so the order they finish in does not matter.
  let erofsP: Promise<Awaited<ReturnType<typeof writeErofs>> | undefined> = Promise.resolve(undefined);
  let staged: Promise<unknown> = Promise.resolve();
  if (want('erofs')) {
    step('erofs');
    const digest = await treeDigest(req.entries, req.sourceDateEpoch);
    let onStaged = (): void => {};
    staged = new Promise<void>((r) => { onStaged = r; });
    erofsP = inContext('writing the EroFS image', () =>
      writeErofs(
        req.entries,
        { dest: path('erofs'), sourceDateEpoch: req.sourceDateEpoch, digest, onStaged, ...req.erofs },
        { runner: deps.runner, pageSize: deps.pageSize, privileged: deps.privileged },
      ),
    );
    erofsP.then(onStaged, onStaged); // a failure before mkfs.erofs runs is reported below
  }
  await staged;
  step('layer');
  const tar = await layerTar(req.entries, req.sourceDateEpoch);
  const diffId = sha256Digest(tar);
  const parallel = [want('oci') || want('oci-archive') ? 'gzip' : '', want('erofs') ? 'erofs' : '', want('squashfs') ? 'squashfs' : ''].filter((x) => x !== '');
  if (parallel.length > 0) step(parallel.join(' ∥ '));
  const gzP = want('oci') || want('oci-archive') ? gzipAsync(tar) : Promise.resolve(undefined);
  const sqfsP = want('squashfs')
    ? inContext('writing the SquashFS image', () =>
        writeSquashfs(tar, { dest: path('squashfs'), sourceDateEpoch: req.sourceDateEpoch, ...req.squashfs }, deps),
      )
    : Promise.resolve(undefined);
  const [gz, erofs, sqfs] = await Promise.allSettled([gzP, erofsP, sqfsP]);
  for (const r of [gz, erofs, sqfs]) if (r.status === 'rejected') throw r.reason;
  const gzipped = gz.status === 'fulfilled' ? gz.value : undefined;
  const plan = planOciImage(tar, { ...req.image, arch: req.arch, sourceDateEpoch: req.sourceDateEpoch }, gzipped, diffId);

  if (want('oci')) {
    step('oci');
    await inContext('writing the OCI layout', () => writeOciLayout(path('oci'), plan));
    outputs.push({ kind: 'oci', path: path('oci'), digest: plan.manifest.digest });
  }
  if (want('oci-archive')) {
    step('oci-archive');
    await inContext('writing the OCI archive', () => writeOciArchive(path('oci-archive'), plan, req.sourceDateEpoch));
    outputs.push({ kind: 'oci-archive', path: path('oci-archive'), digest: plan.manifest.digest });
  }
  if (erofs.status === 'fulfilled' && erofs.value) {
    warnings.push(...erofs.value.warnings);
    outputs.push({ kind: 'erofs', path: erofs.value.path, digest: `sha256:${erofs.value.sha256}` });
  }
  if (sqfs.status === 'fulfilled' && sqfs.value) {
    outputs.push({ kind: 'squashfs', path: sqfs.value.path, digest: `sha256:${sqfs.value.sha256}` });
  }
  if (want('dir')) {
    step('dir');
    const r = await inContext('writing the directory output', () =>
      writeDirOutput(req.entries, path('dir'), { privileged: deps.privileged, sourceDateEpoch: req.sourceDateEpoch }),
    );
    if (r.notApplied.length > 0) {
      warnings.push(`directory output: ${r.notApplied.length} owner/device/xattr settings need root and were not applied`);
    }
    outputs.push({ kind: 'dir', path: path('dir'), digest: diffId });
  }
  if (want('sbom') && req.sbom) {
    step('sbom');
    const text = sbomJson({ ...req.sbom, imageDigest: plan.manifest.digest, sourceDateEpoch: req.sourceDateEpoch });
    await atomicOutput(path('sbom'), (tmp) => writeFile(tmp, text, { mode: 0o644 }));
    outputs.push({ kind: 'sbom', path: path('sbom'), digest: sha256Digest(text) });
  }
  const fsImages = outputs.filter((o): o is OutputRecord & { kind: 'erofs' | 'squashfs' } => o.kind === 'erofs' || o.kind === 'squashfs');
  if (req.fexIndex && fsImages.length > 0) {
    step('fex-index');
    const hashed = [];
    for (const o of fsImages) hashed.push({ image: { path: o.path, type: o.kind }, hash: await xxh3File(o.path) });
    const indexPath = join(req.outDir, FEX_INDEX_FILE);
    const text = fexIndexJson(req.fexIndex, hashed);
    await atomicOutput(indexPath, (tmp) => writeFile(tmp, text, { mode: 0o644 }));
    fexIndex = indexPath;
  }
  for (const w of warnings) deps.log.warn(w);
  return { ...(fexIndex ? { fexIndex } : {}), diffId, manifestDigest: plan.manifest.digest, outputs, warnings };
}
