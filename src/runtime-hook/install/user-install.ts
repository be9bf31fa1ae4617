/**
 * `fexpod hook install|uninstall|status --user`: the hook for one user's
 * rootless Podman, with nothing written outside the home directory.
 *
 *   $XDG_CONFIG_HOME/fexpod/hooks.d/fexpod-precreate.json      the hook (--private-binfmt)
 *   $XDG_CONFIG_HOME/containers/containers.conf.d/90-fexpod-hooks.conf
 *                                 hooks_dir = [<dirs in force before it>, <that hooks.d>]
 *   $XDG_DATA_HOME/fexpod/binfmt-state.json, prefix/<sha256>/  emulators (binfmt-user.ts)
 *   $XDG_DATA_HOME/fexpod/user-install.json                    directories this install created
 *   $XDG_STATE_HOME/fexpod/hook.log                            the hook's log
 *
 * The hook file has the system hook's name: Podman lets a hook file in a later
 * hooks_dir entry mask one of the same name in an earlier one, so for this user
 * it replaces a root-installed fexpod hook instead of running beside it.
 * No createRuntime hook: rootless buildah reads no per-user hooks directory.
 *
 * Uninstall removes every file listed above and the directories the install
 * created (recorded before anything was written, so an interrupted install
 * can be undone too) once they are empty.
 */
import { basename, dirname, join } from 'node:path';
import type { UserDirs } from '../../common/user-dirs.js';
import type { Logger } from '../../common/log.js';
import { STATE_FILE_NAME, userStateDir } from '../../emulator/binfmt/install-state.js';
import { containersConfLocations, type PodmanVersion } from '../../emulator/host/podman-info.js';
import { installHook, uninstallHook, type HookHostFiles, type HookLayout, type InstallReport } from './hook-install.js';

export const USER_PRECREATE_TEMPLATE = 'fexpod-precreate-user.json.in';
export const USER_MANIFEST_FILE = 'user-install.json';

export interface UserLayout {
  readonly home: string;
  readonly hook: HookLayout;
  /** $XDG_DATA_HOME/fexpod */
  readonly stateDir: string;
  readonly stateFile: string;
  readonly log: string;
  /** Records the directories the install created. */
  readonly manifest: string;
}

export function userLayout(dirs: UserDirs, uid: number, podman: PodmanVersion | undefined, templates: string): UserLayout {
  const confDir = `${dirs.configHome}/containers/containers.conf.d`;
  const baseConfs = containersConfLocations({ uid, home: dirs.home, xdgConfigHome: dirs.configHome, containersConf: undefined, podman })
    .filter((l) => l.path !== confDir)
    .map((l) => (l.dropIn && !l.path.endsWith('.d') ? `${l.path}/` : l.path));
  const stateDir = userStateDir(dirs.dataHome);
  return {
    home: dirs.home,
    hook: {
      hooksDir: `${dirs.configHome}/fexpod/hooks.d`,
      confDir,
      buildHooksDir: undefined,
      baseConfs,
      templates,
      precreateTemplate: USER_PRECREATE_TEMPLATE,
    },
    stateDir,
    stateFile: join(stateDir, STATE_FILE_NAME),
    log: `${dirs.stateHome}/fexpod/hook.log`,
    manifest: join(stateDir, USER_MANIFEST_FILE),
  };
}

/** `dir` and its missing ancestors below `home`, deepest first. */
function chain(dir: string, home: string): string[] {
  const out: string[] = [];
  for (let d = dir; d.startsWith(`${home}/`); d = dirname(d)) out.push(d);
  return out;
}

/** The directories the install needs (besides what staging makes inside the state dir). */
function neededDirs(l: UserLayout): string[] {
  return [l.hook.hooksDir, l.hook.confDir, join(l.stateDir, 'prefix'), dirname(l.log)];
}

/** Directories recorded by an earlier install; [] when there is no valid record. */
export function readManifest(f: HookHostFiles, l: UserLayout): string[] {
  const text = f.read(l.manifest);
  if (text === undefined) return [];
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null || !('dirs' in doc) || !Array.isArray(doc.dirs)) return [];
    return doc.dirs.filter((d): d is string => typeof d === 'string' && d.startsWith(`${l.home}/`) && !d.split('/').includes('..'));
  } catch {
    return [];
  }
}

export interface UserInstallReport extends InstallReport {
  readonly createdDirs: readonly string[];
}

/**
 * Records the directories about to be created, stages the emulators (`stage`,
 * binfmt-user.ts), then writes the hook and the drop-in.
 */
export async function installUserHook(
  f: HookHostFiles,
  l: UserLayout,
  paths: { readonly node: string; readonly hook: string },
  stage: () => Promise<void>,
  log: Logger,
): Promise<UserInstallReport> {
  const created = new Set(readManifest(f, l));
  for (const d of neededDirs(l)) for (const a of chain(d, l.home)) if (!f.exists(a)) created.add(a);
  const createdDirs = [...created].sort();
  f.writeAtomic(l.manifest, JSON.stringify({ version: 1, dirs: createdDirs }, null, 2) + '\n');
  await stage();
  const r = installHook(f, l.hook, { node: paths.node, hook: paths.hook, state: l.stateFile, log: l.log }, log);
  return { ...r, written: [l.manifest, ...r.written], createdDirs };
}

export interface UserUninstallReport {
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  readonly dirsRemoved: readonly string[];
}

/**
 * Removes the hook and the drop-in, the emulators (`unstage`: live entries,
 * prefixes, state and locks), the log and the record, then every directory
 * the install created or owns, deepest first, where empty.
 */
export async function uninstallUserHook(f: HookHostFiles, l: UserLayout, unstage: () => Promise<readonly string[]>): Promise<UserUninstallReport> {
  const created = readManifest(f, l);
  const removed = [...(await unstage())];
  const hook = uninstallHook(f, l.hook);
  removed.push(...hook.removed);
  for (const p of [l.log, l.manifest]) if (f.remove(p)) removed.push(p);
  const owned = [l.hook.hooksDir, ...(basename(dirname(l.hook.hooksDir)) === 'fexpod' ? [dirname(l.hook.hooksDir)] : []), join(l.stateDir, 'prefix'), l.stateDir, dirname(l.log)];
  const dirs = [...new Set([...owned, ...created])].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
  const dirsRemoved: string[] = [];
  for (const d of dirs) {
    if (!f.exists(d)) continue;
    f.removeDirIfEmpty(d);
    if (!f.exists(d)) dirsRemoved.push(d);
  }
  return { removed, kept: hook.kept, dirsRemoved };
}
