/**
 * Pushing a tree of manifests (an image, an index of images, an artifact)
 * to one repository, in the order that never leaves a manifest pointing at
 * a missing blob: blobs first (in parallel, each once), then child manifests
 * by digest, then the parent, by its tag when it has one (one PUT stores it
 * under both). A manifest the registry already has by digest is skipped with
 * everything under it (a registry only accepts a manifest whose blobs exist):
 * only the tag is written; a tag that already names our digest makes the
 * whole push a no-op of one HEAD request.
 */
import { FexpodError } from '../common/errors.js';
import type { BlobSource, UploadOutcome } from '../registry/blob-upload.js';
import { parseManifest, type Descriptor, type Platform } from '../registry/oci.js';
import { pushScope, type RegistryClient } from '../registry/registry-client.js';
import type { LayoutSource } from './oci-source.js';
import type { TransferProgress } from './transfer-progress.js';

export interface ManifestNode {
  readonly bytes: Buffer;
  readonly digest: string;
  readonly mediaType: string;
  /** Config and layers (image manifest), nothing for an index. */
  readonly blobs: readonly Descriptor[];
  readonly children: readonly ManifestNode[];
  readonly platform?: Platform;
}

/** Where a blob's bytes come from. */
export type BlobProvider = (desc: Descriptor) => BlobSource;

export interface PushOptions {
  readonly jobs: number;
  /** Send blobs bigger than this in chunks of this size (default: each blob in one request). */
  readonly chunkSize?: number;
  /** Repositories on the same registry to mount blobs from. */
  readonly mountFrom?: readonly string[];
  readonly progress?: TransferProgress;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export interface PushStats {
  uploaded: number;
  uploadedBytes: number;
  existing: number;
  mounted: number;
  manifests: number;
  manifestsExisting: number;
}

export function emptyStats(): PushStats {
  return { uploaded: 0, uploadedBytes: 0, existing: 0, mounted: 0, manifests: 0, manifestsExisting: 0 };
}

/** A manifest of a layout and, for an index, the manifests under it. */
export async function layoutNode(src: LayoutSource, desc: Descriptor, depth = 0): Promise<ManifestNode> {
  if (depth > 4) throw new FexpodError(`${src.origin}: image indexes nested too deeply`);
  const bytes = await src.readBlob(desc.digest);
  const parsed = parseManifest(bytes, desc.mediaType, `${src.origin}: manifest ${desc.digest}`);
  const mediaType = parsed.value.mediaType ?? desc.mediaType;
  if (parsed.kind === 'index') {
    const children = [];
    for (const c of parsed.value.manifests) children.push(await layoutNode(src, c, depth + 1));
    return { bytes, digest: desc.digest, mediaType, blobs: [], children, ...(desc.platform ? { platform: desc.platform } : {}) };
  }
  return { bytes, digest: desc.digest, mediaType, blobs: [parsed.value.config, ...parsed.value.layers], children: [], ...(desc.platform ? { platform: desc.platform } : {}) };
}

function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    while (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export class Pusher {
  readonly stats = emptyStats();
  private readonly blobs = new Map<string, Promise<UploadOutcome>>();
  private readonly manifests = new Map<string, Promise<void>>();
  private readonly limit: <T>(fn: () => Promise<T>) => Promise<T>;

  constructor(private readonly client: RegistryClient, readonly repo: string, private readonly provider: BlobProvider, private readonly opts: PushOptions) {
    this.limit = limiter(Math.max(1, opts.jobs));
  }

  /**
   * Pushes node (and everything under it) by digest, or by `tag` (which stores it
   * by digest too); each manifest and blob at most once.
   */
  push(node: ManifestNode, tag?: string): Promise<void> {
    let p = this.manifests.get(node.digest);
    if (!p) {
      p = this.pushOnce(node, tag);
      this.manifests.set(node.digest, p);
    }
    return p;
  }

  private async pushOnce(node: ManifestNode, tag: string | undefined): Promise<void> {
    const have = await this.client.manifestHead(this.repo, node.digest, [pushScope(this.repo)]);
    if (have) {
      this.stats.manifestsExisting++;
      if (tag !== undefined) await this.client.putManifest(this.repo, tag, node.mediaType, node.bytes);
      return;
    }
    await Promise.all([...node.children.map((c) => this.push(c)), ...node.blobs.map((b) => this.blob(b))]);
    await this.client.putManifest(this.repo, tag ?? node.digest, node.mediaType, node.bytes);
    this.stats.manifests++;
  }

  /** Uploads one blob (at most once per push). */
  blob(desc: Descriptor): Promise<UploadOutcome> {
    let p = this.blobs.get(desc.digest);
    if (!p) {
      p = this.limit(async () => {
        const t0 = this.opts.now();
        // the upload code loads when a blob is first needed: a re-push the tag or the
        // manifest answers never gets here
        const { uploadBlob, DEFAULT_CHUNK_SIZE } = await import('../registry/blob-upload.js');
        const outcome = await uploadBlob(this.client, this.repo, this.provider(desc), {
          chunkSize: this.opts.chunkSize ?? DEFAULT_CHUNK_SIZE,
          ...(this.opts.mountFrom ? { mountFrom: this.opts.mountFrom } : {}),
          ...(this.opts.progress ? { onProgress: (d: number) => this.opts.progress?.bytes(d) } : {}),
          sleep: this.opts.sleep,
          now: this.opts.now,
          random: this.opts.random,
        });
        if (outcome === 'uploaded') {
          this.stats.uploaded++;
          this.stats.uploadedBytes += desc.size;
        } else if (outcome === 'mounted') this.stats.mounted++;
        else this.stats.existing++;
        this.opts.progress?.blob(desc.digest, desc.size, outcome, (this.opts.now() - t0) / 1000);
        return outcome;
      });
      this.blobs.set(desc.digest, p);
    }
    return p;
  }

  /**
   * Pushes node and points `tag` at it. Returns false when the tag already named
   * this digest (nothing was sent but one HEAD).
   */
  async pushTagged(node: ManifestNode, tag: string | undefined): Promise<boolean> {
    if (tag !== undefined) {
      const current = await this.client.manifestHead(this.repo, tag, [pushScope(this.repo)]);
      if (current?.digest === node.digest) return false;
    }
    await this.push(node, tag);
    return true;
  }
}
