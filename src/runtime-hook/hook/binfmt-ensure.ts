/**
 * Makes sure the binfmt_misc entry a foreign container needs exists.
 * systemd-binfmt flushes every entry when it restarts (package updates do
 * that), so the hook re-registers the line recorded by `fexpod binfmt install`
 * when the entry is gone. A rootless user (or any user namespace) cannot write
 * the register file: then the hook reports the fix instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { errnoCode, errorMessage } from '../../common/errors.js';
import type { InstalledRegistration } from '../../emulator/binfmt/install-state.js';

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

export type EntryState = 'enabled' | 'disabled' | 'missing';

export interface BinfmtDeps {
  /** Whether binfmt_misc is mounted (the register file exists). */
  mounted(): boolean;
  mount(): void;
  entry(name: string): EntryState;
  register(line: string): void;
  /** Whether this process may change binfmt_misc (real root in the initial user namespace). */
  privileged(): boolean;
}

export type EnsureResult =
  | { readonly ok: true; readonly action: 'present' | 'registered' }
  | { readonly ok: false; readonly reason: string; readonly fix: string };

export function ensureRegistration(reg: InstalledRegistration, b: BinfmtDeps): EnsureResult {
  const fix = `run "sudo fexpod binfmt install" (or "sudo systemctl restart systemd-binfmt") to restore ${reg.entryName}`;
  if (b.mounted()) {
    const st = b.entry(reg.entryName);
    if (st === 'enabled') return { ok: true, action: 'present' };
    if (st === 'disabled') {
      return { ok: false, reason: `binfmt entry ${reg.entryName} is disabled (left alone)`, fix: `echo 1 > ${BINFMT_DIR}/${reg.entryName}` };
    }
  }
  if (!b.privileged()) {
    return { ok: false, reason: `binfmt entry ${reg.entryName} is missing and this hook runs without privileges to register it`, fix };
  }
  try {
    if (!b.mounted()) b.mount();
    b.register(reg.registration);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') {
      return { ok: false, reason: `re-registering ${reg.entryName} failed: ${errorMessage(err)}`, fix };
    }
  }
  if (b.entry(reg.entryName) !== 'enabled') {
    return { ok: false, reason: `${reg.entryName} is still not enabled after re-registering`, fix };
  }
  return { ok: true, action: 'registered' };
}

/** Where mount(8) lives (hooks run with an empty environment). */
export const MOUNT_BINARIES = ['/usr/bin/mount', '/bin/mount'] as const;

/** Whether uid 0 here is the host's root (not a user namespace's). */
export function inInitialUserNs(uidMap: string): boolean {
  const f = uidMap.trim().split(/\s+/);
  return f.length === 3 && f[0] === '0' && f[1] === '0' && f[2] === '4294967295';
}

export function hostBinfmt(dir = BINFMT_DIR): BinfmtDeps {
  return {
    mounted: () => existsSync(`${dir}/register`),
    mount() {
      const bin = MOUNT_BINARIES.find((m) => existsSync(m)) ?? 'mount';
      execFileSync(bin, ['-t', 'binfmt_misc', 'binfmt_misc', dir], { stdio: 'ignore', env: {} });
    },
    entry(name) {
      try {
        const first = readFileSync(`${dir}/${name}`, 'utf8').split('\n', 1)[0];
        return first === 'enabled' ? 'enabled' : 'disabled';
      } catch {
        return 'missing';
      }
    },
    register(line) {
      writeFileSync(`${dir}/register`, line);
    },
    privileged() {
      if (process.getuid?.() !== 0) return false;
      try {
        return inInitialUserNs(readFileSync('/proc/self/uid_map', 'utf8'));
      } catch {
        return false;
      }
    },
  };
}
