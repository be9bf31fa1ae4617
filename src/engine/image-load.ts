/**
 * `fexpod build --load`: hands the OCI layout the build wrote to the local
 * engine through POST /images/load. The archive is the hybrid `docker save`
 * has written since Docker 25: the OCI layout (oci-layout, index.json,
 * blobs/sha256/…) plus a manifest.json naming the config, the layers and the
 * tag. Docker Engine (any version) reads manifest.json; Podman's API service
 * reads it as docker-archive or oci-archive; the layers are the layout's own
 * blobs, byte for byte, so the engine stores the same digests.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { FexpodError, errorMessage } from '../common/errors.js';
import type { ConnectedEngine } from './engine-client.js';

const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];

interface Descriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size?: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface LayoutImage {
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

function isDescriptor(v: unknown): v is Descriptor {
  return typeof v === 'object' && v !== null && typeof (v as { digest?: unknown }).digest === 'string' && /^sha256:[0-9a-f]{64}$/.test((v as { digest: string }).digest);
}

export function blobPath(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** Reads index.json and the (single) image manifest of an OCI layout directory. */
export async function readLayoutImage(layoutDir: string): Promise<LayoutImage> {
  const bad = (what: string) => new FexpodError(`${layoutDir}: not an OCI image layout fexpod can load: ${what}`, { fix: 'build with --format oci (fexpod build writes NAME.oci/)' });
  let index: unknown;
  try {
    index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8'));
  } catch (err) {
    throw bad(`index.json: ${errorMessage(err)}`);
  }
  const manifests = (index as { manifests?: unknown }).manifests;
  const images = Array.isArray(manifests) ? manifests.filter(isDescriptor).filter((d) => MANIFEST_TYPES.includes(d.mediaType ?? '')) : [];
  const manifest = images[0];
  if (!manifest || images.length !== 1) throw bad(`index.json lists ${images.length} image manifests, expected 1`);
  const m: unknown = JSON.parse(await readFile(join(layoutDir, blobPath(manifest.digest)), 'utf8'));
  const config = (m as { config?: unknown }).config;
  const layers = (m as { layers?: unknown }).layers;
  if (!isDescriptor(config) || !Array.isArray(layers) || !layers.every(isDescriptor)) throw bad(`manifest ${manifest.digest} has no config or layers`);
  return { manifest, config, layers };
}

/** The docker-archive manifest.json for one image under one tag. */
export function dockerManifestJson(image: LayoutImage, ref: string): string {
  return JSON.stringify([{ Config: blobPath(image.config.digest), RepoTags: [ref], Layers: image.layers.map((l) => blobPath(l.digest)) }]);
}

/** index.json naming the image by its full reference (Podman and containerd read these annotations). */
export function namedIndexJson(image: LayoutImage, ref: string): string {
  const annotations = { ...image.manifest.annotations, 'org.opencontainers.image.ref.name': ref, 'io.containerd.image.name': ref };
  return JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...image.manifest, annotations }] });
}

/** The hybrid archive as a stream (blobs streamed from disk, never held whole in memory). */
export async function loadArchive(layoutDir: string, image: LayoutImage, ref: string): Promise<Readable> {
  const { pack: makePack } = await import('tar-stream');
  const pack = makePack();
  const small = (name: string, data: string) =>
    new Promise<void>((res, rej) => pack.entry({ name, mode: 0o644, mtime: new Date(0) }, data, (err) => (err ? rej(err) : res())));
  const blob = async (digest: string) => {
    const path = join(layoutDir, blobPath(digest));
    const { size } = await stat(path);
    await new Promise<void>((res, rej) => {
      const entry = pack.entry({ name: blobPath(digest), size, mode: 0o644, mtime: new Date(0) }, (err) => (err ? rej(err) : res()));
      createReadStream(path).on('error', rej).pipe(entry);
    });
  };
  const out = new PassThrough();
  pack.pipe(out);
  void (async () => {
    await small('manifest.json', dockerManifestJson(image, ref));
    await small('oci-layout', '{"imageLayoutVersion":"1.0.0"}');
    await small('index.json', namedIndexJson(image, ref));
    for (const d of [image.manifest.digest, image.config.digest, ...image.layers.map((l) => l.digest)]) await blob(d);
    pack.finalize();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/** Parses the engine's load response (JSON objects, one a line; Docker streams progress, Podman answers once). */
export function parseLoadResponse(text: string): { loaded: string[]; error?: string } {
  const loaded: string[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')) {
    let msg: { stream?: unknown; error?: unknown; errorDetail?: { message?: unknown }; message?: unknown; cause?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return { loaded, error: line };
    }
    const err = msg.errorDetail?.message ?? msg.error ?? (msg.cause !== undefined ? msg.message : undefined);
    if (typeof err === 'string') return { loaded, error: err };
    if (typeof msg.stream === 'string') {
      for (const m of msg.stream.matchAll(/Loaded image(?: ID)?: (\S+)/g)) if (m[1]) loaded.push(m[1]);
    }
  }
  return { loaded };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text;
}

export interface LoadResult {
  readonly engine: string;
  readonly address: string;
  readonly reference: string;
  readonly manifestDigest: string;
  readonly configDigest: string;
  /** What the engine reported ("localhost/demo:latest"). */
  readonly loaded: readonly string[];
}

/** Loads the layout's image into the engine under ref. */
export async function loadIntoEngine(engine: ConnectedEngine, layoutDir: string, ref: string): Promise<LoadResult> {
  const image = await readLayoutImage(layoutDir);
  let text: string;
  try {
    text = await readAll(await engine.api.loadImage(await loadArchive(layoutDir, image, ref)));
  } catch (err) {
    throw new FexpodError(`loading ${ref} into ${engine.product} at ${engine.address}: ${errorMessage(err)}`, {
      cause: err,
      fix: 'the OCI layout is still in the output directory: load it by hand (podman load -i NAME.oci.tar) to see the engine\'s own error',
    });
  }
  const r = parseLoadResponse(text);
  if (r.error !== undefined) {
    throw new FexpodError(`${engine.product} at ${engine.address} refused ${ref}: ${r.error}`, {
      fix: 'check the engine\'s log (journalctl -u podman or -u docker); the OCI layout stays in the output directory',
    });
  }
  return { engine: engine.product, address: engine.address, reference: ref, manifestDigest: image.manifest.digest, configDigest: image.config.digest, loaded: r.loaded };
}
