/**
 * The OCI (and Docker v2) manifest vocabulary the client reads and writes:
 * media types, descriptors, image manifests, image indexes. Manifests from a
 * registry or a layout are untrusted input: parsed with zod, unknown fields
 * kept (the bytes, not the parsed value, are what gets pushed and hashed).
 */
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

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
  readonly urls?: readonly string[];
  readonly [extra: string]: unknown;
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [extra: string]: unknown;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [extra: string]: unknown;
}

/*
 * Structural checks by hand rather than with zod: these run on every push and
 * pull, and zod's import alone is a noticeable part of a short CLI run.
 * Unknown fields are kept; the bytes, not this value, are what gets pushed.
 */
class ShapeError extends Error {}

const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function obj(v: unknown, at: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ShapeError(`${at} must be an object`);
  return v as Record<string, unknown>;
}

function optString(o: Record<string, unknown>, k: string, at: string): void {
  if (o[k] !== undefined && typeof o[k] !== 'string') throw new ShapeError(`${at}.${k} must be a string`);
}

function stringMap(v: unknown, at: string): void {
  if (v === undefined) return;
  for (const [k, x] of Object.entries(obj(v, at))) if (typeof x !== 'string') throw new ShapeError(`${at}.${k} must be a string`);
}

function checkDescriptor(v: unknown, at: string): Descriptor {
  const d = obj(v, at);
  if (typeof d['mediaType'] !== 'string') throw new ShapeError(`${at}.mediaType must be a string`);
  if (typeof d['digest'] !== 'string' || !DIGEST_RE.test(d['digest'])) throw new ShapeError(`${at}.digest is not a digest`);
  if (typeof d['size'] !== 'number' || !Number.isSafeInteger(d['size']) || d['size'] < 0) throw new ShapeError(`${at}.size must be a whole number`);
  stringMap(d['annotations'], `${at}.annotations`);
  optString(d, 'artifactType', at);
  if (d['platform'] !== undefined) {
    const p = obj(d['platform'], `${at}.platform`);
    if (typeof p['architecture'] !== 'string' || typeof p['os'] !== 'string') throw new ShapeError(`${at}.platform needs architecture and os`);
    optString(p, 'variant', `${at}.platform`);
  }
  if (d['urls'] !== undefined && (!Array.isArray(d['urls']) || d['urls'].some((u) => typeof u !== 'string'))) throw new ShapeError(`${at}.urls must be strings`);
  return d as unknown as Descriptor;
}

function checkCommon(o: Record<string, unknown>): void {
  if (o['schemaVersion'] !== 2) throw new ShapeError('schemaVersion must be 2');
  optString(o, 'mediaType', '');
  optString(o, 'artifactType', '');
  stringMap(o['annotations'], 'annotations');
  if (o['subject'] !== undefined) checkDescriptor(o['subject'], 'subject');
}

function checkManifest(v: unknown): ImageManifest {
  const o = obj(v, 'the manifest');
  checkCommon(o);
  checkDescriptor(o['config'], 'config');
  if (!Array.isArray(o['layers'])) throw new ShapeError('layers must be a list');
  o['layers'].forEach((l, i) => checkDescriptor(l, `layers.${i}`));
  return o as unknown as ImageManifest;
}

function checkIndex(v: unknown): ImageIndex {
  const o = obj(v, 'the index');
  checkCommon(o);
  if (!Array.isArray(o['manifests'])) throw new ShapeError('manifests must be a list');
  o['manifests'].forEach((m, i) => checkDescriptor(m, `manifests.${i}`));
  return o as unknown as ImageIndex;
}

/** An image index's JSON value, checked (index.json of a layout). */
export function asIndex(v: unknown, what: string): ImageIndex {
  try {
    return checkIndex(v);
  } catch (err) {
    throw new FexpodError(`${what}: not a valid image index: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export type ParsedManifest = { readonly kind: 'manifest'; readonly value: ImageManifest } | { readonly kind: 'index'; readonly value: ImageIndex };

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
  try {
    return isIndex ? { kind: 'index', value: checkIndex(raw) } : { kind: 'manifest', value: checkManifest(raw) };
  } catch (err) {
    throw new FexpodError(`${what}: not a valid image ${isIndex ? 'index' : 'manifest'}: ${err instanceof Error ? err.message : String(err)}`);
  }
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
