/**
 * `fexpod extract REF|LAYOUT DIR`: an image's layers, stacked into a plain
 * directory without root and without Podman (how CI gets a sysroot).
 *
 *   resolve   the image manifest (of --platform, or the only one)
 *   layers    each streamed, decompressed and verified against its digest, applied in order
 *   commit    the tree is built in a temporary sibling of DIR and renamed into place:
 *             a failure (a tampered layer, a hostile entry) leaves nothing behind
 */
import { mkdtemp, readdir, rename, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { FexpodError, errnoCode } from '../common/errors.js';
import { decompressor } from '../common/decompress.js';
import { parseManifest, platformString, type Descriptor, type ImageManifest, type Platform } from '../registry/oci.js';
import { formatReference, type ImageReference } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { blobStream, verifying } from './blob-download.js';
import { removeTree } from './fs-safe.js';
import { LayerApplier, type ApplyStats } from './layer-apply.js';
import type { LayoutSource } from './oci-source.js';
import { isArtifact, resolveManifest, selectPlatform } from './pull.js';
import type { TransferProgress } from './transfer-progress.js';

/** Where layers come from: a registry or a local layout. */
export interface ImageSource {
  readonly name: string;
  /** The top manifest: bytes and media type. */
  top(): Promise<{ bytes: Buffer; mediaType: string | undefined; digest: string }>;
  manifest(desc: Descriptor): Promise<Buffer>;
  config(desc: Descriptor): Promise<Buffer>;
  /** The layer's bytes (compressed), erroring at the end when they do not match the digest. */
  layer(desc: Descriptor): Promise<Readable>;
}

export function registryImage(client: RegistryClient, ref: ImageReference, progress?: TransferProgress): ImageSource {
  const name = formatReference(ref);
  return {
    name,
    async top() {
      const r = await resolveManifest(client, ref);
      return { bytes: r.got.bytes, mediaType: r.got.mediaType || undefined, digest: r.got.digest };
    },
    async manifest(desc) {
      return (await resolveManifest(client, ref, desc.digest)).got.bytes;
    },
    async config(desc) {
      const s = await blobStream(client, ref.repository, desc);
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    layer: (desc) => blobStream(client, ref.repository, desc, progress),
  };
}

export function layoutImage(src: LayoutSource, refName?: string): ImageSource {
  return {
    name: src.origin,
    async top() {
      const want = refName === undefined ? src.manifests : src.manifests.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] === refName);
      const d = want[0];
      if (!d || want.length > 1) {
        const names = src.manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? m.digest).join(', ');
        throw new FexpodError(`${src.origin}: ${d ? 'several images' : `no image named "${refName ?? ''}"`} in the layout (${names})`, { fix: 'name one with LAYOUT:REF' });
      }
      return { bytes: await src.readBlob(d.digest), mediaType: d.mediaType, digest: d.digest };
    },
    manifest: (desc) => src.readBlob(desc.digest),
    config: (desc) => src.readBlob(desc.digest),
    async layer(desc) {
      const s = src.blob(desc).open(0, desc.size);
      const v = verifying(desc, `${src.origin}: layer ${desc.digest}`);
      s.on('error', (err) => v.destroy(err));
      return s.pipe(v);
    },
  };
}

/** The image manifest to extract: the top one, or its --platform (or only) entry. */
async function imageManifest(src: ImageSource, platform: Platform | undefined): Promise<{ manifest: ImageManifest; digest: string }> {
  const top = await src.top();
  let parsed = parseManifest(top.bytes, top.mediaType, `${src.name}: manifest`);
  let digest = top.digest;
  if (parsed.kind === 'index') {
    const ms = parsed.value.manifests;
    const d = platform ? selectPlatform(parsed.value, platform, src.name) : ms.length === 1 ? ms[0] : undefined;
    if (!d) {
      throw new FexpodError(`${src.name} is an index of ${ms.length} platforms (${ms.map((m) => platformString(m.platform)).join(', ')})`, { fix: 'choose one with --platform OS/ARCH' });
    }
    parsed = parseManifest(await src.manifest(d), d.mediaType, `${src.name}: manifest ${d.digest}`);
    digest = d.digest;
    if (parsed.kind === 'index') throw new FexpodError(`${src.name}: nested image indexes are not supported`);
  }
  if (isArtifact(parsed.value)) throw new FexpodError(`${src.name} is an artifact (${parsed.value.artifactType ?? 'files'}), not a container image`, { fix: 'fetch its files with fexpod pull, or install a RootFS with fexpod rootfs install' });
  return { manifest: parsed.value, digest };
}

function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' {
  if (/[+.]gzip$/.test(mediaType)) return 'gzip';
  if (/[+.]zstd$/.test(mediaType)) return 'zstd';
  if (/\.tar$|rootfs\.diff\.tar$/.test(mediaType)) return 'none';
  throw new FexpodError(`layer media type ${mediaType} is not a tar layer`, { fix: 'extract works on container images (tar, tar+gzip, tar+zstd layers)' });
}

export interface ExtractResult {
  readonly image: string;
  readonly digest: string;
  readonly output: string;
  readonly layers: number;
  readonly stats: ApplyStats;
}

/** Extracts into dest, which must not exist or be an empty directory. */
export async function extract(src: ImageSource, dest: string, opts: { platform?: Platform; privileged: boolean }): Promise<ExtractResult> {
  const existing = await readdir(dest).catch((err: unknown) => {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw new FexpodError(`cannot use ${dest} as the output`, { cause: err, fix: 'give a new or empty directory' });
  });
  if (existing && existing.length > 0) throw new FexpodError(`${dest} is not empty`, { fix: 'give a new or empty directory (extract never mixes an image into existing files)' });
  const { manifest, digest } = await imageManifest(src, opts.platform);
  const tmpParent = await mkdtemp(join(dirname(dest), `.${basename(dest)}.extract-`));
  const root = join(tmpParent, 'root');
  try {
    const applier = new LayerApplier(root, { privileged: opts.privileged });
    for (const [i, layer] of manifest.layers.entries()) {
      const c = layerCompression(layer.mediaType);
      const raw = await src.layer(layer);
      const tar = c === 'none' ? raw : raw.pipe(decompressor(c));
      raw.on('error', (err) => tar.destroy(err));
      await applier.apply(tar, `layer ${i + 1}/${manifest.layers.length} (${layer.digest})`);
    }
    const created = await createdTime(src, manifest);
    applier.finish(created);
    if (existing) await rmdir(dest);
    await rename(root, dest);
    return { image: src.name, digest, output: dest, layers: manifest.layers.length, stats: applier.stats };
  } finally {
    await removeTree(tmpParent);
  }
}

async function createdTime(src: ImageSource, m: ImageManifest): Promise<number> {
  try {
    const cfg = JSON.parse((await src.config(m.config)).toString('utf8')) as { created?: unknown };
    const t = typeof cfg.created === 'string' ? Date.parse(cfg.created) : NaN;
    return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
  } catch {
    return 0;
  }
}

