/**
 * repomd.xml: the index of a repository's metadata files with their checksums. Pure.
 */
import { SaxesParser } from 'saxes';
import { MetadataError, xmlErrorText } from './metadata-error.js';

export interface RepomdEntry {
  readonly type: string;
  /** Relative to the repository base URL. */
  readonly location: string;
  readonly checksum: { readonly type: string; readonly value: string };
  readonly openChecksum: { readonly type: string; readonly value: string } | undefined;
  readonly size: number | undefined;
  readonly openSize: number | undefined;
}

export interface Repomd {
  readonly revision: string | undefined;
  readonly entries: ReadonlyMap<string, RepomdEntry>;
}

export function parseRepomd(xml: string, source: string): Repomd {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const entries = new Map<string, RepomdEntry>();
  let cur: { type?: string; location?: string; checksum?: { type: string; value: string }; openChecksum?: { type: string; value: string }; size?: number; openSize?: number; line: number } | undefined;
  let text = '';
  let csType = '';
  let revision: string | undefined;
  let root: string | undefined;
  const problems: string[] = [];

  parser.on('opentag', (tag) => {
    root ??= tag.name;
    text = '';
    if (tag.name === 'data') cur = { ...(tag.attributes['type'] ? { type: tag.attributes['type'] } : {}), line: parser.line };
    if (!cur) return;
    if (tag.name === 'location') cur.location = tag.attributes['href'];
    if (tag.name === 'checksum' || tag.name === 'open-checksum') csType = tag.attributes['type'] ?? '';
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'revision' && !cur) revision = text.trim();
    if (!cur) return;
    const value = text.trim();
    switch (tag.name) {
      case 'checksum':
        cur.checksum = { type: csType, value: value.toLowerCase() };
        break;
      case 'open-checksum':
        cur.openChecksum = { type: csType, value: value.toLowerCase() };
        break;
      case 'size':
        cur.size = Number(value);
        break;
      case 'open-size':
        cur.openSize = Number(value);
        break;
      case 'data': {
        const where = `<data> at line ${cur.line}`;
        if (!cur.type) problems.push(`${where} has no type attribute`);
        else if (!cur.location) problems.push(`${where} (${cur.type}) has no <location href>`);
        else if (!cur.checksum || !cur.checksum.value) problems.push(`${where} (${cur.type}) has no <checksum>`);
        else {
          entries.set(cur.type, {
            type: cur.type,
            location: cur.location,
            checksum: cur.checksum,
            openChecksum: cur.openChecksum,
            size: cur.size,
            openSize: cur.openSize,
          });
        }
        cur = undefined;
        break;
      }
    }
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    throw new MetadataError(`${source} is not valid XML: ${xmlErrorText(err)}`, { cause: err });
  }
  if (root !== 'repomd') throw new MetadataError(`${source} is not a repomd.xml document (root <${root ?? 'none'}>)`);
  if (problems.length > 0) throw new MetadataError(`${source} is malformed: ${problems.join('; ')}`);
  if (!entries.has('primary')) throw new MetadataError(`${source} lists no primary metadata`);
  return { revision, entries };
}
