/**
 * filelists.xml: libsolv reads it (file dependencies outside primary). Here it is only checked,
 * cheaply, while streaming: the open-checksum of the decompressed content, and that every
 * <package> start tag carries a pkgid and their count matches packages="N".
 * (A full XML parse of Fedora's filelists — hundreds of MB — would cost more than it tells.)
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FexpodError } from '../../common/errors.js';
import { metadataDigestAlg } from './metadata-checksum.js';
import { decompressor } from '../../common/decompress.js';
import { MetadataError } from './metadata-error.js';
import type { MetadataFile } from './repo-sync.js';
import type { RepomdEntry } from './repomd.js';

const PACKAGE_TAG = /<package\b([^>]*?)(\/?)>/g;

/** Checks one chunk of text (pure); returns the start tags seen and the first problem. */
export function scanFilelistsText(text: string, lineOffset: number): { count: number; problem: string | undefined; declared: number | undefined } {
  let count = 0;
  let problem: string | undefined;
  const declared = /<filelists\b[^>]*\bpackages="(\d+)"/.exec(text)?.[1];
  for (const m of text.matchAll(PACKAGE_TAG)) {
    // An empty <package/> is not a package entry (createrepo_c warns and skips it).
    if (m[2] === '/') continue;
    count++;
    if (problem) continue;
    const attrs = m[1] ?? '';
    // libsolv matches filelists to primary by pkgid: without it the entry is lost (createrepo_c: error).
    if (!/\bpkgid="[^"]+"/.test(attrs)) {
      const line = lineOffset + text.slice(0, m.index).split('\n').length;
      const name = /\bname="([^"]*)"/.exec(attrs)?.[1];
      problem = `<package> at line ${line}${name ? ` (${name})` : ''} has no pkgid attribute`;
    }
  }
  return { count, problem, declared: declared === undefined ? undefined : Number(declared) };
}

export async function checkFilelists(file: MetadataFile, entry: RepomdEntry | undefined, what: string): Promise<void> {
  const open = entry?.openChecksum;
  const hash = open ? createHash(metadataDigestAlg(open.type, what)) : undefined;
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let line = 0;
  let count = 0;
  let declared: number | undefined;
  let problem: string | undefined;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      hash?.update(chunk);
      const text = carry + decoder.decode(chunk, { stream: true });
      // Keep an unfinished tag for the next chunk.
      const cut = text.lastIndexOf('<');
      const done = cut > 0 && text.indexOf('>', cut) < 0 ? text.slice(0, cut) : text;
      carry = text.slice(done.length);
      const r = scanFilelistsText(done, line);
      count += r.count;
      declared ??= r.declared;
      problem ??= r.problem;
      line += done.split('\n').length - 1;
      cb();
    },
  });
  try {
    await pipeline(createReadStream(file.path), decompressor(file.compression), sink);
  } catch (err) {
    if (err instanceof FexpodError) throw err;
    throw new MetadataError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const tail = scanFilelistsText(carry, line);
  count += tail.count;
  problem ??= tail.problem;
  if (hash && open && hash.digest('hex') !== open.value) throw new MetadataError(`${what}: decompressed content does not match repomd.xml's open-checksum`);
  if (problem) throw new MetadataError(`${what}: ${problem}`);
  if (declared !== undefined && declared !== count) throw new MetadataError(`${what} declares ${declared} packages but holds ${count}`);
}
