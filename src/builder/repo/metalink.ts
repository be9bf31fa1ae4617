/**
 * Metalink documents (Fedora MirrorManager, metalink 3.0 + mm0 extensions): the repomd.xml
 * hashes to accept (current and alternates: mirrors lag) and the mirrors to fetch it from.
 * Pure: XML text in, value out.
 */
import { SaxesParser } from 'saxes';
import { withTrailingSlash } from '../fetch/http.js';
import { MetadataError, xmlErrorText } from './metadata-error.js';

export interface MetalinkHash {
  readonly type: string;
  readonly value: string;
}

export interface MetalinkMirror {
  /** The repomd.xml URL as listed. */
  readonly url: string;
  /** The repository base URL (the repomd URL minus repodata/repomd.xml). */
  readonly baseUrl: string;
  readonly protocol: string;
  readonly preference: number;
}

export interface Metalink {
  /** Accepted sha256 (or stronger) hashes of repomd.xml: current first, then alternates. */
  readonly repomdHashes: readonly MetalinkHash[];
  readonly repomdSize: number | undefined;
  /** Mirrors, best preference first. */
  readonly mirrors: readonly MetalinkMirror[];
}

const STRONG = ['sha512', 'sha256'];

export function parseMetalink(xml: string, source: string): Metalink {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: string[] = [];
  let inRepomd = false;
  let text = '';
  let hashType: string | undefined;
  let urlAttrs: Record<string, string> = {};
  const hashes: MetalinkHash[] = [];
  const mirrors: MetalinkMirror[] = [];
  let size: number | undefined;
  let sawMetalink = false;

  parser.on('opentag', (tag) => {
    stack.push(tag.name);
    text = '';
    if (tag.name === 'metalink') sawMetalink = true;
    if (tag.name === 'file' && stack.length >= 2) inRepomd = tag.attributes['name'] === 'repomd.xml';
    if (tag.name === 'hash') hashType = tag.attributes['type'];
    if (tag.name === 'url') urlAttrs = { ...tag.attributes };
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    if (!inRepomd) return;
    if (tag.name === 'hash' && hashType && STRONG.includes(hashType)) {
      const value = text.trim().toLowerCase();
      if (/^[0-9a-f]+$/.test(value)) hashes.push({ type: hashType, value });
    }
    // The file's own <size> (not an alternate's).
    if (tag.name === 'size' && stack[stack.length - 1] === 'file') size = Number(text.trim());
    if (tag.name === 'url') {
      const url = text.trim();
      const protocol = urlAttrs['protocol'] ?? url.split(':')[0] ?? '';
      if (['http', 'https', 'file'].includes(protocol) && url.endsWith('repodata/repomd.xml')) {
        mirrors.push({
          url,
          baseUrl: url.slice(0, -'repodata/repomd.xml'.length),
          protocol,
          preference: Number(urlAttrs['preference'] ?? 0),
        });
      }
    }
    if (tag.name === 'file') inRepomd = false;
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    throw new MetadataError(`metalink ${source} is not valid XML: ${xmlErrorText(err)}`, { cause: err });
  }
  if (!sawMetalink) throw new MetadataError(`${source} is not a metalink document`);
  if (hashes.length === 0) throw new MetadataError(`metalink ${source} lists no sha256 hash for repomd.xml`);
  if (mirrors.length === 0) throw new MetadataError(`metalink ${source} lists no usable http(s) mirror`);
  // Stable sort by preference, highest first (MirrorManager already orders them).
  const ordered = mirrors.map((m, i) => ({ m, i })).sort((a, b) => b.m.preference - a.m.preference || a.i - b.i).map((x) => x.m);
  return { repomdHashes: hashes, repomdSize: Number.isFinite(size) ? size : undefined, mirrors: ordered };
}

/** A mirrorlist: one URL per line, '#' comments. */
export function parseMirrorlist(text: string, source: string): string[] {
  const urls = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .filter((l) => /^(https?|file):\/\//.test(l));
  if (urls.length === 0) throw new MetadataError(`mirrorlist ${source} lists no http(s) URL`);
  return urls.map(withTrailingSlash);
}
