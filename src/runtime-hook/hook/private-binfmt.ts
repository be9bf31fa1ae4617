/**
 * Rootless Podman: the emulator's binfmt_misc entry in the private instance
 * of Podman's user namespace.
 *
 * From Linux 6.7 on, a user namespace that mounts binfmt_misc gets an
 * instance of its own, keyed by the namespace (a second mount shows the same
 * entries), and exec looks up handlers in the nearest instance walking up
 * from the caller's user namespace. Rootless Podman runs its hooks, conmon,
 * the runtime and every container in one user namespace (held by its pause
 * process) and in that namespace's mount namespace, so a precreate hook that
 * mounts binfmt_misc over /proc/sys/fs/binfmt_misc there and registers the
 * emulator (with F: the interpreter is opened now, from the host's files)
 * makes every container of that user run foreign binaries — while the host's
 * table stays untouched. The registration lives as long as that namespace;
 * after `podman system migrate` (or a reboot) the next hook makes it again.
 *
 * Steps, all idempotent so that concurrent container starts need no
 * coordination beyond one lock around the mount:
 *
 *   own instance already?  → ensure the entry (EEXIST is fine)
 *   kernel < 6.7, not in a user namespace → leave the spec alone, say why
 *   read the host's entries (visible until the mount covers them)
 *   lock; still not ours? mount           (a stacked second mount is avoided)
 *   if we mounted: copy the host's enabled entries that catch none of our
 *   guests (a private instance hides the host's table from the namespace)
 *   ensure the entry
 *
 * Lean like the rest of the hook: node builtins and small pure modules only.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { errnoCode, errorMessage } from '../../common/errors.js';
import { parseEntryFile, entryRegistration } from '../../emulator/binfmt/binfmt-entry.js';
import { archesMatched } from '../../emulator/binfmt/binfmt-magic.js';
import type { InstallState, InstalledRegistration } from '../../emulator/binfmt/install-state.js';
import { hasPerUsernsBinfmt, parseKernelRelease } from '../../emulator/host/kernel-version.js';
import { BINFMT_DIR, MOUNT_BINARIES, inInitialUserNs, type EnsureResult, type EntryState } from './binfmt-ensure.js';

export interface PrivateBinfmtDeps {
  /** `uname -r` of the host. */
  readonly kernelRelease: string;
  /** /proc/self/uid_map; undefined when unreadable. */
  uidMap(): string | undefined;
  /** Whether the instance visible at the binfmt_misc directory is this namespace's own (its register file is writable here). */
  ownInstance(): boolean;
  /** The entries visible now, as name and file text (before our mount: the host's). */
  visibleEntries(): readonly { readonly name: string; readonly text: string }[];
  /** Under a lock shared by this user's hooks: mounts binfmt_misc unless the instance is ours by then. */
  mountOnce(): 'mounted' | 'present';
  entry(name: string): EntryState;
  register(line: string): void;
}

export interface PrivateResult {
  readonly result: EnsureResult;
  /** Host entries copied into a freshly made instance, and those that could not be. */
  readonly copied: readonly string[];
  readonly notCopied: readonly string[];
  readonly created: boolean;
}

const HOST_FIX = 'or have root register the emulator on the host once: "sudo fexpod binfmt install && sudo fexpod hook install"';

function fail(reason: string, fix: string): PrivateResult {
  return { result: { ok: false, reason, fix }, copied: [], notCopied: [], created: false };
}

/** Registers `line` unless an entry of that name exists; EEXIST from a concurrent hook is success. */
function registerOnce(name: string, line: string, d: PrivateBinfmtDeps): void {
  if (d.entry(name) !== 'missing') return;
  try {
    d.register(line);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
}

/** The host's enabled entries to carry into a new private instance: none that catches a guest we serve. */
export function entriesToCopy(
  host: readonly { readonly name: string; readonly text: string }[],
  state: InstallState,
): { copy: { name: string; line: string }[]; skipped: string[] } {
  const ours = new Set(state.registrations.map((r) => r.entryName));
  const guests = new Set<string>(state.registrations.map((r) => r.guest));
  const copy: { name: string; line: string }[] = [];
  const skipped: string[] = [];
  for (const h of host) {
    if (ours.has(h.name)) continue;
    try {
      const e = parseEntryFile(h.name, h.text);
      if (!e.enabled) continue;
      if (archesMatched(e.rule).some((a) => guests.has(a.name))) {
        skipped.push(h.name);
        continue;
      }
      copy.push({ name: h.name, line: entryRegistration(e) });
    } catch {
      skipped.push(h.name);
    }
  }
  return { copy, skipped };
}

export function ensurePrivateRegistration(reg: InstalledRegistration, state: InstallState, d: PrivateBinfmtDeps): PrivateResult {
  let created = false;
  const copied: string[] = [];
  const notCopied: string[] = [];
  if (!d.ownInstance()) {
    const kernel = parseKernelRelease(d.kernelRelease);
    if (!hasPerUsernsBinfmt(kernel)) {
      return fail(
        `kernel ${d.kernelRelease} gives a user namespace no binfmt_misc instance of its own (Linux ≥ 6.7 does), so rootless Podman cannot register ${reg.entryName}`,
        `boot a kernel ≥ 6.7, ${HOST_FIX}`,
      );
    }
    const map = d.uidMap();
    if (map === undefined || inInitialUserNs(map)) {
      return fail(
        `the hook runs in the initial user namespace, not in rootless Podman's, so there is no private binfmt_misc to register ${reg.entryName} in`,
        'use this hook with rootless Podman only ("fexpod hook install --user" as that user); as root use "sudo fexpod hook install"',
      );
    }
    const host = d.visibleEntries();
    try {
      created = d.mountOnce() === 'mounted';
    } catch (err) {
      return fail(`mounting binfmt_misc in Podman's user namespace failed: ${errorMessage(err)}`, `check "fexpod doctor" for the rootless route, ${HOST_FIX}`);
    }
    if (!d.ownInstance()) {
      return fail(`binfmt_misc is mounted in Podman's user namespace but its register file is still not writable`, `check "fexpod doctor" for the rootless route, ${HOST_FIX}`);
    }
    if (created) {
      const plan = entriesToCopy(host, state);
      notCopied.push(...plan.skipped);
      for (const c of plan.copy) {
        try {
          registerOnce(c.name, c.line, d);
          copied.push(c.name);
        } catch {
          notCopied.push(c.name);
        }
      }
    }
  }
  const st = d.entry(reg.entryName);
  if (st === 'disabled') {
    return { result: { ok: false, reason: `binfmt entry ${reg.entryName} is disabled in Podman's user namespace (left alone)`, fix: `podman unshare sh -c 'echo 1 > ${BINFMT_DIR}/${reg.entryName}'` }, copied, notCopied, created };
  }
  if (st === 'missing') {
    try {
      registerOnce(reg.entryName, reg.registration, d);
    } catch (err) {
      return { result: { ok: false, reason: `registering ${reg.entryName} in Podman's user namespace failed: ${errorMessage(err)}`, fix: 'run "fexpod hook install --user" again (the emulator may have moved)' }, copied, notCopied, created };
    }
    if (d.entry(reg.entryName) !== 'enabled') {
      return { result: { ok: false, reason: `${reg.entryName} is not enabled after registering it in Podman's user namespace`, fix: `podman unshare cat ${BINFMT_DIR}/${reg.entryName}` }, copied, notCopied, created };
    }
    return { result: { ok: true, action: 'registered' }, copied, notCopied, created };
  }
  return { result: { ok: true, action: 'present' }, copied, notCopied, created };
}

/** flock(1) and sh, by absolute path: hooks run with an empty environment. */
const FLOCK_BINARIES = ['/usr/bin/flock', '/bin/flock'] as const;
const SH = '/bin/sh';
/** Checks again under the lock, so that concurrent first starts mount once. $1 = mount, $2 = dir. */
const MOUNT_SCRIPT = 'if [ -w "$2/register" ]; then echo present; else "$1" -t binfmt_misc binfmt_misc "$2" && echo mounted; fi';
const LOCK_WAIT_SECONDS = '5';

export function hostPrivateBinfmt(lockFile: string, kernelRelease: string, dir = BINFMT_DIR): PrivateBinfmtDeps {
  return {
    kernelRelease,
    uidMap() {
      try {
        return readFileSync('/proc/self/uid_map', 'utf8');
      } catch {
        return undefined;
      }
    },
    ownInstance() {
      try {
        accessSync(`${dir}/register`, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
    visibleEntries() {
      let names: string[];
      try {
        names = readdirSync(dir).filter((n) => n !== 'register' && n !== 'status');
      } catch {
        return [];
      }
      const out: { name: string; text: string }[] = [];
      for (const name of names) {
        try {
          out.push({ name, text: readFileSync(`${dir}/${name}`, 'utf8') });
        } catch {
          /* vanished meanwhile */
        }
      }
      return out;
    },
    mountOnce() {
      const mount = MOUNT_BINARIES.find((m) => existsSync(m)) ?? '/bin/mount';
      const flock = FLOCK_BINARIES.find((f) => existsSync(f));
      const sh = [SH, '-c', MOUNT_SCRIPT, 'sh', mount, dir];
      const [file, ...args] = flock ? [flock, '-w', LOCK_WAIT_SECONDS, lockFile, ...sh] : sh;
      const out = execFileSync(file ?? SH, args, { env: {}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 8000 });
      return out.trim() === 'mounted' ? 'mounted' : 'present';
    },
    entry(name) {
      try {
        return readFileSync(`${dir}/${name}`, 'utf8').split('\n', 1)[0] === 'enabled' ? 'enabled' : 'disabled';
      } catch {
        return 'missing';
      }
    },
    register(line) {
      writeFileSync(`${dir}/register`, line);
    },
  };
}
