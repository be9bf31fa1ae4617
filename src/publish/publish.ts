/**
 * What `fexpod push` and `fexpod build --push` publish, top to bottom:
 *
 *   plan     layouts → one image manifest, or an index over several platforms;
 *            an EroFS/SquashFS file → an artifact manifest (artifact.ts)
 *   push     blobs, manifests, tag (push.ts)
 *   sbom     the SPDX file as a referrer of what was pushed (referrers.ts)
 *   index    optionally, FEXRootFSFetcher's RootFS_links.json pointing at the pushed file
 *
 * What only artifacts, indexes, SBOMs and the FEX index need loads when they
 * are asked for: a re-push of an unchanged image loads none of it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { basename, dirname, join } from 'node:path';
import { FexpodError, inContext } from '../common/errors.js';
import type { BlobSource } from '../registry/blob-upload.js';
import { sha256Digest } from '../common/hash.js';
import { EMPTY_DIGEST, EMPTY_JSON, parseManifest, platformString, type Descriptor, type Platform } from '../registry/oci.js';
import { formatReference, type ImageReference } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { ArtifactRole, FsKind } from './artifact.js';
import type { LayoutSource } from './oci-source.js';
import { layoutNode, Pusher, type ManifestNode, type PushOptions, type PushStats } from './push.js';
import type { AttachOutcome } from './referrers.js';

export interface FileToPublish {
  readonly path: string;
  readonly role: ArtifactRole;
  readonly sourceDateEpoch?: number;
  readonly arch?: string;
}

export interface PublishRequest {
  readonly ref: ImageReference;
  /** One or more OCI layouts (several: an image index over their platforms). */
  readonly layouts?: readonly LayoutSource[];
  /** Or one EroFS/SquashFS file, pushed as an artifact. */
  readonly file?: FileToPublish;
  /** An SPDX SBOM to attach as a referrer. */
  readonly sbom?: string;
  readonly sourceDateEpoch?: number;
  /** Write/merge FEXRootFSFetcher's index here, pointing at the pushed file's blob URL. */
  readonly fexIndex?: string;
}

export interface PublishResult {
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly kind: 'image' | 'index' | 'artifact';
  /** false: the tag already named this digest; nothing was uploaded. */
  readonly changed: boolean;
  readonly manifests: readonly { readonly digest: string; readonly platform: string }[];
  readonly referrers: readonly { readonly digest: string; readonly artifactType: string; readonly via: AttachOutcome }[];
  readonly blobs: PushStats;
  readonly artifact?: { readonly file: string; readonly kind: FsKind; readonly digest: string; readonly size: number; readonly xxh3: string; readonly url: string };
  readonly fexIndex?: string;
}

/** sha256 and XXH3-64 of a file in one read. */
export async function hashFile(path: string): Promise<{ digest: string; xxh3: string; size: number }> {
  const { createXXHash3 } = await import('hash-wasm');
  const x = await createXXHash3();
  x.init();
  const h = createHash('sha256');
  let size = 0;
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const b = c as Buffer;
    h.update(b);
    x.update(b);
    size += b.length;
  }
  return { digest: `sha256:${h.digest('hex')}`, xxh3: x.digest('hex'), size };
}

function fileBlob(path: string, desc: Pick<Descriptor, 'digest' | 'size'>): BlobSource {
  return { digest: desc.digest, size: desc.size, open: (start, end) => createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }) };
}

function bufferBlob(data: Buffer): BlobSource {
  return { digest: sha256Digest(data), size: data.length, open: (start, end) => Readable.from([data.subarray(start, end)]) };
}

async function platformOf(src: LayoutSource, node: ManifestNode, desc: Descriptor): Promise<Platform> {
  if (desc.platform) return desc.platform;
  const parsed = parseManifest(node.bytes, node.mediaType, 'manifest');
  if (parsed.kind !== 'manifest') throw new FexpodError(`${src.origin}: an index cannot be a platform of another index`);
  const cfg = JSON.parse((await src.readBlob(parsed.value.config.digest)).toString('utf8')) as { architecture?: unknown; os?: unknown; variant?: unknown };
  if (typeof cfg.architecture !== 'string' || typeof cfg.os !== 'string') throw new FexpodError(`${src.origin}: the image config names no architecture/os`, { fix: 'rebuild the image' });
  return { architecture: cfg.architecture, os: cfg.os, ...(typeof cfg.variant === 'string' ? { variant: cfg.variant } : {}) };
}

interface Planned {
  readonly root: ManifestNode;
  readonly kind: PublishResult['kind'];
  readonly provider: (d: Descriptor) => BlobSource;
  readonly artifact?: { file: string; kind: FsKind; digest: string; size: number; xxh3: string };
}

async function planLayouts(layouts: readonly LayoutSource[]): Promise<Planned> {
  const byDigest = new Map<string, LayoutSource>();
  const nodes: { node: ManifestNode; desc: Descriptor; src: LayoutSource }[] = [];
  for (const src of layouts) {
    for (const desc of src.manifests) {
      const node = await layoutNode(src, desc);
      nodes.push({ node, desc, src });
      const mark = (n: ManifestNode) => {
        for (const b of n.blobs) if (!byDigest.has(b.digest)) byDigest.set(b.digest, src);
        n.children.forEach(mark);
      };
      mark(node);
    }
  }
  const provider = (d: Descriptor) => {
    const src = byDigest.get(d.digest);
    if (!src) throw new FexpodError(`blob ${d.digest} is in none of the layouts`);
    return src.blob(d);
  };
  const only = nodes[0];
  if (nodes.length === 1 && only) return { root: only.node, kind: only.node.children.length > 0 ? 'index' : 'image', provider };
  const descs: Descriptor[] = [];
  for (const { node, desc, src } of nodes) {
    if (node.children.length > 0) throw new FexpodError(`${src.origin}: an image index cannot be combined with other images`, { fix: 'push it on its own' });
    const platform = await platformOf(src, node, desc);
    if (descs.some((d) => platformString(d.platform) === platformString(platform))) {
      throw new FexpodError(`two images for platform ${platformString(platform)}`, { fix: 'give one layout per platform' });
    }
    descs.push({ mediaType: node.mediaType, digest: node.digest, size: node.bytes.length, platform });
  }
  const { planIndex } = await import('./artifact.js');
  const index = planIndex(descs);
  return { root: { bytes: index.bytes, digest: index.digest, mediaType: index.mediaType, blobs: [], children: nodes.map((n) => ({ ...n.node, platform: descs.find((d) => d.digest === n.node.digest)?.platform ?? { architecture: '', os: '' } })) }, kind: 'index', provider };
}

async function planFile(f: FileToPublish): Promise<Planned> {
  const { detectFsKind, planFileArtifact } = await import('./artifact.js');
  const kind = await detectFsKind(f.path).catch((err: unknown) => {
    throw new FexpodError(`cannot read ${f.path}`, { cause: err, fix: 'give an EroFS or SquashFS file, or an OCI layout' });
  });
  if (!kind) throw new FexpodError(`${f.path} is neither an EroFS nor a SquashFS image, nor an OCI layout`, { fix: 'give NAME.oci, NAME.oci.tar, an .erofs or a .sqfs file from fexpod build' });
  const h = await hashFile(f.path);
  const m = planFileArtifact({ role: f.role, kind, path: f.path, digest: h.digest, size: h.size, xxh3: h.xxh3, ...(f.sourceDateEpoch !== undefined ? { sourceDateEpoch: f.sourceDateEpoch } : {}), ...(f.arch ? { arch: f.arch } : {}) });
  return {
    root: { bytes: m.bytes, digest: m.digest, mediaType: m.mediaType, blobs: m.blobs, children: [] },
    kind: 'artifact',
    provider: (d) => (d.digest === EMPTY_DIGEST ? bufferBlob(EMPTY_JSON) : fileBlob(f.path, d)),
    artifact: { file: basename(f.path), kind, digest: h.digest, size: h.size, xxh3: h.xxh3 },
  };
}

function readSbom(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new FexpodError(`cannot read the SBOM ${path}`, { cause: err, fix: 'give the NAME.spdx.json fexpod build wrote (--format …,sbom)' });
  }
}

async function pushSbom(client: RegistryClient, pusher: Pusher, fileName: string, bytes: Buffer, subject: Descriptor, epoch: number | undefined) {
  const [{ planSbomReferrer }, { attachReferrer, listReferrers }] = await Promise.all([import('./artifact.js'), import('./referrers.js')]);
  const { manifest } = planSbomReferrer({ fileName, bytes, subject, ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}) });
  const repo = pusher.repo;
  let via: AttachOutcome;
  if (await client.manifestHead(repo, manifest.digest)) {
    // pushed before: present if its subject lists it (API or tag), else (re)attach through the tag
    const listed = await listReferrers(client, repo, subject.digest);
    via = listed.referrers.some((d) => d.digest === manifest.digest) ? 'present' : await attachReferrer(client, repo, manifest, subject.digest, false);
  } else {
    await Promise.all(manifest.blobs.map((b) => pusher.blob(b)));
    const put = await client.putManifest(repo, manifest.digest, manifest.mediaType, manifest.bytes);
    via = await attachReferrer(client, repo, manifest, subject.digest, put.subject === subject.digest);
  }
  return { manifest, via };
}

export async function publish(client: RegistryClient, req: PublishRequest, opts: PushOptions): Promise<PublishResult> {
  const planned = req.file ? await planFile(req.file) : await planLayouts(req.layouts ?? []);
  const sbomBytes = req.sbom ? readSbom(req.sbom) : undefined;
  const provider = (d: Descriptor): BlobSource => {
    if (d.digest === EMPTY_DIGEST) return bufferBlob(EMPTY_JSON);
    if (sbomBytes && d.digest === sha256Digest(sbomBytes)) return bufferBlob(sbomBytes);
    return planned.provider(d);
  };
  const pusher = new Pusher(client, req.ref.repository, provider, opts);
  const root = planned.root;
  if (req.ref.digest && req.ref.digest !== root.digest) {
    throw new FexpodError(`${formatReference(req.ref)}: the content's digest is ${root.digest}`, { fix: 'push to a tag, or to the digest the content has' });
  }
  // no tag and no digest: "latest", as podman and skopeo do
  const ref: ImageReference = req.ref.tag === undefined && req.ref.digest === undefined ? { ...req.ref, tag: 'latest' } : req.ref;
  const changed = await inContext(`pushing to ${formatReference(ref)}`, () => pusher.pushTagged(root, ref.tag));
  const subject: Descriptor = { mediaType: root.mediaType, digest: root.digest, size: root.bytes.length };
  const referrers: { digest: string; artifactType: string; via: AttachOutcome }[] = [];
  if (req.sbom && sbomBytes) {
    const bytes = sbomBytes;
    const r = await inContext(`attaching the SBOM to ${root.digest}`, () => pushSbom(client, pusher, req.sbom ?? '', bytes, subject, req.sourceDateEpoch ?? req.file?.sourceDateEpoch));
    referrers.push({ digest: r.manifest.digest, artifactType: r.manifest.artifactType ?? '', via: r.via });
  }
  const base = await client.ping();
  const url = planned.artifact ? `${base.protocol}//${base.host}/v2/${req.ref.repository}/blobs/${planned.artifact.digest}` : '';
  let fexIndex: string | undefined;
  if (req.fexIndex && planned.artifact && req.file) {
    fexIndex = req.fexIndex;
    await writeFexIndex(req.fexIndex, req.file.path, planned.artifact.kind, planned.artifact.xxh3, url);
  }
  return {
    reference: formatReference(ref),
    digest: root.digest,
    mediaType: root.mediaType,
    size: root.bytes.length,
    kind: planned.kind,
    changed,
    manifests: root.children.length > 0 ? root.children.map((c) => ({ digest: c.digest, platform: platformString(c.platform) })) : [{ digest: root.digest, platform: platformString(root.platform) }],
    referrers,
    blobs: pusher.stats,
    ...(planned.artifact ? { artifact: { ...planned.artifact, url } } : {}),
    ...(fexIndex ? { fexIndex } : {}),
  };
}

/**
 * Adds the pushed file to FEXRootFSFetcher's index at `out`: the entry name,
 * DistroMatch and DistroVersion come from the RootFS_links.json fexpod build
 * wrote next to the file; URL becomes the registry's blob URL.
 */
async function writeFexIndex(out: string, file: string, kind: FsKind, xxh3: string, url: string): Promise<void> {
  const [{ writeAtomic }, { canonicalJson }] = await Promise.all([import('../common/atomic-write.js'), import('../common/canonical-json.js')]);
  const neighbour = join(dirname(file), 'RootFS_links.json');
  const readIndex = (p: string): Record<string, Record<string, string>> => {
    let text: string;
    try {
      text = readFileSync(p, 'utf8');
    } catch {
      return {};
    }
    const j = JSON.parse(text) as { v1?: Record<string, Record<string, string>> };
    return j.v1 ?? {};
  };
  const built = readIndex(neighbour);
  const entry = Object.entries(built).find(([, e]) => basename(e['URL'] ?? '') === basename(file));
  if (!entry) {
    throw new FexpodError(`no entry for ${basename(file)} in ${neighbour}`, {
      fix: 'push the file from the output directory of the fexpod build that made it (the build writes RootFS_links.json next to it)',
    });
  }
  const [name, e] = entry;
  const existing = existsSync(out) ? readIndex(out) : {};
  existing[name] = { DistroMatch: e['DistroMatch'] ?? '', DistroVersion: e['DistroVersion'] ?? '', URL: url, Hash: xxh3, Type: kind };
  await writeAtomic(out, canonicalJson({ v1: existing }) + '\n');
}

