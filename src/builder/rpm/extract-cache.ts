/**
 * The per-package extraction cache: what a package's payload extracts to,
 * kept between builds so that a rebuild after a change to one package
 * decompresses only that package.
 *
 *   <dir>/content/ab/abcd…      file contents, content-addressed (diskContentStore)
 *   <dir>/pkgs/<rpm sha256>.json which content each file index of the package has
 *
 * Keyed by the package's sha256 (verified by fetch) and EXTRACT_VERSION (bump
 * it when extraction changes what it produces). A record is written only after
 * the package extracted completely, atomically. Reused content is not trusted
 * blindly: a record whose files are missing or of another size is extracted
 * again, and reused content is re-hashed as the outputs read it (a mismatch
 * fails the build and removes the bad entry).
 */
import { readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { contentPath, diskContentStore, fileContentSource } from '../tree/content-store.js';
import { extractRpmFile, readRpmHeaders, type ExtractedRpm } from './rpm-extract.js';
import { rpmFileList } from './rpm-files.js';
import { formatNevra, headerNevra } from './rpm-header.js';
import type { ContentSource } from '../tree/tree.js';

export const EXTRACT_VERSION = 1;

interface PackageRecord {
  readonly version: number;
  readonly nevra: string;
  /** [file index, sha256, size] for every file with content. */
  readonly content: readonly (readonly [number, string, number])[];
}

export interface ExtractCacheStats {
  extracted: number;
  reused: number;
}

export interface ExtractCache {
  /** The package at path whose verified sha256 is given (undefined: not cached). */
  extract(path: string, sha256: string | undefined): Promise<ExtractedRpm>;
  readonly stats: ExtractCacheStats;
}

const recordSchema = z.strictObject({
  version: z.literal(EXTRACT_VERSION),
  nevra: z.string(),
  content: z.array(z.tuple([z.number().int().nonnegative(), z.string().regex(/^[0-9a-f]{64}$/), z.number().int().nonnegative()])),
});

/** A record, or undefined for anything else (an older version, a damaged file: extracted again). */
function parseRecord(text: string): PackageRecord | undefined {
  try {
    const r = recordSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function extractCache(dir: string): ExtractCache {
  const contentDir = join(dir, 'content');
  const pkgDir = join(dir, 'pkgs');
  mkdirSync(pkgDir, { recursive: true, mode: 0o700 });
  const store = diskContentStore(contentDir);
  const stats: ExtractCacheStats = { extracted: 0, reused: 0 };
  const recordPath = (sha: string) => join(pkgDir, `${sha}.json`);

  const reuse = async (path: string, sha: string): Promise<ExtractedRpm | undefined> => {
    let rec: PackageRecord | undefined;
    try {
      rec = parseRecord(readFileSync(recordPath(sha), 'utf8'));
    } catch {
      return undefined;
    }
    if (!rec) return undefined;
    const header = (await readRpmHeaders(path)).header;
    const nv = headerNevra(header);
    if (formatNevra(nv) !== rec.nevra) return undefined;
    const content = new Map<number, ContentSource>();
    for (const [index, csha, size] of rec.content) {
      const p = contentPath(contentDir, csha);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st || st.size !== size) return undefined;
      content.set(index, fileContentSource(p, size, csha, true));
    }
    const { files } = rpmFileList(header);
    return { nevra: rec.nevra, name: nv.name, arch: nv.arch, header, files, content };
  };

  return {
    stats,
    async extract(path, sha) {
      if (sha) {
        const hit = await reuse(path, sha);
        if (hit) {
          stats.reused++;
          return hit;
        }
      }
      let pkg: ExtractedRpm;
      try {
        pkg = await extractRpmFile(path, store);
      } catch (err) {
        sweepTemp(contentDir);
        throw err;
      }
      stats.extracted++;
      if (sha) {
        const rec: PackageRecord = {
          version: EXTRACT_VERSION,
          nevra: pkg.nevra,
          content: [...pkg.content].map(([i, c]) => [i, c.sha256 ?? '', c.size] as const).filter((c) => c[1] !== ''),
        };
        const tmp = `${recordPath(sha)}.tmp-${process.pid}`;
        writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
        renameSync(tmp, recordPath(sha));
      }
      return pkg;
    },
  };
}

/** Temp files this process left after a failed extraction. */
function sweepTemp(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (f.startsWith(`.tmp-${process.pid}-`)) {
      try {
        unlinkSync(join(dir, f));
      } catch {
        /* gone */
      }
    }
  }
}
