/**
 * `fexpod hook install|uninstall|status` as a pipeline over the host's files:
 * render the templates from oci-hooks/, work out the hooks_dir list that is in
 * force before our drop-in (Podman < 4.8 replaces arrays, so ours must repeat
 * it), and write everything atomically. Effects sit behind HookHostFiles.
 */
import TOML from '@iarna/toml';
import { join } from 'node:path';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import {
  CREATE_RUNTIME_HOOK_FILE,
  DROP_IN_FILE,
  PODMAN_DEFAULT_HOOKS_DIR,
  PRECREATE_HOOK_FILE,
  checkHookJson,
  hooksDirsWith,
  renderDropIn,
  renderHook,
  type HookPaths,
} from './hook-files.js';

export interface HookHostFiles {
  read(path: string): string | undefined;
  writeAtomic(path: string, text: string): void;
  remove(path: string): boolean;
  /** Names of the entries of a directory; [] if it does not exist. */
  list(dir: string): string[];
  exists(path: string): boolean;
  removeDirIfEmpty(dir: string): void;
}

export interface HookLayout {
  /** Dedicated directory for the precreate hook. */
  readonly hooksDir: string;
  /** containers.conf.d directory for the drop-in. */
  readonly confDir: string;
  /** Directory buildah reads createRuntime hooks from; undefined = do not install the build hook. */
  readonly buildHooksDir: string | undefined;
  /** containers.conf files read before confDir's drop-ins, lowest precedence first (a drop-in directory ends in ".d" or "/"). */
  readonly baseConfs: readonly string[];
  /** Directory holding the templates (oci-hooks/). */
  readonly templates: string;
  /** The precreate hook's template in `templates` (default fexpod-precreate.json.in; --user: fexpod-precreate-user.json.in). */
  readonly precreateTemplate?: string;
}

export const DEFAULT_BASE_CONFS = [
  '/usr/share/containers/containers.conf',
  '/usr/share/containers/containers.conf.d',
  '/etc/containers/containers.conf',
] as const;

/** Marker we look for before removing a file we did not necessarily write. */
const OURS = /fexpod/;

function hooksDirOf(text: string, file: string, log: Logger): string[] | undefined {
  let doc: TOML.JsonMap;
  try {
    doc = TOML.parse(text);
  } catch (err) {
    log.warn(`${file}: cannot parse (${errorMessage(err)}); ignoring it`);
    return undefined;
  }
  const engine = doc['engine'];
  if (typeof engine !== 'object' || engine === null || Array.isArray(engine) || engine instanceof Date) return undefined;
  const hd: unknown = Object.entries(engine).find(([k]) => k === 'hooks_dir')?.[1];
  if (!Array.isArray(hd)) return undefined;
  return hd.filter((x): x is string => typeof x === 'string');
}

/** containers.conf files in load order, each with the hooks_dir it sets (if any). */
export function confChain(f: HookHostFiles, layout: HookLayout, log: Logger): { file: string; hooksDir: string[] | undefined }[] {
  const files: string[] = [];
  for (const base of layout.baseConfs) {
    if (base.endsWith('.d') || base.endsWith('/')) files.push(...f.list(base).filter((n) => n.endsWith('.conf')).sort().map((n) => join(base, n)));
    else files.push(base);
  }
  files.push(...f.list(layout.confDir).filter((n) => n.endsWith('.conf')).sort().map((n) => join(layout.confDir, n)));
  const out: { file: string; hooksDir: string[] | undefined }[] = [];
  for (const file of files) {
    const text = f.read(file);
    if (text === undefined) continue;
    out.push({ file, hooksDir: hooksDirOf(text, file, log) });
  }
  return out;
}

/** The hooks_dir in force after all files (last one that sets it wins). */
export function effectiveHooksDirs(chain: readonly { hooksDir: string[] | undefined }[]): string[] | undefined {
  let cur: string[] | undefined;
  for (const c of chain) if (c.hooksDir) cur = c.hooksDir;
  return cur;
}

export interface InstallReport {
  readonly written: string[];
  readonly hooksDirs: string[];
  readonly warnings: string[];
}

export function installHook(f: HookHostFiles, layout: HookLayout, paths: HookPaths, log: Logger): InstallReport {
  const warnings: string[] = [];
  const template = (name: string) => {
    const t = f.read(join(layout.templates, name));
    if (t === undefined) throw new Error(`template ${join(layout.templates, name)} is missing`);
    return t;
  };
  for (const [what, p] of [['node', paths.node], ['hook script', paths.hook]] as const) {
    if (!f.exists(p)) throw new Error(`${what} ${p} does not exist`);
  }
  const written: string[] = [];
  const precreate = renderHook(template(layout.precreateTemplate ?? 'fexpod-precreate.json.in'), paths, 'precreate');
  const precreatePath = join(layout.hooksDir, PRECREATE_HOOK_FILE);
  f.writeAtomic(precreatePath, precreate);
  written.push(precreatePath);

  const dropInPath = join(layout.confDir, DROP_IN_FILE);
  const chain = confChain(f, layout, log);
  // Drop-ins of confDir that sort after ours are read after it and win.
  const after = (file: string) => file.startsWith(`${layout.confDir}/`) && file > dropInPath;
  const before = effectiveHooksDirs(chain.filter((c) => c.file !== dropInPath && !after(c.file)));
  const dirs = hooksDirsWith(before, layout.hooksDir);
  f.writeAtomic(dropInPath, renderDropIn(template('fexpod-hooks.conf.in'), dirs));
  written.push(dropInPath);
  for (const c of chain) {
    if (after(c.file) && c.hooksDir && !c.hooksDir.includes(layout.hooksDir)) {
      warnings.push(`${c.file} sets hooks_dir after ${dropInPath} and overrides it: add ${layout.hooksDir} to its list`);
    }
  }

  if (layout.buildHooksDir !== undefined) {
    const cr = renderHook(template('fexpod-createruntime.json.in'), paths, 'createRuntime');
    const crPath = join(layout.buildHooksDir, CREATE_RUNTIME_HOOK_FILE);
    f.writeAtomic(crPath, cr);
    written.push(crPath);
  }
  return { written, hooksDirs: dirs, warnings };
}

export function uninstallHook(f: HookHostFiles, layout: HookLayout): { removed: string[]; kept: string[] } {
  const removed: string[] = [];
  const kept: string[] = [];
  const targets = [
    join(layout.confDir, DROP_IN_FILE),
    join(layout.hooksDir, PRECREATE_HOOK_FILE),
    ...(layout.buildHooksDir !== undefined ? [join(layout.buildHooksDir, CREATE_RUNTIME_HOOK_FILE)] : []),
  ];
  for (const t of targets) {
    const text = f.read(t);
    if (text === undefined) continue;
    if (!OURS.test(text)) {
      kept.push(t);
      continue;
    }
    if (f.remove(t)) removed.push(t);
  }
  f.removeDirIfEmpty(layout.hooksDir);
  return { removed, kept };
}

export interface HookStatus {
  readonly installed: boolean;
  readonly precreateHook: { path: string; present: boolean; valid: boolean; problem?: string };
  readonly buildHook: { path: string; present: boolean; valid: boolean; problem?: string } | undefined;
  readonly dropIn: { path: string; present: boolean };
  /** The hooks_dir Podman will use, computed from every containers.conf file. */
  readonly effectiveHooksDirs: string[];
  readonly hooksDirInForce: boolean;
  /** The install state the hook reads; without it the hook leaves every container alone. */
  readonly stateFile: { path: string; present: boolean };
  readonly problems: string[];
}

function hookFileStatus(f: HookHostFiles, path: string, stage: string) {
  const text = f.read(path);
  if (text === undefined) return { path, present: false, valid: false };
  try {
    const hook = checkHookJson(text, stage);
    const script = hook.args[1];
    const missing = [hook.path, ...(script !== undefined ? [script] : [])].filter((p) => !f.exists(p));
    if (missing.length > 0) return { path, present: true, valid: false, problem: `points at missing ${missing.join(', ')}` };
    return { path, present: true, valid: true };
  } catch (err) {
    return { path, present: true, valid: false, problem: errorMessage(err) };
  }
}

export function hookStatus(f: HookHostFiles, layout: HookLayout, stateFile: string, log: Logger): HookStatus {
  const precreateHook = hookFileStatus(f, join(layout.hooksDir, PRECREATE_HOOK_FILE), 'precreate');
  const buildHook = layout.buildHooksDir !== undefined ? hookFileStatus(f, join(layout.buildHooksDir, CREATE_RUNTIME_HOOK_FILE), 'createRuntime') : undefined;
  const dropInPath = join(layout.confDir, DROP_IN_FILE);
  const dropIn = { path: dropInPath, present: f.read(dropInPath) !== undefined };
  const effective = effectiveHooksDirs(confChain(f, layout, log)) ?? [PODMAN_DEFAULT_HOOKS_DIR];
  const hooksDirInForce = effective.includes(layout.hooksDir);
  const problems: string[] = [];
  if (!precreateHook.present) problems.push(`${precreateHook.path} is missing`);
  else if (!precreateHook.valid) problems.push(`${precreateHook.path}: ${precreateHook.problem ?? 'invalid'}`);
  if (buildHook && !buildHook.present) problems.push(`${buildHook.path} is missing (podman build RUN steps get no emulator)`);
  else if (buildHook && !buildHook.valid) problems.push(`${buildHook.path}: ${buildHook.problem ?? 'invalid'}`);
  if (!hooksDirInForce) problems.push(`Podman's hooks_dir (${effective.join(', ')}) does not include ${layout.hooksDir}`);
  const statePresent = f.exists(stateFile);
  if (!statePresent) problems.push(`${stateFile} is missing: the hook leaves every container alone until "fexpod binfmt install" runs`);
  return {
    installed: precreateHook.valid && hooksDirInForce,
    precreateHook,
    buildHook,
    dropIn,
    effectiveHooksDirs: effective,
    hooksDirInForce,
    stateFile: { path: stateFile, present: statePresent },
    problems,
  };
}
