/**
 * `fexpod binfmt install|uninstall|status --user`: the rootless half of the
 * binfmt flows. A normal user cannot write the host's binfmt_misc, so install
 * only chooses the emulators (same precedence as root's install), stages a
 * dynamic one into $XDG_DATA_HOME/fexpod/prefix/<sha256> and records the
 * registration lines in $XDG_DATA_HOME/fexpod/binfmt-state.json; the hook
 * (`fexpod hook install --user`) registers them in the private binfmt_misc of
 * Podman's user namespace at the next foreign container start. Nothing is
 * written outside the user's data directory; no conflicts are disabled (the
 * private instance starts empty, and the hook leaves out the host's entries
 * that catch our guests).
 */
import { basename, join } from 'node:path';
import type { Arch } from '../../common/arch.js';
import { guestsToInstall, planGuest, type BinfmtDeps, type InstalledGuest } from '../binfmt/binfmt-install.js';
import { LOCK_FILE_NAME } from '../binfmt/binfmt-lock.js';
import type { StateStore } from '../binfmt/binfmt-state-file.js';
import { PRIVATE_BINFMT_LOCK_FILE, type InstallState, emptyInstallState } from '../binfmt/install-state.js';
import { prunable, statePrefixes, type PrefixUses } from '../prefix/prefix-prune.js';
import { readUsernsBinfmt, removeUsernsEntries, type PodmanRunner, type UsernsBinfmt } from './podman-userns.js';

export interface UserBinfmtDeps extends Pick<BinfmtDeps, 'store' | 'lock' | 'emulators' | 'servedGuests' | 'host' | 'kernelRelease' | 'log'> {
  /** $XDG_DATA_HOME/fexpod */
  readonly stateDir: string;
  /** `podman <args>` as this user; undefined when podman is not installed. */
  readonly podman: PodmanRunner | undefined;
  /** Removes a directory tree (a staged prefix). */
  removeTree(path: string): Promise<void>;
  removeFile(path: string): Promise<void>;
  listDir(path: string): Promise<string[]>;
  /** What uses files under the prefix directory (prefix/prefix-prune.ts); absent: nothing is looked at. */
  prefixUses?(root: string): Promise<PrefixUses>;
}

/** A guest as root's install reports it, minus what only the host has (conflicts, persistence). */
export type UserInstalledGuest = Pick<InstalledGuest, 'guest' | 'emulator' | 'entryName' | 'interpreter' | 'prefix' | 'flags'>;

export interface UserInstallResult {
  readonly installed: readonly UserInstalledGuest[];
  readonly stateFile: string;
  /** Staged prefixes of earlier installs that nothing refers to any more, removed. */
  readonly prefixesRemoved: readonly string[];
  /** Such prefixes that a process still runs or has mounted: kept until an install finds them unused. */
  readonly prefixesInUse: readonly { readonly prefix: string; readonly by: string }[];
  /** Entries of an earlier install (another emulator) taken out of Podman's live namespace. */
  readonly entriesReplaced: readonly string[];
}

function prefixRoot(stateDir: string): string {
  return join(stateDir, 'prefix');
}

/** Prefix directories and interrupted stagings under <stateDir>/prefix that the state does not name. */
async function unusedPrefixes(state: InstallState | undefined, deps: UserBinfmtDeps): Promise<string[]> {
  const used = new Set(statePrefixes(state));
  const root = prefixRoot(deps.stateDir);
  return (await deps.listDir(root))
    .filter((n) => /^[0-9a-f]{64}$/.test(n) || n.startsWith('.staging-'))
    .map((n) => join(root, n))
    .filter((p) => !used.has(p));
}

export async function installUserBinfmt(opts: { guests?: readonly Arch[]; emulator?: string }, deps: UserBinfmtDeps): Promise<UserInstallResult> {
  const guests = await guestsToInstall(opts, deps, 'install FEX (aarch64 hosts) or qemu-user-static (ask your administrator)');
  return deps.lock(async () => {
    let state = (await deps.store.read()) ?? emptyInstallState();
    const installed: UserInstalledGuest[] = [];
    const replaced: string[] = [];
    for (const guest of guests) {
      const { emulator, staged, flags, rule, registration: reg } = await planGuest(guest, opts.emulator, deps);
      const others = state.registrations.filter((r) => r.guest !== guest.name);
      const previous = state.registrations.find((r) => r.guest === guest.name);
      if (previous && previous.entryName !== reg.entryName) replaced.push(previous.entryName);
      state = { ...state, registrations: [...others, reg] };
      installed.push({ guest: guest.name, emulator: emulator.name, entryName: rule.name, interpreter: staged.interpreter, ...(staged.prefix ? { prefix: staged.prefix } : {}), flags });
    }
    await deps.store.write(state);
    // Interrupted stagings go; an old prefix goes unless a process of this user still runs from it.
    const unused = await unusedPrefixes(state, deps);
    const stagings = unused.filter((p) => basename(p).startsWith('.staging-'));
    const old = unused.filter((p) => !stagings.includes(p));
    const verdict = deps.prefixUses && old.length > 0 ? prunable(old, await deps.prefixUses(prefixRoot(deps.stateDir))) : { remove: old, inUse: [] };
    const prefixesRemoved = [...stagings, ...verdict.remove];
    for (const p of prefixesRemoved) await deps.removeTree(p);
    // A live namespace may still hold the replaced entries; the new ones are registered later and would win, but
    // the old ones would outlive their prefix.
    let entriesReplaced: string[] = [];
    if (replaced.length > 0 && deps.podman) {
      try {
        entriesReplaced = await removeUsernsEntries(deps.podman, replaced);
      } catch (err) {
        deps.log.warn(`could not take ${replaced.join(', ')} out of Podman's user namespace (${err instanceof Error ? err.message : String(err)}); the new entries win anyway`);
      }
    }
    return { installed, stateFile: deps.store.path, prefixesRemoved, prefixesInUse: verdict.inUse, entriesReplaced };
  });
}

export interface UserUninstallResult {
  readonly stateFile: string;
  /** Entries removed from the private binfmt_misc of Podman's namespace (when it had them). */
  readonly entriesRemoved: readonly string[];
  /** Why the live entries could not be removed (they end with the namespace anyway). */
  readonly entriesLeft?: string;
  readonly filesRemoved: readonly string[];
}

export async function uninstallUserBinfmt(deps: UserBinfmtDeps): Promise<UserUninstallResult> {
  return deps.lock(async () => {
    let state: InstallState | undefined;
    try {
      state = await deps.store.read();
    } catch (err) {
      deps.log.warn(`${deps.store.path} is unreadable (${err instanceof Error ? err.message : String(err)}); removing it and every staged prefix`);
    }
    const names = (state?.registrations ?? []).map((r) => r.entryName);
    let entriesRemoved: string[] = [];
    let entriesLeft: string | undefined;
    if (names.length > 0 && deps.podman) {
      try {
        entriesRemoved = await removeUsernsEntries(deps.podman, names);
      } catch (err) {
        entriesLeft = err instanceof Error ? err.message : String(err);
        deps.log.warn(`could not remove ${names.join(', ')} from Podman's user namespace (${entriesLeft}); they go away with it ("podman system migrate" ends it)`);
      }
    }
    const filesRemoved: string[] = [];
    for (const p of await unusedPrefixes(undefined, deps)) {
      await deps.removeTree(p);
      filesRemoved.push(p);
    }
    for (const f of [deps.store.path, join(deps.stateDir, PRIVATE_BINFMT_LOCK_FILE)]) {
      await deps.removeFile(f);
      filesRemoved.push(f);
    }
    return { stateFile: deps.store.path, entriesRemoved, ...(entriesLeft ? { entriesLeft } : {}), filesRemoved };
  }).then(async (r) => {
    // The state lock itself, once released.
    const lock = join(deps.stateDir, LOCK_FILE_NAME);
    await deps.removeFile(lock);
    return { ...r, filesRemoved: [...r.filesRemoved, lock] };
  });
}

export interface UserStatus {
  readonly stateFile: string;
  readonly state: InstallState | undefined;
  /** Podman's namespace right now; undefined when podman is missing or did not answer (see `error`). */
  readonly namespace: UsernsBinfmt | undefined;
  readonly error?: string;
}

export async function userBinfmtStatus(deps: Pick<UserBinfmtDeps, 'store' | 'podman'>): Promise<UserStatus> {
  const state = await deps.store.read();
  const names = (state?.registrations ?? []).map((r) => r.entryName);
  if (!deps.podman) return { stateFile: deps.store.path, state, namespace: undefined, error: 'podman is not installed' };
  try {
    return { stateFile: deps.store.path, state, namespace: await readUsernsBinfmt(deps.podman, names) };
  } catch (err) {
    return { stateFile: deps.store.path, state, namespace: undefined, error: err instanceof Error ? err.message : String(err) };
  }
}

export type { StateStore };
