/**
 * FEXRootFSFetcher's index (design.md §5), written next to a RootFS's EroFS
 * and SquashFS images so they can be published where FEXRootFSFetcher looks:
 *
 *   {"v1":{"<name>":{"DistroMatch","DistroVersion","URL","Hash","Type"}}}
 *
 * Hash is XXH3-64 of the file in hex (hash-wasm: a maintained WebAssembly
 * xxHash with XXH3, no native build). Pure planning + one streaming hash.
 */
import { basename } from 'node:path';
import { canonicalJson } from '../../common/canonical-json.js';
import { readFileChunks } from '../../common/hash.js';

export interface FexIndexImage {
  readonly path: string;
  readonly type: 'erofs' | 'squashfs';
}

export interface FexIndexSettings {
  /** Entry names are "<title> (EroFS)" / "<title> (SquashFS)", e.g. "Fedora 42". */
  readonly title: string;
  readonly distroMatch: string;
  readonly distroVersion: string;
  /** Where the files will be published; the file name is appended. Without it, URL is the bare file name. */
  readonly baseUrl?: string;
}

export interface FexIndexEntry {
  readonly DistroMatch: string;
  readonly DistroVersion: string;
  readonly URL: string;
  readonly Hash: string;
  readonly Type: 'erofs' | 'squashfs';
}

/** XXH3-64 of a file, lower-case hex (16 digits), as FEXRootFSFetcher compares it. */
export async function xxh3File(path: string): Promise<string> {
  // loaded here, not at start-up: only builds with an EroFS/SquashFS output need it (~25 ms)
  const { createXXHash3 } = await import('hash-wasm');
  const h = await createXXHash3();
  h.init();
  await readFileChunks(path, (c) => h.update(c));
  return h.digest('hex');
}

export function fexIndexJson(settings: FexIndexSettings, images: readonly { image: FexIndexImage; hash: string }[]): string {
  const v1: Record<string, FexIndexEntry> = {};
  for (const { image, hash } of images) {
    const file = basename(image.path);
    const url = settings.baseUrl ? `${settings.baseUrl.replace(/\/+$/, '')}/${file}` : file;
    v1[`${settings.title} (${image.type === 'erofs' ? 'EroFS' : 'SquashFS'})`] = {
      DistroMatch: settings.distroMatch,
      DistroVersion: settings.distroVersion,
      URL: url,
      Hash: hash,
      Type: image.type,
    };
  }
  return canonicalJson({ v1 }) + '\n';
}
