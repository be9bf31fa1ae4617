/**
 * Relocatable emulator prefixes.
 *
 * binfmt_misc's F flag pins the interpreter file, but not its dynamic loader
 * and libraries: those are looked up in the mount namespace of the process
 * being exec'd, where (inside a foreign container) they do not exist. So a
 * dynamic emulator (FEX, qemu-user) is staged with its whole library closure
 * and its loader into a content-addressed directory
 *
 *   <stateDir>/prefix/<sha256>/bin/<emulator>   PT_INTERP → <prefix>/lib/<loader>
 *                                               RUNPATH   → <prefix>/lib
 *                              lib/<soname>…    RUNPATH   → <prefix>/lib
 *                              lib/<loader>
 *                              fexpod-prefix.json
 *
 * and bind-mounted read-only at the same absolute path into foreign containers.
 * Paths are absolute rather than $ORIGIN-relative on purpose: with the binfmt
 * C flag a setuid guest runs the emulator in secure mode, where the loader
 * ignores $ORIGIN.
 *
 * The digest covers the staged names, modes and source contents (not the
 * patched bytes, which embed the digest itself), so staging the same emulator
 * twice gives the same directory. The directory is built next to its final
 * place and renamed into it; a concurrent stager that loses the race reuses
 * the winner's directory.
 *
 * A prefix already there is reused only when it is intact: its manifest names
 * this digest and these sources, and every staged file still hashes to what
 * the manifest recorded. Otherwise (a file changed or went missing) it is
 * staged again beside it and swapped in: the damaged directory is renamed
 * aside, the new one renamed into place, the old one removed.
 *
 * Pipeline: closure → plan (digest) → reuse if intact? → copy → patch → verify → seal → rename.
 */
import { basename, isAbsolute, join } from 'node:path';
import { Arch } from '../../common/arch.js';
import { FexpodError, errnoCode, inContext } from '../../common/errors.js';
import { sha256Hex } from '../../common/hash.js';
import { parseElf } from '../../common/elf.js';
import { defaultLibraryDirs, loadLdSoConfDirs } from '../../common/ld-so-conf.js';
import { resolveClosure, type ClosureDeps, type LibraryClosure } from './library-closure.js';

export const PREFIX_LAYOUT_VERSION = 1;
export const PREFIX_MANIFEST = 'fexpod-prefix.json';

export interface StagedEmulator {
  /** True when no prefix was needed: every binary is static and is used in place. */
  readonly static: boolean;
  /** The prefix directory to bind-mount (same path) into containers; undefined when static. */
  readonly prefix: string | undefined;
  /** Absolute path of the (patched) emulator to register with binfmt_misc. */
  readonly interpreter: string;
  /** Extra binaries by their name in the prefix (e.g. FEXServer) → absolute path. */
  readonly extra: Readonly<Record<string, string>>;
  /** sha256 naming the prefix; undefined when static. */
  readonly digest: string | undefined;
}

export interface StageOptions {
  /** Default /var/lib/fexpod; the prefix goes to <stateDir>/prefix/<digest>. */
  readonly stateDir: string;
  /** More binaries sharing the closure (FEX: FEXServer). Staged under their basename. */
  readonly extraBinaries?: readonly string[];
  /**
   * Name of the emulator inside the prefix (default: its basename). Debian's
   * qemu preserves argv[0] (binfmt P flag) when its name ends in "-binfmt-P".
   */
  readonly name?: string;
}

export interface PrefixDeps extends ClosureDeps {
  readText(path: string): Promise<string | undefined>;
  listDir(path: string): Promise<string[] | undefined>;
  exists(path: string): Promise<boolean>;
  mkdir(path: string, mode: number): Promise<void>;
  writeFile(path: string, data: Uint8Array | string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  /** rename(2); must fail with EEXIST/ENOTEMPTY when `to` is a non-empty directory. */
  rename(from: string, to: string): Promise<void>;
  removeTree(path: string): Promise<void>;
  /** Runs patchelf with these arguments; rejects on failure. */
  patchelf(args: readonly string[]): Promise<void>;
  getuid(): number;
  /** A unique suffix for temporary directories. */
  uniqueSuffix(): string;
}

export interface PlannedFile {
  /** Path relative to the prefix: bin/NAME or lib/NAME. */
  readonly path: string;
  readonly mode: number;
  readonly source: string;
  readonly bytes: Uint8Array;
  /** What to patch once the prefix path is known. */
  readonly patch: 'executable' | 'library' | 'none';
}

export interface PrefixPlan {
  readonly files: readonly PlannedFile[];
  readonly loader: string | undefined;
  readonly digest: string;
  /** The emulator's path relative to the prefix, and the extras'. */
  readonly main: string;
  readonly extras: Readonly<Record<string, string>>;
}

/** Pure: turns a closure into the list of files, their modes and patches, and the digest. */
export function planPrefix(closure: LibraryClosure): PrefixPlan {
  const files: PlannedFile[] = [];
  for (const b of closure.binaries) {
    files.push({ path: `bin/${b.name}`, mode: 0o555, source: b.source, bytes: b.bytes, patch: b.elf.interpreter ? 'executable' : 'none' });
  }
  if (closure.loader) {
    files.push({ path: `lib/${closure.loader.name}`, mode: 0o555, source: closure.loader.source, bytes: closure.loader.bytes, patch: 'none' });
  }
  for (const l of closure.libraries) {
    const needsRunpath = (l.elf.dynamic?.needed.length ?? 0) > 0;
    files.push({ path: `lib/${l.name}`, mode: 0o444, source: l.source, bytes: l.bytes, patch: needsRunpath ? 'library' : 'none' });
  }
  const paths = new Set<string>();
  for (const f of files) {
    if (paths.has(f.path)) throw new FexpodError(`two staged files would both be ${f.path}`);
    paths.add(f.path);
  }
  const identity = {
    layout: PREFIX_LAYOUT_VERSION,
    files: [...files]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((f) => ({ path: f.path, mode: f.mode, patch: f.patch, sha256: sha256Hex(f.bytes) })),
  };
  const [main, ...rest] = closure.binaries;
  if (!main) throw new FexpodError('no binaries to stage');
  return {
    files,
    loader: closure.loader ? `lib/${closure.loader.name}` : undefined,
    digest: sha256Hex(JSON.stringify(identity)),
    main: `bin/${main.name}`,
    extras: Object.fromEntries(rest.map((b) => [b.name, `bin/${b.name}`])),
  };
}

/**
 * The patchelf invocations that make the staged files refer only to the prefix.
 * The files patched are those under `dir` (default: the prefix itself; the
 * stager passes its temporary directory) with the final prefix paths baked in.
 */
export function patchCommands(plan: PrefixPlan, prefix: string, dir = prefix): string[][] {
  const lib = `${prefix}/lib`;
  const cmds: string[][] = [];
  for (const f of plan.files) {
    const target = `${dir}/${f.path}`;
    if (f.patch === 'executable') {
      if (!plan.loader) throw new FexpodError(`${f.source} is dynamic but no loader was staged`);
      cmds.push(['--set-interpreter', `${prefix}/${plan.loader}`, '--set-rpath', lib, target]);
    } else if (f.patch === 'library') {
      cmds.push(['--set-rpath', lib, target]);
    }
  }
  return cmds;
}

async function systemDirs(deps: PrefixDeps, arch: Arch | undefined): Promise<string[]> {
  const conf = await loadLdSoConfDirs(deps);
  const defaults = arch ? defaultLibraryDirs(arch) : ['/lib64', '/usr/lib64', '/lib', '/usr/lib'];
  return [...conf, ...defaults.filter((d) => !conf.includes(d))];
}

/**
 * Checks the patched files with our own parser: loader and RUNPATH point into
 * the prefix. Returns every staged file's bytes by path (the patched ones as
 * read back, the others as planned) for the manifest.
 */
async function verifyStaged(plan: PrefixPlan, tmp: string, prefix: string, deps: PrefixDeps): Promise<Map<string, Uint8Array>> {
  const staged = new Map<string, Uint8Array>();
  for (const f of plan.files) {
    staged.set(f.path, f.bytes);
    if (f.patch === 'none') continue;
    const bytes = await deps.readFile(join(tmp, f.path));
    if (!bytes) throw new FexpodError(`staged ${f.path} vanished`);
    const elf = parseElf(bytes);
    if (f.patch === 'executable' && elf.interpreter !== `${prefix}/${plan.loader}`) {
      throw new FexpodError(`patchelf left ${f.path} with loader ${elf.interpreter}`);
    }
    const rp = elf.dynamic?.runpath ?? elf.dynamic?.rpath;
    if (rp?.join(':') !== `${prefix}/lib`) throw new FexpodError(`patchelf left ${f.path} with RUNPATH ${rp?.join(':')}`);
    staged.set(f.path, bytes);
  }
  return staged;
}

/** What a fexpod-prefix.json records: its plan digest and, by path, each file's source and staged sha256 (undefined: unreadable). */
function readManifest(text: string | undefined): { digest: unknown; files: Map<string, { sourceSha256: unknown; sha256: unknown }> } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || !('files' in doc) || !Array.isArray(doc.files)) return undefined;
  const entries: unknown[] = doc.files;
  const files = new Map<string, { sourceSha256: unknown; sha256: unknown }>();
  for (const f of entries) {
    if (typeof f === 'object' && f !== null && 'path' in f && typeof f.path === 'string') {
      files.set(f.path, { sourceSha256: 'sourceSha256' in f ? f.sourceSha256 : undefined, sha256: 'sha256' in f ? f.sha256 : undefined });
    }
  }
  return { digest: 'digest' in doc ? doc.digest : undefined, files };
}

/** A staged prefix is what this plan stages: same digest and sources in its manifest, every file as the manifest recorded it. */
async function prefixIntact(prefix: string, plan: PrefixPlan, deps: PrefixDeps): Promise<boolean> {
  const m = readManifest(await deps.readText(join(prefix, PREFIX_MANIFEST)));
  if (!m || m.digest !== plan.digest || m.files.size !== plan.files.length) return false;
  for (const f of plan.files) {
    const r = m.files.get(f.path);
    if (!r || r.sourceSha256 !== sha256Hex(f.bytes)) return false;
    const bytes = await deps.readFile(join(prefix, f.path));
    if (!bytes || sha256Hex(bytes) !== r.sha256) return false;
  }
  return true;
}

/** The sha256 of the source a prefix's file was staged from, by its fexpod-prefix.json (undefined: not there, or unreadable). */
export function stagedSourceSha256(manifestText: string | undefined, path: string): string | undefined {
  const source = readManifest(manifestText)?.files.get(path)?.sourceSha256;
  return typeof source === 'string' ? source : undefined;
}

function result(prefix: string, plan: PrefixPlan): StagedEmulator {
  return {
    static: false,
    prefix,
    interpreter: `${prefix}/${plan.main}`,
    extra: Object.fromEntries(Object.entries(plan.extras).map(([k, v]) => [k, `${prefix}/${v}`])),
    digest: plan.digest,
  };
}

type Prepared = { readonly static: StagedEmulator } | { readonly plan: PrefixPlan; readonly root: string; readonly prefix: string };

/** Reads the emulator and its closure and decides the prefix (or that none is needed). Writes nothing. */
async function prepare(emulatorPath: string, opts: StageOptions, deps: PrefixDeps): Promise<Prepared> {
  if (!isAbsolute(opts.stateDir) || !isAbsolute(emulatorPath)) {
    throw new FexpodError('the state directory and the emulator must be absolute paths', {
      fix: 'pass absolute paths: the prefix path is baked into the emulator (PT_INTERP, RUNPATH) and the binfmt registration',
    });
  }
  const binaries = [
    { path: emulatorPath, name: opts.name ?? basename(emulatorPath) },
    ...(opts.extraBinaries ?? []).map((p) => ({ path: p, name: basename(p) })),
  ];
  const headBytes = await deps.readFile(emulatorPath);
  if (!headBytes) throw new FexpodError(`${emulatorPath}: no such file`);
  const head = parseElf(headBytes);
  const dirs = await systemDirs(deps, head.arch);
  const closure = await resolveClosure({ binaries, systemDirs: dirs }, deps);
  if (!closure.loader) {
    return {
      static: {
        static: true,
        prefix: undefined,
        interpreter: emulatorPath,
        extra: Object.fromEntries(binaries.slice(1).map((b) => [b.name, b.path])),
        digest: undefined,
      },
    };
  }
  const plan = planPrefix(closure);
  const root = join(opts.stateDir, 'prefix');
  return { plan, root, prefix: join(root, plan.digest) };
}

/** What stagePrefix would return, computed without writing anything (dry runs). */
export async function planStagedPrefix(emulatorPath: string, opts: StageOptions, deps: PrefixDeps): Promise<StagedEmulator> {
  return inContext(`planning the prefix of ${emulatorPath}`, async () => {
    const p = await prepare(emulatorPath, opts, deps);
    return 'static' in p ? p.static : result(p.prefix, p.plan);
  });
}

/**
 * Stages a host emulator (and extras such as FEXServer) into a content-addressed
 * prefix, or returns the original paths when they are all static.
 */
export async function stagePrefix(emulatorPath: string, opts: StageOptions, deps: PrefixDeps): Promise<StagedEmulator> {
  return inContext(`staging ${emulatorPath} into ${opts.stateDir}/prefix`, async () => {
    const p = await prepare(emulatorPath, opts, deps);
    if ('static' in p) return p.static;
    const { plan, root, prefix } = p;
    const present = await deps.exists(join(prefix, PREFIX_MANIFEST));
    if (present && (await prefixIntact(prefix, plan, deps))) return result(prefix, plan);

    await deps.mkdir(root, 0o755);
    let aside: string | undefined;
    const tmp = join(root, `.staging-${plan.digest.slice(0, 12)}-${deps.uniqueSuffix()}`);
    try {
      await deps.mkdir(tmp, 0o755);
      await deps.mkdir(join(tmp, 'bin'), 0o755);
      await deps.mkdir(join(tmp, 'lib'), 0o755);
      for (const f of plan.files) await deps.writeFile(join(tmp, f.path), f.bytes, 0o644);
      // Patch in the temp dir, but with the final paths baked in.
      for (const args of patchCommands(plan, prefix, tmp)) await deps.patchelf(args);
      const staged = await verifyStaged(plan, tmp, prefix, deps);
      const manifest = {
        layout: PREFIX_LAYOUT_VERSION,
        digest: plan.digest,
        main: plan.main,
        loader: plan.loader,
        extras: plan.extras,
        files: plan.files.map((f) => ({ path: f.path, mode: f.mode, sourceSha256: sha256Hex(f.bytes), sha256: sha256Hex(staged.get(f.path) ?? '') })),
      };
      await deps.writeFile(join(tmp, PREFIX_MANIFEST), JSON.stringify(manifest, null, 2) + '\n', 0o444);
      const root0 = deps.getuid() === 0;
      for (const f of plan.files) {
        await deps.chmod(join(tmp, f.path), f.mode);
        if (root0) await deps.chown(join(tmp, f.path), 0, 0);
      }
      for (const d of ['', 'bin', 'lib']) {
        await deps.chmod(join(tmp, d), 0o755);
        if (root0) await deps.chown(join(tmp, d), 0, 0);
      }
      if (root0) await deps.chown(join(tmp, PREFIX_MANIFEST), 0, 0);
      // A damaged prefix of the same digest: moved aside, replaced, removed.
      if (present) {
        aside = join(root, `.damaged-${plan.digest.slice(0, 12)}-${deps.uniqueSuffix()}`);
        await deps.rename(prefix, aside).catch((err: unknown) => {
          if (errnoCode(err) !== 'ENOENT') throw err;
          aside = undefined; // another stager got there first
        });
      }
      try {
        await deps.rename(tmp, prefix);
      } catch (err) {
        const code = errnoCode(err);
        if ((code === 'EEXIST' || code === 'ENOTEMPTY') && (await deps.exists(join(prefix, PREFIX_MANIFEST)))) {
          return result(prefix, plan);
        }
        throw err;
      }
      return result(prefix, plan);
    } finally {
      await deps.removeTree(tmp);
      if (aside) await deps.removeTree(aside);
    }
  });
}
