/**
 * Step "reuse" (instant rebuilds), right after resolve: a build whose inputs
 * are unchanged (lock, definition files, formats, layer compression,
 * SOURCE_DATE_EPOCH, tool version, gzip encoder, root or not, and the build of every external
 * program whose version makes an output's bytes: mkfs.erofs, mksquashfs) reuses the outputs already in
 * the output directory instead of making them again — nothing is fetched,
 * extracted or written. Not trusted blindly: the record lists every output
 * file with its sha256 and size, and each one is re-hashed before it is
 * reused; any missing, changed or extra-modified file means a normal build.
 * `--rebuild` builds anyway; `dir` outputs are never recorded.
 *
 *   <outDir>/.fexpod-reuse/<name>.json   { version, key, files: [[path, sha256, size]…], result }
 *
 * The record is written last (record, after outputs), atomically, once every
 * output is in place.
 */
import { OUTPUT_KINDS, type OutputRecord } from '../outputs/output-plan.js';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { canonicalJson } from '../../common/canonical-json.js';
import { sha256File } from '../../common/hash.js';
import { describeProgram, programIdentity } from '../../common/program-identity.js';
import type { BuildContext, BuildDeps } from '../build-context.js';
import { pinnedEncoderName } from '../layer/deflate-block.js';
import type { Built, BuildResult } from './outputs.js';
import type { Resolved } from './resolve.js';

export const REUSE_VERSION = 1;

export interface ReuseKeyInput {
  readonly toolVersion: string;
  /** The encoder of gzip layers and payloads ("zlib 1.3.1 (wasm)"): another encoder makes other bytes. */
  readonly deflateEncoder: string;
  /** Text of the definition file (and of an overlay's base). */
  readonly definitions: readonly string[];
  /** sha256 of every locked package, in lock order (an overlay's base lock first). */
  readonly packages: readonly string[];
  readonly formats: readonly string[];
  readonly sourceDateEpoch: number | 'packages';
  readonly layer: { readonly compression: string; readonly level?: number };
  readonly privileged: boolean;
  readonly pageSize: number;
  /** Program name → its version line and sha256 (describeProgram), for the programs the formats run. */
  readonly programs: Readonly<Record<string, string>>;
}

/**
 * The external programs whose build makes an output's bytes (erofs-utils 1.5 and 1.8 make
 * different images from the same tree): an upgrade must make the outputs again.
 */
const OUTPUT_PROGRAMS: readonly { readonly name: string; readonly versionArgs: readonly string[]; readonly formats: readonly string[] }[] = [
  { name: 'mkfs.erofs', versionArgs: ['-V'], formats: ['erofs', 'rpm'] },
  { name: 'mksquashfs', versionArgs: ['-version'], formats: ['squashfs'] },
];

/** describeProgram of each program the formats run (found on the PATH the build runs them with). */
export async function outputPrograms(formats: readonly string[], deps: Pick<BuildDeps, 'runner' | 'env'>): Promise<Record<string, string>> {
  const used = OUTPUT_PROGRAMS.filter((p) => p.formats.some((f) => formats.includes(f)));
  const ids = await Promise.all(used.map(async (p) => [p.name, describeProgram(p.name, await programIdentity(deps.runner, deps.env, p.name, p.versionArgs))] as const));
  return Object.fromEntries(ids);
}

/** The key: sha256 of every input, canonical JSON. */
export function reuseKey(input: ReuseKeyInput): string {
  return `sha256:${createHash('sha256').update(canonicalJson({ v: REUSE_VERSION, ...input })).digest('hex')}`;
}

const recordSchema = z.strictObject({
  version: z.literal(REUSE_VERSION),
  key: z.string(),
  files: z.array(z.tuple([z.string(), z.string().regex(/^[0-9a-f]{64}$/), z.number().int().nonnegative()])),
  result: z.record(z.string(), z.unknown()),
});

function recordPath(outDir: string, name: string): string {
  return join(outDir, '.fexpod-reuse', `${name}.json`);
}

/** Every regular file under path (a file itself, or a directory such as an OCI layout). */
async function filesUnder(path: string): Promise<string[]> {
  const st = await stat(path);
  if (st.isFile()) return [path];
  if (!st.isDirectory()) return [];
  const out: string[] = [];
  for (const e of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(...(await filesUnder(join(path, e.name))));
  }
  return out;
}

/**
 * The outputs' files, hashed: what a later build checks before it reuses them. `known`: sha256
 * hex of files this build just wrote and hashed as it wrote them (not read again here).
 */
export async function saveReuse(outDir: string, name: string, key: string, outputPaths: readonly string[], result: object, known: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const files: [string, string, number][] = [];
  for (const p of outputPaths) {
    for (const f of await filesUnder(p)) files.push([relative(outDir, f), known.get(f) ?? (await sha256File(f)), (await stat(f)).size]);
  }
  writeFileAtomic(recordPath(outDir, name), JSON.stringify({ version: REUSE_VERSION, key, files, result }));
}

/**
 * The recorded result when the key matches and every recorded file is there
 * with the recorded size and sha256; undefined otherwise (and why, for --verbose).
 */
export async function checkReuse(outDir: string, name: string, key: string): Promise<{ result?: Record<string, unknown>; why: string }> {
  let text: string;
  try {
    text = await readFile(recordPath(outDir, name), 'utf8');
  } catch {
    return { why: 'no record of an earlier build in the output directory' };
  }
  let parsed: z.infer<typeof recordSchema>;
  try {
    const r = recordSchema.safeParse(JSON.parse(text));
    if (!r.success) return { why: 'the record of the earlier build is unreadable' };
    parsed = r.data;
  } catch {
    return { why: 'the record of the earlier build is unreadable' };
  }
  if (parsed.key !== key) return { why: 'the inputs changed since the earlier build' };
  const hashed = await Promise.all(
    parsed.files.map(async ([rel, sha, size]) => {
      const f = join(outDir, rel);
      const st = await stat(f).catch(() => undefined);
      if (!st?.isFile() || st.size !== size) return `${rel} is missing or changed`;
      return (await sha256File(f)) === sha ? undefined : `${rel} changed`;
    }),
  );
  const bad = hashed.find((h) => h !== undefined);
  if (bad) return { why: bad };
  return { result: parsed.result, why: `${parsed.files.length} output files verified` };
}

const outputKind = z.enum(OUTPUT_KINDS);
const resultSchema = z.object({
  name: z.string(),
  arch: z.string(),
  sourceDateEpoch: z.number(),
  packages: z.number(),
  entries: z.number(),
  lockFile: z.string().optional(),
  notes: z.array(z.string()),
  fexIndex: z.string().optional(),
  diffId: z.string(),
  manifestDigest: z.string(),
  layer: z.object({ mediaType: z.string(), digest: z.string(), size: z.number() }).optional(),
  outputs: z.array(z.object({ kind: outputKind, path: z.string(), digest: z.string() })),
  warnings: z.array(z.string()),
});
export type ReusedResult = z.infer<typeof resultSchema>;

/** The recorded build result, checked field by field (a record that does not parse is not reused). */
export function reusedResult(v: Record<string, unknown>): ReusedResult | undefined {
  const r = resultSchema.safeParse(v);
  return r.success ? r.data : undefined;
}

export interface Reuse {
  /** The key of this build's inputs (absent: reuse is off). */
  readonly reuseKey?: string;
  /** The verified result of an identical earlier build: nothing is left to do. */
  readonly reused?: BuildResult;
}

/** `base`: an overlay's base, resolved (its lock is an input too). */
export async function reuse<C extends BuildContext & Resolved>(ctx: C, base: Resolved | undefined): Promise<C & Reuse> {
  const { definition: def, options: o, deps } = ctx;
  if (!o.reuse || o.formats.includes('dir')) return ctx;
  const programs = await outputPrograms(o.formats, deps);
  for (const [name, id] of Object.entries(programs)) deps.log.debug(`reuse: ${name} is ${id}`);
  const key = reuseKey({
    definitions: await Promise.all([def.file, ...(ctx.base ? [ctx.base.definition.file] : [])].map((f) => readFile(f, 'utf8'))),
    packages: [...(base?.lock.packages ?? []), ...ctx.lock.packages].map((p) => p.sha256),
    formats: [...o.formats],
    sourceDateEpoch: o.sourceDateEpoch ?? 'packages',
    layer: o.layer,
    toolVersion: deps.toolVersion,
    deflateEncoder: pinnedEncoderName(),
    privileged: deps.privileged,
    pageSize: deps.pageSize,
    programs,
  });
  const r = await checkReuse(o.outDir, def.name, key);
  deps.log.debug(`reuse: ${r.why}`);
  const hit = r.result ? reusedResult(r.result) : undefined;
  if (!hit) return { ...ctx, reuseKey: key };
  deps.progress?.('outputs unchanged (verified): reused');
  return { ...ctx, reuseKey: key, reused: { ...hit, reused: true } };
}

/**
 * What this build already hashed, by file: the images (their digest is the file's sha256) and
 * the blobs of the OCI layout it has just written whole (outputs/oci-layout.ts: named by the
 * sha256 of the bytes written). Reading 0.5-1 GB of outputs back only to hash them again took
 * ~0.4 s of a large build. A later build still hashes every file before it reuses them.
 */
export async function writtenDigests(outputs: readonly OutputRecord[]): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  for (const o of outputs) {
    if (o.kind === 'erofs' || o.kind === 'squashfs' || o.kind === 'rpm') known.set(o.path, o.digest.replace(/^sha256:/, ''));
    if (o.kind !== 'oci') continue;
    const blobs = join(o.path, 'blobs', 'sha256');
    for (const b of await readdir(blobs).catch(() => [])) if (/^[0-9a-f]{64}$/.test(b)) known.set(join(blobs, b), b);
  }
  return known;
}

/** After outputs: the record the next build checks. */
export async function record<C extends BuildContext & Reuse & Built>(ctx: C): Promise<C> {
  const r = ctx.result;
  if (ctx.reuseKey) await saveReuse(ctx.options.outDir, ctx.definition.name, ctx.reuseKey, r.outputs.map((o) => o.path).concat(r.fexIndex ? [r.fexIndex] : []), r, await writtenDigests(r.outputs));
  return ctx;
}
