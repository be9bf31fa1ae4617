/**
 * Step "layer": the shaped tree → its deterministic tar, made once and used in
 * one streamed pass (layer/layer-writer.ts): hashed (the diff_id), compressed
 * on every core into the layer blob (hashed as it is written: the layer
 * digest), and fed while it is written to the tools that read a tar on stdin —
 * mksquashfs, and mkfs.erofs where it has --tar (erofs-utils ≥ 1.6). An older
 * mkfs.erofs gets a staging tree written first, and then runs on its own core
 * while the layer is made. Neither the tar nor the blob is held in memory.
 *
 * The blob waits in a scratch directory inside the output directory; from
 * here the outputs step owns it (and the compression pool) and releases both.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { forceRemove } from '../../common/atomic-output.js';
import { inContext } from '../../common/errors.js';
import { programIdentity } from '../../common/program-identity.js';
import type { BuildContext } from '../build-context.js';
import { ByteChannel } from '../layer/byte-channel.js';
import { compressPool } from '../layer/compress-pool.js';
import { pinnedEncoderName } from '../layer/deflate-block.js';
import { writeLayer, type LayerBlob } from '../layer/layer-writer.js';
import { mkfsErofsCaps, writeErofs, writeErofsFromTar, type ErofsResult } from '../outputs/erofs.js';
import { planOutputs, type OutputKind, type OutputsDeps, type OutputsRequest } from '../outputs/output-plan.js';
import { writeSquashfs, type SquashfsResult } from '../outputs/squashfs.js';
import { treeDigest } from '../tree/tree.js';
import type { Extracted } from './extract.js';
import type { Profiled } from './profile.js';

export interface Layered {
  /** Every output of this build, planned (the definition's [outputs] with the command's options). */
  readonly request: OutputsRequest;
  readonly layer: LayerBlob;
  readonly erofs?: ErofsResult;
  readonly squashfs?: SquashfsResult;
  /** Removes the scratch directory (with the blob, unless an output took it over) and closes the pool. */
  readonly release: () => Promise<void>;
}

export async function layer<C extends BuildContext & Extracted & Profiled>(ctx: C): Promise<C & Layered> {
  const request = planOutputs({
    definition: ctx.definition,
    outDir: ctx.options.outDir,
    formats: ctx.options.formats,
    layer: ctx.options.layer,
    entries: ctx.entries,
    sourceDateEpoch: ctx.sourceDateEpoch,
  });
  return { ...ctx, ...(await writeLayerOf(request, ctx.deps)) };
}

/** The layer of a planned request (also what writeOutputs runs for a tree that did not come from a definition). */
export async function writeLayerOf(req: OutputsRequest, deps: OutputsDeps): Promise<Layered> {
  const step = (s: string) => deps.progress?.(s);
  const path = (k: OutputKind) => join(req.outDir, req.names[k]);
  // The RPM output packages the EroFS image: --format rpm makes it too.
  const want = (k: OutputKind) => req.formats.includes(k) || (k === 'erofs' && req.formats.includes('rpm'));
  const wantOci = want('oci') || want('oci-archive');
  const pool = deps.compressPool ?? compressPool(deps.workers);
  const workers = Math.max(1, pool.workers);
  let scratch: string | undefined;
  const release = async (): Promise<void> => {
    if (!deps.compressPool) await pool.close();
    if (scratch) await forceRemove(scratch);
  };
  try {
    await mkdir(req.outDir, { recursive: true });
    scratch = await mkdtemp(join(req.outDir, '.fexpod-layer-'));
    // EroFS: from the layer's tar stream where mkfs.erofs has --tar (erofs-utils >= 1.6), else
    // from a staging tree written first (mkfs.erofs then runs on its own core while the layer
    // is made). Its UUID comes from the tree's digest, known before the layer.
    const tees: ByteChannel[] = [];
    let erofsP: Promise<ErofsResult | undefined> = Promise.resolve(undefined);
    if (want('erofs')) {
      const [caps, mkfs] = await Promise.all([mkfsErofsCaps(deps.runner, deps.env), programIdentity(deps.runner, deps.env, 'mkfs.erofs', ['-V'])]);
      const which = mkfs ? `${mkfs.file} (${mkfs.version ?? 'no version'})` : 'mkfs.erofs';
      const digest = await treeDigest(req.entries, req.sourceDateEpoch);
      const erofsOpts = { dest: path('erofs'), sourceDateEpoch: req.sourceDateEpoch, digest, ...req.erofs };
      const erofsDeps = { runner: deps.runner, pageSize: deps.pageSize, privileged: deps.privileged, env: deps.env };
      if (caps.tar) {
        deps.log.debug(`erofs: ${which}: mkfs.erofs --tar=f reads the layer's tar stream (no staging tree${caps.workers ? `, ${workers} workers` : ''})`);
        const ch = new ByteChannel();
        tees.push(ch);
        erofsP = inContext('writing the EroFS image', () => writeErofsFromTar(ch, caps, { ...erofsOpts, workers }, erofsDeps));
      } else {
        deps.log.debug(`erofs: ${which}: this mkfs.erofs has no --tar (erofs-utils < 1.6): writing a staging tree for it`);
        step('erofs (staging tree)');
        let onStaged = (): void => {};
        const staged = new Promise<void>((r) => { onStaged = r; });
        erofsP = inContext('writing the EroFS image', () => writeErofs(req.entries, { ...erofsOpts, onStaged }, erofsDeps, caps));
        erofsP.then(onStaged, onStaged); // a failure before mkfs.erofs runs is reported below
        await staged;
      }
      erofsP.catch(() => {}); // awaited below
    }
    let sqfsP: Promise<SquashfsResult | undefined> = Promise.resolve(undefined);
    if (want('squashfs')) {
      const ch = new ByteChannel();
      tees.push(ch);
      sqfsP = inContext('writing the SquashFS image', () =>
        writeSquashfs(ch, { dest: path('squashfs'), sourceDateEpoch: req.sourceDateEpoch, ...req.squashfs }, deps),
      );
      sqfsP.catch(() => {});
    }
    const compression = req.layer?.compression ?? 'gzip';
    if (wantOci && compression === 'gzip') deps.log.debug(`layer: gzip by ${pinnedEncoderName()} on ${workers} worker${workers === 1 ? '' : 's'} (the same bytes on every machine)`);
    step(['layer', wantOci ? compression : '', ...(want('erofs') ? ['erofs'] : []), ...(want('squashfs') ? ['squashfs'] : [])].filter((x) => x !== '').join(' ∥ '));
    const blob = join(scratch, 'layer');
    const total = req.entries.reduce((n, e) => n + (e.type === 'file' ? (e.content?.size ?? 0) : 0), 0);
    const progress = deps.layerProgress?.(total);
    let done = 0;
    const layerP = inContext('writing the layer', () =>
      writeLayer({
        entries: req.entries,
        sourceDateEpoch: req.sourceDateEpoch,
        ...(wantOci ? { dest: blob } : {}),
        compression,
        ...(req.layer?.level !== undefined ? { level: req.layer.level } : {}),
        tees,
        ...(progress ? { onData: (n: number) => progress.update((done += n)) } : {}),
      }, pool),
    );
    if (progress) {
      const running = new Set([...(want('erofs') ? ['mkfs.erofs'] : []), ...(want('squashfs') ? ['mksquashfs'] : [])]);
      erofsP.finally(() => running.delete('mkfs.erofs')).catch(() => {});
      sqfsP.finally(() => running.delete('mksquashfs')).catch(() => {});
      layerP.then(() => progress.waiting([...running]), () => {});
    }
    const [layerR, erofs, sqfs] = await Promise.allSettled([layerP, erofsP, sqfsP]);
    progress?.finish();
    for (const r of [layerR, erofs, sqfs]) if (r.status === 'rejected') throw r.reason;
    if (layerR.status !== 'fulfilled' || erofs.status !== 'fulfilled' || sqfs.status !== 'fulfilled') throw new Error('unreachable');
    return {
      request: req,
      layer: layerR.value,
      ...(erofs.value ? { erofs: erofs.value } : {}),
      ...(sqfs.value ? { squashfs: sqfs.value } : {}),
      release,
    };
  } catch (err) {
    await release();
    throw err;
  }
}
