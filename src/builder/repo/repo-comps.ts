/**
 * The `@group` entries of a definition, from the repositories' group metadata to solver jobs:
 * each repository's comps (verified by repomd's checksum when fetched; its open-checksum is
 * checked here) → merged in repository order → filtered to the primary arch → expanded
 * (groups.ts), as dnf reads comps from every enabled repository.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { inContext } from '../../common/errors.js';
import { archFilter, mergeComps, parseComps, type Comps } from './comps.js';
import { decompressBuffer } from '../../common/decompress.js';
import type { ImageDefinition } from '../definition.js';
import { expandGroups, isGroupSpec, type GroupExpansion } from './groups.js';
import { metadataDigestAlg } from './metadata-checksum.js';
import { MetadataError } from './metadata-error.js';
import type { RepoMetadata } from './repo-sync.js';

/** A repository's comps document, or undefined when it has none. */
export async function readRepoComps(meta: RepoMetadata): Promise<Comps | undefined> {
  const file = meta.comps;
  if (!file) return undefined;
  const entry = [...meta.repomd.entries.values()].find((e) => e.checksum.value === file.digest.hex);
  const what = `${meta.id} group metadata${entry ? ` (${entry.location})` : ''}`;
  return inContext(`repository ${meta.id}`, async () => {
    const bytes = await decompressBuffer(file.compression, await readFile(file.path));
    const open = entry?.openChecksum;
    if (open && createHash(metadataDigestAlg(open.type, what)).update(bytes).digest('hex') !== open.value) {
      throw new MetadataError(`${what}: decompressed content does not match repomd.xml's open-checksum`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (err) {
      throw new MetadataError(`${what} is not valid UTF-8`, { cause: err });
    }
    return parseComps(text, what);
  });
}

/** The definition's `@group` entries expanded over its repositories' comps; undefined without any. */
export async function expandDefinitionGroups(def: ImageDefinition, metadata: readonly RepoMetadata[]): Promise<GroupExpansion | undefined> {
  if (!def.packages.some(isGroupSpec)) return undefined;
  const comps = await Promise.all(metadata.map(readRepoComps));
  const present = comps.filter((c): c is Comps => c !== undefined);
  const without = metadata.filter((_, i) => comps[i] === undefined).map((m) => m.id);
  return expandGroups(def.packages, archFilter(mergeComps(present), def.basearch), metadata.map((m) => m.id), without);
}
