/**
 * `fexpod pull`: a reference → what it names, verified byte for byte.
 *
 *   resolve   the manifest by tag or digest (its bytes checked against the digest)
 *   image     → an OCI image layout (all platforms of an index, or the one asked for),
 *               written atomically, so `skopeo copy oci:DIR …` or `fexpod extract DIR` take it
 *   artifact  → its files, named by org.opencontainers.image.title, each written atomically
 */
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FexpodError } from '../common/errors.js';
import { atomicOutput } from '../common/atomic-output.js';
import { canonicalJson } from '../common/canonical-json.js';
import { ANNOTATION_REF_NAME, ANNOTATION_TITLE, MT, parseManifest, platformString, type Descriptor, type ImageManifest, type ParsedManifest, type Platform } from '../registry/oci.js';
import { formatReference, manifestRef, type ImageReference } from '../registry/reference.js';
import type { ManifestGot, RegistryClient } from '../registry/registry-client.js';
import { downloadBlob } from './blob-download.js';
import type { TransferProgress } from './transfer-progress.js';

export interface Resolved {
  readonly got: ManifestGot;
  readonly parsed: ParsedManifest;
}

export async function resolveManifest(client: RegistryClient, ref: ImageReference, reference = manifestRef(ref)): Promise<Resolved> {
  const got = await client.manifest(ref.repository, reference);
  if (!got) {
    throw new FexpodError(`${formatReference(ref)}: not found in the registry`, { fix: `check the repository and tag (skopeo list-tags docker://${ref.registry}/${ref.repository})` });
  }
  return { got, parsed: parseManifest(got.bytes, got.mediaType || undefined, `${formatReference(ref)}: manifest`) };
}

/** Whether an image manifest is an artifact (a file set, not a container image). */
export function isArtifact(m: ImageManifest): boolean {
  return m.artifactType !== undefined || m.config.mediaType === MT.ociEmpty;
}

function samePlatform(a: Platform | undefined, want: Platform): boolean {
  return a !== undefined && a.os === want.os && a.architecture === want.architecture && (want.variant === undefined || a.variant === want.variant);
}

/** The manifest of one platform in an index (error listing the ones there are). */
export function selectPlatform(index: { manifests: readonly Descriptor[] }, want: Platform, what: string): Descriptor {
  const hit = index.manifests.find((d) => samePlatform(d.platform, want));
  if (!hit) {
    const have = index.manifests.map((d) => platformString(d.platform)).join(', ');
    throw new FexpodError(`${what} has no image for ${platformString(want)} (it has: ${have})`, { fix: 'pick one of those with --platform OS/ARCH[/VARIANT]' });
  }
  return hit;
}

/** A plain file name from a title annotation: no directories, no dot names. */
export function safeTitle(title: string | undefined, what: string): string {
  if (!title || title.includes('/') || title.includes('\0') || title === '.' || title === '..' || title.startsWith('.')) {
    throw new FexpodError(`${what}: the file name ${JSON.stringify(title ?? '')} is not a plain file name`, { fix: 'the artifact is malformed or hostile: do not use it' });
  }
  return title;
}

export interface PullResult {
  readonly reference: string;
  readonly digest: string;
  readonly kind: 'image' | 'index' | 'artifact';
  readonly output: string;
  readonly platforms?: readonly string[];
  readonly files?: readonly { readonly name: string; readonly path: string; readonly digest: string; readonly size: number; readonly mediaType: string }[];
  readonly artifactType?: string;
}

export interface PullOptions {
  readonly platform?: Platform;
  readonly progress?: TransferProgress;
}

/** Writes an artifact's layers as files in outDir. */
async function pullArtifact(client: RegistryClient, ref: ImageReference, r: Resolved, m: ImageManifest, outDir: string, opts: PullOptions): Promise<PullResult> {
  await mkdir(outDir, { recursive: true });
  const files = [];
  for (const layer of m.layers) {
    const name = safeTitle(layer.annotations?.[ANNOTATION_TITLE], `${formatReference(ref)}: layer ${layer.digest}`);
    const dest = join(outDir, name);
    const tmp = join(outDir, `.${name}.fexpod-${process.pid}`);
    await downloadBlob(client, ref.repository, layer, tmp, opts.progress);
    await rename(tmp, dest).catch(async (err: unknown) => {
      await rm(tmp, { force: true });
      throw err;
    });
    opts.progress?.blob(layer.digest, layer.size, 'downloaded');
    files.push({ name, path: dest, digest: layer.digest, size: layer.size, mediaType: layer.mediaType });
  }
  return { reference: formatReference(ref), digest: r.got.digest, kind: 'artifact', output: outDir, files, ...(m.artifactType ? { artifactType: m.artifactType } : {}) };
}

/** Downloads a manifest (and, for an index, its children) with all blobs into layout dir `tmp`. */
async function fetchTree(client: RegistryClient, ref: ImageReference, desc: Descriptor, bytes: Buffer, parsed: ParsedManifest, tmp: string, opts: PullOptions, seen: Set<string>): Promise<void> {
  const blobFile = (d: string) => join(tmp, 'blobs', 'sha256', d.slice('sha256:'.length));
  const put = async (d: Descriptor) => {
    if (seen.has(d.digest)) return;
    seen.add(d.digest);
    await downloadBlob(client, ref.repository, d, blobFile(d.digest), opts.progress);
    opts.progress?.blob(d.digest, d.size, 'downloaded');
  };
  if (parsed.kind === 'index') {
    for (const child of parsed.value.manifests) {
      const c = await resolveManifest(client, ref, child.digest);
      await fetchTree(client, ref, child, c.got.bytes, c.parsed, tmp, opts, seen);
    }
  } else {
    await put(parsed.value.config);
    for (const l of parsed.value.layers) await put(l);
  }
  if (!/^sha256:[a-f0-9]{64}$/.test(desc.digest)) throw new FexpodError(`unsupported digest ${desc.digest}`);
  await writeFile(blobFile(desc.digest), bytes);
}

export async function pull(client: RegistryClient, ref: ImageReference, outDir: string, opts: PullOptions = {}): Promise<PullResult> {
  let r = await resolveManifest(client, ref);
  if (r.parsed.kind === 'manifest' && isArtifact(r.parsed.value)) return pullArtifact(client, ref, r, r.parsed.value, outDir, opts);
  if (r.parsed.kind === 'index' && opts.platform) {
    const d = selectPlatform(r.parsed.value, opts.platform, formatReference(ref));
    r = await resolveManifest(client, ref, d.digest);
  }
  const top: Descriptor = {
    mediaType: r.parsed.value.mediaType ?? r.got.mediaType,
    digest: r.got.digest,
    size: r.got.bytes.length,
    annotations: { [ANNOTATION_REF_NAME]: ref.tag ?? 'latest' },
  };
  const platforms = r.parsed.kind === 'index' ? r.parsed.value.manifests.map((d) => platformString(d.platform)) : undefined;
  const parsed = r.parsed;
  const bytes = r.got.bytes;
  // an existing directory is replaced only when it is an OCI layout (a previous pull), never the user's files
  const existing = await readdir(outDir).catch(() => undefined);
  if (existing && existing.length > 0 && !existing.includes('oci-layout')) {
    throw new FexpodError(`${outDir} exists and is not an OCI image layout`, { fix: 'give a new directory with -o DIR (a previous pull into DIR is replaced)' });
  }
  await atomicOutput(outDir, async (tmp) => {
    await mkdir(join(tmp, 'blobs', 'sha256'), { recursive: true });
    await fetchTree(client, ref, top, bytes, parsed, tmp, opts, new Set());
    await writeFile(join(tmp, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(tmp, 'index.json'), canonicalJson({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [top] }));
  });
  return { reference: formatReference(ref), digest: r.got.digest, kind: r.parsed.kind === 'index' ? 'index' : 'image', output: outDir, ...(platforms ? { platforms } : {}) };
}
