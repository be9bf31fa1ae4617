/**
 * OCI artifacts fexpod publishes (image-spec 1.1 "artifacts"): an EroFS or
 * SquashFS RootFS/overlay file as one layer of a manifest with an
 * artifactType of our own and the empty config, and an SPDX SBOM as a
 * referrer whose `subject` is the image or artifact it describes.
 *
 *   artifactType  application/vnd.fexpod.rootfs.v1     (FEX RootFS)
 *                 application/vnd.fexpod.overlay.v1    (overlay over a RootFS, e.g. Mesa)
 *   layer         application/vnd.fexpod.filesystem.erofs.v1 | ….squashfs.v1
 *                 annotations: org.opencontainers.image.title = file name,
 *                 io.fexpod.xxh3 = XXH3-64 hex (FEXRootFSFetcher's Hash)
 *   SBOM          artifactType and layer application/spdx+json
 *
 * Planning is pure and deterministic: the same file and SOURCE_DATE_EPOCH
 * give the same manifest bytes (keys sorted, no wall-clock time).
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { canonicalJson, rfc3339 } from '../common/canonical-json.js';
import { FS_IMAGE_HEAD, fsImageKind } from '../common/fs-image-kind.js';
import { sha256Digest } from '../common/hash.js';
import { ANNOTATION_CREATED, ANNOTATION_TITLE, EMPTY_DIGEST, EMPTY_JSON, MT, type Descriptor } from '../registry/oci.js';

export const ARTIFACT_TYPES = {
  rootfs: 'application/vnd.fexpod.rootfs.v1',
  overlay: 'application/vnd.fexpod.overlay.v1',
} as const;
export type ArtifactRole = keyof typeof ARTIFACT_TYPES;

export const FS_MEDIA_TYPES = {
  erofs: 'application/vnd.fexpod.filesystem.erofs.v1',
  squashfs: 'application/vnd.fexpod.filesystem.squashfs.v1',
} as const;
export type FsKind = keyof typeof FS_MEDIA_TYPES;

export const SBOM_TYPE = 'application/spdx+json';
export const ANNOTATION_XXH3 = 'io.fexpod.xxh3';
export const ANNOTATION_ARCH = 'io.fexpod.arch';

export const EMPTY_DESCRIPTOR: Descriptor = { mediaType: MT.ociEmpty, digest: EMPTY_DIGEST, size: EMPTY_JSON.length };

/** The file system of an image file from its magic (fsImageKind: as FEX decides it). */
export async function detectFsKind(path: string): Promise<FsKind | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(FS_IMAGE_HEAD);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return fsImageKind(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export function roleOfArtifactType(t: string | undefined): ArtifactRole | undefined {
  if (t === ARTIFACT_TYPES.rootfs) return 'rootfs';
  if (t === ARTIFACT_TYPES.overlay) return 'overlay';
  return undefined;
}

export function kindOfMediaType(t: string): FsKind | undefined {
  if (t === FS_MEDIA_TYPES.erofs) return 'erofs';
  if (t === FS_MEDIA_TYPES.squashfs) return 'squashfs';
  return undefined;
}

export interface PlannedManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The blobs it references (the empty config included). */
  readonly blobs: readonly Descriptor[];
}

export function descriptorOf(m: PlannedManifest): Descriptor {
  return {
    mediaType: m.mediaType,
    digest: m.digest,
    size: m.bytes.length,
    ...(m.artifactType ? { artifactType: m.artifactType } : {}),
    ...(m.annotations && Object.keys(m.annotations).length > 0 ? { annotations: { ...m.annotations } } : {}),
  };
}

function plan(manifest: Record<string, unknown>, blobs: Descriptor[], artifactType: string, annotations: Record<string, string>): PlannedManifest {
  const bytes = Buffer.from(canonicalJson(manifest));
  return { bytes, digest: sha256Digest(bytes), mediaType: MT.ociManifest, artifactType, annotations, blobs };
}

export interface FileArtifactInput {
  readonly role: ArtifactRole;
  readonly kind: FsKind;
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  /** XXH3-64 hex, for FEXRootFSFetcher's index. */
  readonly xxh3?: string;
  /** SOURCE_DATE_EPOCH: org.opencontainers.image.created (omitted when unknown). */
  readonly sourceDateEpoch?: number;
  /** The guest architecture of the tree ("x86_64"). */
  readonly arch?: string;
  readonly name?: string;
}

export function planFileArtifact(f: FileArtifactInput): PlannedManifest {
  const file = basename(f.path);
  const layer: Descriptor = {
    mediaType: FS_MEDIA_TYPES[f.kind],
    digest: f.digest,
    size: f.size,
    annotations: { [ANNOTATION_TITLE]: file, ...(f.xxh3 ? { [ANNOTATION_XXH3]: f.xxh3 } : {}) },
  };
  const annotations: Record<string, string> = {
    [ANNOTATION_TITLE]: f.name ?? file,
    ...(f.sourceDateEpoch !== undefined ? { [ANNOTATION_CREATED]: rfc3339(f.sourceDateEpoch) } : {}),
    ...(f.arch ? { [ANNOTATION_ARCH]: f.arch } : {}),
  };
  const artifactType = ARTIFACT_TYPES[f.role];
  return plan(
    { schemaVersion: 2, mediaType: MT.ociManifest, artifactType, config: EMPTY_DESCRIPTOR, layers: [layer], annotations },
    [EMPTY_DESCRIPTOR, layer],
    artifactType,
    annotations,
  );
}

export interface SbomInput {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly subject: Descriptor;
  readonly sourceDateEpoch?: number;
}

/** An SPDX SBOM as a referrer of `subject`. */
export function planSbomReferrer(s: SbomInput): { manifest: PlannedManifest; layer: Descriptor } {
  const layer: Descriptor = { mediaType: SBOM_TYPE, digest: sha256Digest(s.bytes), size: s.bytes.length, annotations: { [ANNOTATION_TITLE]: basename(s.fileName) } };
  const subject: Descriptor = { mediaType: s.subject.mediaType, digest: s.subject.digest, size: s.subject.size };
  const annotations: Record<string, string> = s.sourceDateEpoch !== undefined ? { [ANNOTATION_CREATED]: rfc3339(s.sourceDateEpoch) } : {};
  const manifest = plan(
    { schemaVersion: 2, mediaType: MT.ociManifest, artifactType: SBOM_TYPE, config: EMPTY_DESCRIPTOR, layers: [layer], subject, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    [EMPTY_DESCRIPTOR, layer],
    SBOM_TYPE,
    annotations,
  );
  return { manifest, layer };
}

/** An image index over the given manifests (multi-platform push). */
export function planIndex(manifests: readonly Descriptor[]): PlannedManifest {
  const bytes = Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: MT.ociIndex, manifests }));
  return { bytes, digest: sha256Digest(bytes), mediaType: MT.ociIndex, blobs: [] };
}
