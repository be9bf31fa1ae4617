/**
 * Resolution with libsolv (python3-solv), the solver behind dnf.
 *
 *   definition + synced repos → solver input (pure) → /usr/bin/python3 solv/resolve.py
 *   → solver output → resolved packages (pure), or a ResolveError naming what was missing
 *   and who required it.
 *
 * libsolv reads primary/filelists straight from the verified cache files (it picks the
 * decompressor by file suffix, so the session directory holds suffixed symlinks to them).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FexpodError } from '../../common/errors.js';
import type { Compression } from '../../common/decompress.js';
import type { ImageDefinition } from '../definition.js';
import type { ConditionalJob, GroupExpansion, GroupPackageJob } from '../repo/groups.js';
import type { PackageRecord } from '../repo/primary.js';
import type { MetadataFile, RepoMetadata, SyncedRepo } from '../repo/repo-sync.js';

export interface SolverInput {
  readonly arch: string;
  readonly arches: readonly string[];
  readonly multilib: readonly string[];
  readonly repos: readonly { readonly id: string; readonly primary: string; readonly filelists: string | null }[];
  readonly packages: readonly string[];
  readonly excludes: readonly string[];
  readonly weakDeps: boolean;
  /** Packages of `@group` entries (looked up by name; a missing one is a warning, as in dnf). */
  readonly groupPackages: readonly GroupPackageJob[];
  /** Conditional group packages: installed together with `requires`. */
  readonly conditional: readonly ConditionalJob[];
}

const solverOutputSchema = z.union([
  z.object({
    ok: z.literal(true),
    jobs: z.array(z.string()),
    packages: z.array(
      z.object({
        repo: z.string(),
        pkgid: z.string().nullable(),
        name: z.string(),
        evr: z.string(),
        arch: z.string(),
        location: z.string().nullable(),
      }),
    ),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({
    ok: z.literal(false),
    problems: z.array(
      z.object({
        kind: z.string(),
        text: z.string(),
        missing: z.array(z.object({ dep: z.string(), requiredBy: z.string().nullable() })).default([]),
        rules: z.array(z.object({ type: z.number(), text: z.string() })).default([]),
      }),
    ),
  }),
]);
export type SolverOutput = z.infer<typeof solverOutputSchema>;

export interface ResolvedPackage {
  readonly repo: string;
  readonly record: PackageRecord;
}

export interface Resolution {
  readonly packages: readonly ResolvedPackage[];
  /** The install jobs libsolv was given (after multilib expansion). */
  readonly jobs: readonly string[];
  /** What dnf would warn about too ("No match for group package …"). */
  readonly warnings: readonly string[];
}

export interface ResolveProblem {
  readonly text: string;
  readonly missing: readonly { readonly dep: string; readonly requiredBy: string | null }[];
}

export class ResolveError extends FexpodError {
  constructor(readonly problems: readonly ResolveProblem[], repos: readonly string[]) {
    const lines = problems.flatMap((p) =>
      p.missing.length > 0
        ? p.missing.map((m) => (m.requiredBy ? `nothing provides ${m.dep} (required by ${m.requiredBy})` : `no package provides ${m.dep} (requested in the definition)`))
        : [p.text],
    );
    super(`cannot resolve the package set (repositories: ${repos.join(', ')}):\n  ${[...new Set(lines)].join('\n  ')}`, {
      fix: 'add a repository that provides the missing packages, fix the package names, or add conflicting packages to excludes',
      exitCode: 3,
    });
  }
}

const EXT: Readonly<Record<Compression, string>> = { zstd: 'zst', gzip: 'gz', xz: 'xz', bzip2: 'bz2', none: 'xml' };

function solverFile(dir: string, repoIndex: number, kind: string, f: MetadataFile): { link: string; target: string } {
  return { link: join(dir, `${repoIndex}-${kind}.xml${f.compression === 'none' ? '' : `.${EXT[f.compression]}`}`), target: f.path };
}

/**
 * Solver input for a definition over synced repos; `dir` is where the metadata links go.
 * `groups`: the definition's `@group` entries expanded (groups.ts); without it every entry of
 * `packages` goes to the solver as it is.
 */
export function solverInput(def: ImageDefinition, repos: readonly RepoMetadata[], dir: string, groups?: GroupExpansion): { input: SolverInput; links: { link: string; target: string }[] } {
  const links: { link: string; target: string }[] = [];
  const solverRepos = repos.map((r, i) => {
    const p = solverFile(dir, i, 'primary', r.primary);
    links.push(p);
    const f = r.filelists ? solverFile(dir, i, 'filelists', r.filelists) : undefined;
    if (f) links.push(f);
    return { id: r.id, primary: p.link, filelists: f ? f.link : null };
  });
  return {
    input: {
      arch: def.basearch,
      arches: def.arches,
      multilib: def.arches.slice(1),
      repos: solverRepos,
      packages: groups ? groups.specs : def.packages,
      excludes: def.excludes,
      weakDeps: def.weakDeps,
      groupPackages: groups?.packages ?? [],
      conditional: groups?.conditional ?? [],
    },
    links,
  };
}

function evrOf(r: PackageRecord): string {
  return `${r.epoch ? `${r.epoch}:` : ''}${r.version}-${r.release}`;
}

/** Maps libsolv's answer back to the package records (pure). */
export function interpretSolverOutput(out: SolverOutput, repos: readonly SyncedRepo[]): Resolution {
  if (!out.ok) {
    throw new ResolveError(out.problems.map((p) => ({ text: p.text, missing: p.missing })), repos.map((r) => r.id));
  }
  const index = new Map<string, PackageRecord>();
  for (const r of repos) {
    for (const p of r.packages) {
      index.set(`${r.id}\0${p.checksum.value}`, p);
      index.set(`${r.id}\0${p.name}\0${evrOf(p)}\0${p.arch}`, p);
    }
  }
  const packages = out.packages.map((s) => {
    const record = (s.pkgid ? index.get(`${s.repo}\0${s.pkgid}`) : undefined) ?? index.get(`${s.repo}\0${s.name}\0${s.evr}\0${s.arch}`);
    if (!record) throw new FexpodError(`libsolv chose ${s.name}-${s.evr}.${s.arch} from ${s.repo}, which fexpod's metadata parse does not know`);
    return { repo: s.repo, record };
  });
  return { packages, jobs: out.jobs, warnings: out.warnings ?? [] };
}

/** Runs the libsolv helper: JSON in on stdin, JSON out on stdout. */
export type SolverRunner = (input: SolverInput) => Promise<unknown>;

export function solverScriptPath(): string {
  // dist/src/builder/lock/solver.js → <root>/src/builder/solv/resolve.py (shipped with the package).
  const candidates = [new URL('../solv/resolve.py', import.meta.url), new URL('../../../../src/builder/solv/resolve.py', import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  throw new FexpodError('the libsolv helper solv/resolve.py is missing from this installation', { fix: 'reinstall fexpod' });
}

/** python3-solv through /usr/bin/python3 (Debian's and Fedora's python3-solv are built for it). */
export function pythonSolverRunner(python = '/usr/bin/python3'): SolverRunner {
  return (input) =>
    new Promise((resolve, reject) => {
      const child = spawn(python, [solverScriptPath()], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) =>
        reject(new FexpodError(`cannot run ${python}: ${e.message}`, { cause: e, fix: 'install python3 and python3-solv (libsolv\'s Python bindings)' })),
      );
      child.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8').trim();
        if (code !== 0) {
          const noSolv = /No module named .?solv/.test(stderr);
          reject(
            new FexpodError(noSolv ? `${python} has no solv module` : `libsolv helper failed (exit ${code}): ${stderr.split('\n').slice(-3).join(' ')}`, {
              fix: noSolv ? 'install python3-solv (dnf install python3-solv / apt-get install python3-solv)' : 'report this as a bug with the definition',
            }),
          );
          return;
        }
        try {
          resolve(JSON.parse(Buffer.concat(out).toString('utf8')));
        } catch (e) {
          reject(new FexpodError('libsolv helper printed something that is not JSON', { cause: e }));
        }
      });
      child.stdin.end(JSON.stringify(input));
    });
}

/** Runs libsolv over the repositories' metadata files; the answer is checked for shape. */
export async function runResolver(
  def: ImageDefinition,
  repos: readonly RepoMetadata[],
  deps: { readonly runSolver: SolverRunner; readonly tmpDir?: string },
  groups?: GroupExpansion,
): Promise<SolverOutput> {
  const dir = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'fexpod-solv-'));
  try {
    const { input, links } = solverInput(def, repos, dir, groups);
    for (const l of links) await symlink(l.target, l.link);
    const raw = await deps.runSolver(input);
    const parsed = solverOutputSchema.safeParse(raw);
    if (!parsed.success) throw new FexpodError(`libsolv helper answered in an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Resolves a definition over synced repositories. */
export async function resolveDefinition(
  def: ImageDefinition,
  repos: readonly SyncedRepo[],
  deps: { readonly runSolver: SolverRunner; readonly tmpDir?: string },
  groups?: GroupExpansion,
): Promise<Resolution> {
  return interpretSolverOutput(await runResolver(def, repos, deps, groups), repos);
}
