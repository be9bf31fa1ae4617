/**
 * OCI image layout (image-spec v1.1 "image-layout"): one single-layer image
 * made of a deterministic tar. Planning is pure (bytes in, blobs + JSON out);
 * writing the directory is the only effect, and it is atomic: everything goes
 * into a temp directory next to the destination that is renamed at the end.
 *
 * Reproducibility is pinned to the uncompressed layer (rootfs.diff_ids); the
 * gzip stream is deterministic too (fixed header: mtime 0, no name, OS=3 as
 * Node's zlib writes it), so the manifest digest is stable for one Node/zlib.
 */
import { promisify } from 'node:util';
import { gzip, gzipSync, constants as zc } from 'node:zlib';
import { chmod, copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../../common/arch.js';
import { atomicOutput } from '../../common/atomic-output.js';
import { canonicalJson, rfc3339 } from '../../common/canonical-json.js';
import { sha256Digest } from '../../common/hash.js';

export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** Exactly this, byte for byte (design.md §5). */
export const OCI_LAYOUT_FILE = '{"imageLayoutVersion":"1.0.0"}';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: { readonly architecture: string; readonly os: string; readonly variant?: string };
}

export interface ImageSettings {
  readonly arch: Arch;
  /** SOURCE_DATE_EPOCH, seconds: config.created, history[].created, annotations. */
  readonly sourceDateEpoch: number;
  /** Tag written as org.opencontainers.image.ref.name in index.json ("fex-rootfs:43"). */
  readonly refName: string;
  readonly env?: readonly string[];
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly workingDir?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** history[0].created_by, e.g. "fexpod build images/demo.toml". */
  readonly createdBy: string;
  /** Extra manifest annotations (title, version, source …). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface OciImagePlan {
  /** digest ("sha256:…") → bytes, for every blob of the image held in memory (config, manifest; the layer of planOciImage). */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
  /** The layer blob as a file (streamed builds): digest → path. */
  readonly blobFiles?: ReadonlyMap<string, string>;
  readonly diffId: string;
  readonly layer: Descriptor;
  readonly config: Descriptor;
  readonly manifest: Descriptor;
  readonly indexJson: Uint8Array;
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * gzip with a fixed header and level: the same tar always gives the same bytes.
 * Level 4: on a 52 MB layer (bench/build.bench.ts, python set) zlib takes 0.59 s
 * for 15.08 MB at level 4 against 1.07 s for 14.54 MB at level 6 (3.7 % smaller
 * for 1.8x the CPU time); skopeo's own gzip (klauspost/pgzip, default level) made
 * 15.28 MB of the same tree. Level 9 is ~2x slower again for <0.1 %.
 * Changing the level changes every layer digest (not the diff_id).
 */
const GZIP_OPTIONS = { level: 4, memLevel: 8, strategy: zc.Z_DEFAULT_STRATEGY };
export function gzipLayer(tar: Uint8Array): Uint8Array {
  return gzipSync(tar, GZIP_OPTIONS);
}

const gzipP = promisify(gzip);
/** The same bytes as gzipLayer, computed on zlib's thread pool (overlaps with other outputs). */
export async function gzipAsync(tar: Uint8Array): Promise<Uint8Array> {
  return gzipP(tar, GZIP_OPTIONS);
}

const encoder = new TextEncoder();

/** Plans the blobs of a single-layer image from its uncompressed layer tar (held in memory: small images, tests). */
export function planOciImage(layerTar: Uint8Array, settings: ImageSettings, gzipped?: Uint8Array, layerDiffId?: string): OciImagePlan {
  const gz = gzipped ?? gzipLayer(layerTar);
  const layer: Descriptor = { mediaType: MEDIA_TYPE_LAYER_GZIP, digest: sha256Digest(gz), size: gz.length };
  const plan = planOciImageForLayer({ ...layer, diffId: layerDiffId ?? sha256Digest(layerTar) }, settings);
  return { ...plan, blobs: new Map([[layer.digest, gz], ...plan.blobs]) };
}

/** The layer as the image needs it: its descriptor fields and the digest of the uncompressed tar. */
export interface PlannedLayer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly diffId: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The blob file (streamed builds); absent: the caller adds the bytes. */
  readonly path?: string;
}

/** Plans config, manifest and index around an already written layer blob. */
export function planOciImageForLayer(planned: PlannedLayer, settings: ImageSettings): OciImagePlan {
  const diffId = planned.diffId;
  const layer: Descriptor = {
    mediaType: planned.mediaType,
    digest: planned.digest,
    size: planned.size,
    ...(planned.annotations && Object.keys(planned.annotations).length > 0 ? { annotations: planned.annotations } : {}),
  };
  const created = rfc3339(settings.sourceDateEpoch);
  const platform = {
    architecture: settings.arch.oci.architecture,
    os: 'linux',
    ...(settings.arch.oci.variant === undefined ? {} : { variant: settings.arch.oci.variant }),
  };

  const env = settings.env && settings.env.length > 0 ? [...settings.env] : [`PATH=${DEFAULT_PATH}`];
  const config = {
    created,
    ...platform,
    config: {
      Env: env,
      ...(settings.cmd ? { Cmd: [...settings.cmd] } : {}),
      ...(settings.entrypoint ? { Entrypoint: [...settings.entrypoint] } : {}),
      ...(settings.workingDir ? { WorkingDir: settings.workingDir } : {}),
      ...(settings.labels && Object.keys(settings.labels).length > 0 ? { Labels: { ...settings.labels } } : {}),
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: settings.createdBy, comment: 'fexpod: scriptless RPM install' }],
  };
  const configBytes = encoder.encode(canonicalJson(config));
  const configDesc: Descriptor = { mediaType: MEDIA_TYPE_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length };

  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: configDesc,
    layers: [layer],
    annotations: { 'org.opencontainers.image.created': created, ...settings.annotations },
  };
  const manifestBytes = encoder.encode(canonicalJson(manifest));
  const manifestDesc: Descriptor = {
    mediaType: MEDIA_TYPE_MANIFEST,
    digest: sha256Digest(manifestBytes),
    size: manifestBytes.length,
    platform,
    annotations: { 'org.opencontainers.image.ref.name': settings.refName },
  };

  const index = { schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [manifestDesc] };
  const blobs = new Map<string, Uint8Array>([
    [configDesc.digest, configBytes],
    [manifestDesc.digest, manifestBytes],
  ]);
  return {
    blobs,
    ...(planned.path ? { blobFiles: new Map([[layer.digest, planned.path]]) } : {}),
    diffId,
    layer,
    config: configDesc,
    manifest: manifestDesc,
    indexJson: encoder.encode(canonicalJson(index)),
  };
}

/** A file of the layout: bytes, or (the streamed layer) a file holding them. */
export interface LayoutFile {
  readonly path: string;
  readonly data?: Uint8Array;
  readonly file?: { readonly path: string; readonly size: number; readonly sha256: string };
}

/** The files of the layout directory, as relative path → bytes or file, sorted. */
export function layoutFiles(plan: OciImagePlan): LayoutFile[] {
  const files: LayoutFile[] = [
    { path: 'oci-layout', data: encoder.encode(OCI_LAYOUT_FILE) },
    { path: 'index.json', data: plan.indexJson },
  ];
  for (const [digest, data] of plan.blobs) files.push({ path: `blobs/sha256/${digest.slice('sha256:'.length)}`, data });
  for (const [digest, path] of plan.blobFiles ?? []) {
    const hex = digest.slice('sha256:'.length);
    files.push({ path: `blobs/sha256/${hex}`, file: { path, size: plan.layer.size, sha256: hex } });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Writes the layout directory at dest atomically (temp dir next to it, then
 * rename); an existing layout at dest is replaced only once the new one is complete.
 */
export async function writeOciLayout(dest: string, plan: OciImagePlan): Promise<void> {
  await atomicOutput(dest, async (tmp) => {
    await mkdir(join(tmp, 'blobs', 'sha256'), { recursive: true });
    for (const f of layoutFiles(plan)) {
      if (f.data) await writeFile(join(tmp, f.path), f.data, { mode: 0o644 });
      else if (f.file) await placeFile(f.file.path, join(tmp, f.path));
    }
  });
}

/** A blob file into the layout: a hard link (same filesystem: the blob is written once), else a copy (a reflink where the filesystem has them). */
async function placeFile(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to, fsc.COPYFILE_FICLONE);
  }
  await chmod(to, 0o644);
}
