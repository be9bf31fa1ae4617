/**
 * The "outputs" step: one finished tree → the requested artefacts (OCI layout,
 * oci-archive, EroFS, SquashFS, plain directory, SPDX SBOM). Every output is
 * written atomically; the layer tar is made once and shared by OCI and
 * SquashFS, so all outputs describe the very same bytes.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch } from '../../common/arch.js';
import { inContext } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { treeDigest, type TreeEntry } from '../tree/tree.js';
import { tarChunks } from '../layer/tar-writer.js';
import { sha256Digest } from '../../common/hash.js';
import { planOciImageForLayer, writeOciLayout, type ImageSettings } from '../outputs/oci-layout.js';
import { writeOciArchive } from '../outputs/oci-archive.js';
import { mkfsErofsCaps, writeErofs, writeErofsFromTar, type ErofsResult } from '../outputs/erofs.js';
import { writeSquashfs } from '../outputs/squashfs.js';
import { atomicOutput, forceRemove } from '../../common/atomic-output.js';
import { writeDirOutput } from '../outputs/dir-output.js';
import { ByteChannel } from '../layer/byte-channel.js';
import { compressPool, type CompressPool } from '../layer/compress-pool.js';
import { writeLayer } from '../layer/layer-writer.js';
import type { LayerCompression } from '../layer/layer-compression.js';
import { sbomJson, type SbomInput } from '../outputs/sbom.js';
import type { CommandRunner } from '../../common/process-runner.js';
import { fexIndexJson, xxh3File, type FexIndexSettings } from '../outputs/fex-index.js';

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
  /** The OCI layer's compression (default gzip) and level (default per compression). */
  readonly layer?: { readonly compression?: LayerCompression; readonly level?: number };
}

export interface OutputsDeps {
  readonly runner: CommandRunner;
  readonly privileged: boolean;
  readonly pageSize: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** Called as each output starts (progress). */
  readonly progress?: (step: string) => void;
  /** Compression workers (default: one per core); a pool passed in is shared and not closed here. */
  readonly workers?: number;
  readonly compressPool?: CompressPool;
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
  /** The image's one layer blob (digest of the compressed bytes). */
  readonly layer?: { readonly mediaType: string; readonly digest: string; readonly size: number };
  readonly outputs: readonly OutputRecord[];
  readonly warnings: readonly string[];
}

/** The uncompressed layer tar, in memory (tests and small trees; builds stream it). */
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
  const wantOci = want('oci') || want('oci-archive');
  let fexIndex: string | undefined;
  const pool = deps.compressPool ?? compressPool(deps.workers);
  const workers = Math.max(1, pool.workers);
  await mkdir(req.outDir, { recursive: true });
  const scratch = await mkdtemp(join(req.outDir, '.fexpod-layer-'));
  try {
    // EroFS: from the layer's tar stream where mkfs.erofs has --tar (erofs-utils >= 1.6), else
    // from a staging tree written first (mkfs.erofs then runs on its own core while the layer
    // is made). Its UUID comes from the tree's digest, known before the layer.
    const tees: ByteChannel[] = [];
    let erofsP: Promise<ErofsResult | undefined> = Promise.resolve(undefined);
    if (want('erofs')) {
      const caps = await mkfsErofsCaps(deps.runner);
      const digest = await treeDigest(req.entries, req.sourceDateEpoch);
      const erofsOpts = { dest: path('erofs'), sourceDateEpoch: req.sourceDateEpoch, digest, ...req.erofs };
      const erofsDeps = { runner: deps.runner, pageSize: deps.pageSize, privileged: deps.privileged };
      if (caps.tar) {
        deps.log.debug(`erofs: mkfs.erofs --tar=f reads the layer's tar stream (no staging tree${caps.workers ? `, ${workers} workers` : ''})`);
        const ch = new ByteChannel();
        tees.push(ch);
        erofsP = inContext('writing the EroFS image', () => writeErofsFromTar(ch, caps, { ...erofsOpts, workers }, erofsDeps));
      } else {
        deps.log.debug('erofs: this mkfs.erofs has no --tar (erofs-utils < 1.6): writing a staging tree for it');
        step('erofs (staging tree)');
        let onStaged = (): void => {};
        const staged = new Promise<void>((r) => { onStaged = r; });
        erofsP = inContext('writing the EroFS image', () => writeErofs(req.entries, { ...erofsOpts, onStaged }, erofsDeps, caps));
        erofsP.then(onStaged, onStaged); // a failure before mkfs.erofs runs is reported below
        await staged;
      }
      erofsP.catch(() => {}); // awaited below
    }
    let sqfsP: Promise<Awaited<ReturnType<typeof writeSquashfs>> | undefined> = Promise.resolve(undefined);
    if (want('squashfs')) {
      const ch = new ByteChannel();
      tees.push(ch);
      sqfsP = inContext('writing the SquashFS image', () =>
        writeSquashfs(ch, { dest: path('squashfs'), sourceDateEpoch: req.sourceDateEpoch, ...req.squashfs }, deps),
      );
      sqfsP.catch(() => {});
    }
    const compression = req.layer?.compression ?? 'gzip';
    step(['layer', wantOci ? compression : '', ...(want('erofs') ? ['erofs'] : []), ...(want('squashfs') ? ['squashfs'] : [])].filter((x) => x !== '').join(' ∥ '));
    const layerP = inContext('writing the layer', () =>
      writeLayer({
        entries: req.entries,
        sourceDateEpoch: req.sourceDateEpoch,
        ...(wantOci ? { dest: join(scratch, 'layer') } : {}),
        compression,
        ...(req.layer?.level !== undefined ? { level: req.layer.level } : {}),
        tees,
      }, pool),
    );
    const [layerR, erofs, sqfs] = await Promise.allSettled([layerP, erofsP, sqfsP]);
    for (const r of [layerR, erofs, sqfs]) if (r.status === 'rejected') throw r.reason;
    if (layerR.status !== 'fulfilled') throw new Error('unreachable');
    const layer = layerR.value;
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
      outputs.push({ kind: 'dir', path: path('dir'), digest: layer.diffId });
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
    return {
      ...(fexIndex ? { fexIndex } : {}),
      diffId: layer.diffId,
      manifestDigest: plan.manifest.digest,
      layer: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
      outputs,
      warnings,
    };
  } finally {
    if (!deps.compressPool) await pool.close();
    await forceRemove(scratch);
  }
}
