/**
 * The OCI (and Docker v2) manifest vocabulary the client reads and writes:
 * media types, descriptors, image manifests, image indexes. Manifests from a
 * registry or a layout are untrusted input: parsed with zod, unknown fields
 * kept (the bytes, not the parsed value, are what gets pushed and hashed).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FexpodError } from '../common/errors.js';

export const MT = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export const MANIFEST_TYPES: readonly string[] = [MT.ociManifest, MT.dockerManifest];
export const INDEX_TYPES: readonly string[] = [MT.ociIndex, MT.dockerList];
/** Accept header for manifest GET/HEAD. */
export const ACCEPT_MANIFESTS = [MT.ociIndex, MT.ociManifest, MT.dockerList, MT.dockerManifest].join(', ');

/** The empty config blob of artifacts (image-spec "empty descriptor"). */
export const EMPTY_JSON = Buffer.from('{}');
export const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

export const ANNOTATION_TITLE = 'org.opencontainers.image.title';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';

const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
});

export const descriptorSchema = z.looseObject({
  mediaType: z.string(),
  digest: z.string().regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  artifactType: z.string().optional(),
  urls: z.array(z.string()).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;
export type Platform = z.infer<typeof platformSchema>;

export const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageManifest = z.infer<typeof manifestSchema>;

export const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ImageIndex = z.infer<typeof indexSchema>;

export type ParsedManifest = { readonly kind: 'manifest'; readonly value: ImageManifest } | { readonly kind: 'index'; readonly value: ImageIndex };

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Parses manifest bytes (image manifest or index), by media type or by shape. */
export function parseManifest(bytes: Uint8Array, mediaType: string | undefined, what: string): ParsedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new FexpodError(`${what}: not JSON`, { cause: err });
  }
  const declared = mediaType ?? (raw !== null && typeof raw === 'object' && 'mediaType' in raw ? String((raw as { mediaType: unknown }).mediaType) : undefined);
  const isIndex = declared !== undefined ? INDEX_TYPES.includes(declared) : raw !== null && typeof raw === 'object' && 'manifests' in raw;
  if (isIndex) {
    const r = indexSchema.safeParse(raw);
    if (!r.success) throw new FexpodError(`${what}: not a valid image index: ${r.error.issues[0]?.message ?? ''} at ${r.error.issues[0]?.path.join('.') ?? ''}`);
    return { kind: 'index', value: r.data };
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success) throw new FexpodError(`${what}: not a valid image manifest: ${r.error.issues[0]?.message ?? ''} at ${r.error.issues[0]?.path.join('.') ?? ''}`);
  return { kind: 'manifest', value: r.data };
}

/** Media type of manifest bytes: their own mediaType field, else by shape. */
export function manifestMediaType(bytes: Uint8Array): string {
  const p = parseManifest(bytes, undefined, 'manifest');
  return p.value.mediaType ?? (p.kind === 'index' ? MT.ociIndex : MT.ociManifest);
}

export function platformString(p: Platform | undefined): string {
  if (!p) return 'unknown';
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** "linux/arm64/v8" → platform; os defaults to linux. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length === 1) return { os: 'linux', architecture: parts[0] ?? '' };
  return { os: parts[0] ?? 'linux', architecture: parts[1] ?? '', ...(parts[2] ? { variant: parts[2] } : {}) };
}
