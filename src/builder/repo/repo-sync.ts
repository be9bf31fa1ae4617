/**
 * One repository, from its definition to verified metadata in the cache:
 *   metalink / mirrorlist / baseurl → mirrors → repomd.xml (hash checked against the metalink;
 *   with repo_gpgcheck, its detached signature against the repository's keys; next mirror on
 *   failure) → primary + filelists (+ comps when groups are asked for), content-addressed by
 *   repomd's checksums (sha1…sha512, md5 refused) → streamed primary parse (open-checksum
 *   verified while decompressing).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FexpodError, inContext } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { BlobCache, Digest } from '../fetch/cache.js';
import { metadataDigestAlg } from './metadata-checksum.js';
import { compressionFromName, decompressor, type Compression } from '../../common/decompress.js';
import type { RepoDefinition } from '../definition.js';
import { fetchBlob, type BlobEvent } from '../fetch/fetch-blob.js';
import { getSmall, HttpError, redactUrl, withTrailingSlash, type HttpClient } from '../fetch/http.js';
import type { KeyDeps } from '../fetch/keys.js';
import { checkFilelists } from './filelists.js';
import { MetadataError } from './metadata-error.js';
import { parseMetalink, parseMirrorlist } from './metalink.js';
import { PrimaryParser, type PackageRecord } from './primary.js';
import { parseRepomd, type Repomd, type RepomdEntry } from './repomd.js';

export interface MetadataFile {
  readonly digest: Digest;
  /** Verified file in the cache (compressed as served). */
  readonly path: string;
  readonly compression: Compression;
}

/** A repository's verified metadata files, before the package list is parsed. */
export interface RepoMetadata {
  readonly id: string;
  /** Mirror base URLs (ending in /), the one that served repomd.xml first. */
  readonly baseUrls: readonly string[];
  readonly repomdSha256: string;
  readonly repomd: Repomd;
  readonly primary: MetadataFile;
  readonly filelists: MetadataFile | undefined;
  /** The group (comps) metadata, when asked for and the repository has it. */
  readonly comps?: MetadataFile | undefined;
}

export interface SyncedRepo extends RepoMetadata {
  readonly packages: readonly PackageRecord[];
}

export interface RepoSyncDeps {
  readonly http: HttpClient;
  readonly cache: BlobCache;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: BlobEvent) => void;
  /** Load filelists too (file dependencies outside primary); default true. */
  readonly filelists?: boolean;
  /** Load the group (comps) metadata too, for `@group` entries; default false. */
  readonly groups?: boolean;
  /** Where keys come from, for repositories with repo_gpgcheck. */
  readonly keys?: KeyDeps;
}

/** The comps variants of repomd.xml, smallest download first (all hold the same document). */
const COMPS_TYPES = ['group_zst', 'group_xz', 'group_gz', 'group_bz2', 'group'];

type RepomdCheck = (base: string, bytes: Uint8Array) => Promise<void>;

/** repo_gpgcheck: repomd.xml.asc from the same mirror, verified against the repository's keys. */
async function signatureCheck(repo: RepoDefinition, deps: RepoSyncDeps): Promise<RepomdCheck | undefined> {
  if (!repo.repoGpgcheck) return undefined;
  if (!deps.keys) throw new FexpodError(`internal: repository ${repo.id} has repo_gpgcheck on but no key source was given`);
  const [{ loadKeys }, { verifyRepomdSignature, RepomdSignatureError }] = await Promise.all([import('../fetch/keys.js'), import('./repomd-signature.js')]);
  const keys = await inContext('repo_gpgcheck: loading its gpgkey', () => loadKeys(repo.gpgkeys, deps.keys!));
  return async (base, bytes) => {
    const url = `${base}repodata/repomd.xml.asc`;
    let asc: Uint8Array;
    try {
      asc = await getSmall(deps.http, url, 1 << 20, deps.signal);
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) {
        throw new RepomdSignatureError('repo_gpgcheck is on, but the mirror has no repodata/repomd.xml.asc (HTTP 404): repomd.xml is not signed', {
          fix: 'set repo_gpgcheck = false for this repository if it does not sign its metadata (Fedora does not), or use a mirror that serves repomd.xml.asc',
        });
      }
      throw err;
    }
    const keyId = await verifyRepomdSignature(bytes, asc, keys);
    deps.log.debug(`repo ${repo.id}: repomd.xml signed by key ${keyId}`);
  };
}

async function mirrorsOf(repo: RepoDefinition, deps: RepoSyncDeps): Promise<{ baseUrls: string[]; accepted: Set<string> | undefined }> {
  try {
    return await mirrorsFrom(repo, deps);
  } catch (err) {
    if (err instanceof FexpodError && err.fix) throw err;
    throw new FexpodError(err instanceof Error ? err.message : String(err), {
      cause: err,
      fix: `check the network, or build from a reachable mirror: --repo ${repo.id}=http://your-mirror/path/`,
    });
  }
}

async function mirrorsFrom(repo: RepoDefinition, deps: RepoSyncDeps): Promise<{ baseUrls: string[]; accepted: Set<string> | undefined }> {
  const url = repo.source.urls[0] ?? '';
  switch (repo.source.kind) {
    case 'baseurl':
      return { baseUrls: repo.source.urls.map(withTrailingSlash), accepted: undefined };
    case 'mirrorlist': {
      const text = (await inContext(`mirrorlist`, () => getSmall(deps.http, url, 4 << 20, deps.signal))).toString('utf8');
      return { baseUrls: parseMirrorlist(text, redactUrl(url)), accepted: undefined };
    }
    case 'metalink': {
      const text = (await inContext(`metalink`, () => getSmall(deps.http, url, 4 << 20, deps.signal))).toString('utf8');
      const ml = parseMetalink(text, redactUrl(url));
      const sha256 = ml.repomdHashes.filter((h) => h.type === 'sha256').map((h) => h.value);
      if (sha256.length === 0) throw new MetadataError(`metalink ${redactUrl(url)} lists no sha256 hash for repomd.xml`);
      return { baseUrls: ml.mirrors.map((m) => m.baseUrl), accepted: new Set(sha256) };
    }
  }
}

function entryDigest(e: RepomdEntry, what: string): Digest {
  return { alg: metadataDigestAlg(e.checksum.type, what), hex: e.checksum.value };
}

/** Parses the package list of fetched metadata (streaming; checks the open-checksums). */
export async function parseRepoPackages(meta: RepoMetadata): Promise<SyncedRepo> {
  const [packages] = await inContext(`repository ${meta.id}`, () =>
    Promise.all([
      readPrimary(meta.primary, meta.repomd.entries.get('primary'), `${meta.id} primary metadata`),
      meta.filelists ? checkFilelists(meta.filelists, meta.repomd.entries.get('filelists'), `${meta.id} filelists metadata`) : undefined,
    ]),
  );
  return { ...meta, packages };
}

/** Fetches and verifies a repository's metadata files (repomd, primary, filelists). */
export async function syncRepoMetadata(repo: RepoDefinition, deps: RepoSyncDeps): Promise<RepoMetadata> {
  return inContext(`repository ${repo.id}`, async () => {
    const { baseUrls, accepted } = await mirrorsOf(repo, deps);
    const checkSignature = await signatureCheck(repo, deps);
    const failures: string[] = [];
    const errors: unknown[] = [];
    let chosen: { index: number; repomd: Repomd; sha256: string } | undefined;
    for (const [index, base] of baseUrls.entries()) {
      const url = `${base}repodata/repomd.xml`;
      try {
        const bytes = await getSmall(deps.http, url, 16 << 20, deps.signal);
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        if (accepted && !accepted.has(sha256)) {
          throw new MetadataError(`repomd.xml sha256 ${sha256.slice(0, 16)}… is not one the metalink lists (stale or tampered mirror)`);
        }
        // Nothing in repomd.xml is read before its signature is checked.
        await checkSignature?.(base, bytes);
        chosen = { index, repomd: parseRepomd(bytes.toString('utf8'), redactUrl(url)), sha256 };
        break;
      } catch (err) {
        deps.signal?.throwIfAborted();
        errors.push(err);
        failures.push(`${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`);
        deps.log.debug(`repo ${repo.id}: skipping mirror: ${failures[failures.length - 1]}`);
      }
    }
    if (!chosen) {
      // The same refusal from every mirror (no signature, a bad one) has its own fix.
      const fixes = new Set(errors.map((e) => (e instanceof MetadataError ? e.fix : undefined)));
      const [only] = fixes;
      throw new FexpodError(`no mirror served a usable repomd.xml:\n  ${failures.join('\n  ')}`, {
        cause: errors[errors.length - 1],
        fix: fixes.size === 1 && only !== undefined ? only : 'check the repository URL (or override it with --repo ID=URL) and the network',
      });
    }
    // The mirror that answered first, then the rest in order.
    const ordered = [baseUrls[chosen.index]!, ...baseUrls.filter((_, i) => i !== chosen.index)];
    const fetchMeta = async (type: string): Promise<MetadataFile | undefined> => {
      const e = chosen.repomd.entries.get(type);
      if (!e) return undefined;
      const digest = entryDigest(e, `${type} metadata`);
      const path = await fetchBlob(
        // The checksum is authoritative; repomd's <size> is advisory (createrepo_c's own test
        // repositories carry off-by-one sizes), so it only bounds the download.
        { digest, size: undefined, maxSize: Math.max(2 * (e.size ?? 0), 4 << 30), urls: ordered.map((b) => b + e.location), what: `${repo.id} ${type} metadata` },
        { http: deps.http, cache: deps.cache, ...(deps.signal ? { signal: deps.signal } : {}), ...(deps.onEvent ? { onEvent: deps.onEvent } : {}) },
      );
      const compression = compressionFromName(e.location);
      if (compression === undefined) throw new MetadataError(`${type} metadata ${e.location} has an unknown compression`);
      return { digest, path, compression };
    };
    const primary = await fetchMeta('primary');
    if (!primary) throw new MetadataError('repomd.xml lists no primary metadata');
    const filelists = deps.filelists === false ? undefined : await fetchMeta('filelists');
    const compsType = deps.groups ? COMPS_TYPES.find((t) => chosen.repomd.entries.has(t)) : undefined;
    const comps = compsType ? await fetchMeta(compsType) : undefined;
    return { id: repo.id, baseUrls: ordered, repomdSha256: chosen.sha256, repomd: chosen.repomd, primary, filelists, comps };
  });
}

/** Decompresses and parses primary.xml from the cache, checking its open-checksum on the way. */
export async function readPrimary(file: MetadataFile, entry: RepomdEntry | undefined, what: string): Promise<PackageRecord[]> {
  const open = entry?.openChecksum;
  const openAlg = open ? metadataDigestAlg(open.type, what) : undefined;
  const hash = openAlg ? createHash(openAlg) : undefined;
  const parser = new PrimaryParser(what);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      try {
        hash?.update(chunk);
        parser.write(decoder.decode(chunk, { stream: true }));
        cb();
      } catch (err) {
        cb(err instanceof Error ? err : new Error(String(err)));
      }
    },
  });
  try {
    await pipeline(createReadStream(file.path), decompressor(file.compression), sink);
    parser.write(decoder.decode());
  } catch (err) {
    if (err instanceof FexpodError) throw err;
    if (err instanceof TypeError) throw new MetadataError(`${what} is not valid UTF-8`, { cause: err });
    throw new MetadataError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (hash && open && hash.digest('hex') !== open.value) {
    throw new MetadataError(`${what}: decompressed content does not match repomd.xml's open-checksum`);
  }
  return parser.end();
}
