/**
 * `fexpod binfmt refresh`: registers again everything the install state
 * records. This is what fexpod-binfmt.service runs after systemd-binfmt (which
 * flushes every entry and re-registers binfmt.d files only), and what an
 * emulator update needs.
 *
 * Per recorded emulator it runs the install flow again: the emulator is staged
 * again (same bytes → same prefix, nothing written; an updated FEX → a new
 * prefix, and the stable link re-pointed), conflicts that came back are
 * disabled again, and the entry is registered with the recorded line. That
 * replaces the line systemd-binfmt registered through the stable link, so the
 * file the kernel holds open (F flag) is the one in the prefix the registration names.
 * When an emulator is gone, the recorded line is registered as it is, if its
 * interpreter still exists.
 *
 * What krun containers get (non-4k hosts: FEX, FEXServer and fexpod-guest-init
 * in one prefix, install-state `microvm`) is staged again once, for every
 * guest recorded there — also when no binfmt_misc entry is recorded (a host
 * without muvm) — so a fexpod update's new fexpod-guest-init, or a FEX
 * update, moves the entries to a new prefix instead of leaving the old copy
 * in use.
 */
import { dirname } from 'node:path';
import { Arch } from '../../common/arch.js';
import { FexpodError, errorMessage } from '../../common/errors.js';
import { type BinfmtDeps, type InstalledGuest, installBinfmt, restageMicroVm } from './binfmt-install.js';
import { parseRegistration } from './binfmt-rule.js';
import type { InstalledRegistration, MicroVmGuestEntry } from './install-state.js';

export interface RefreshFailure {
  readonly guest: string;
  readonly entryName: string;
  readonly reason: string;
}

export interface RefreshResult {
  /** Guests installed again through the install flow. */
  readonly refreshed: readonly InstalledGuest[];
  /** The krun microVM entries staged again (non-4k hosts). */
  readonly microvm: readonly MicroVmGuestEntry[];
  /** Guests whose emulator is gone: their recorded line was registered as it is. */
  readonly kept: readonly { readonly guest: string; readonly entryName: string; readonly because: string }[];
  readonly failed: readonly RefreshFailure[];
  readonly stateFile: string;
}

/** Registrations grouped by what one install run can redo: the same emulator, persisted to the same directory (or not). */
function groups(regs: readonly InstalledRegistration[]): InstalledRegistration[][] {
  const out = new Map<string, InstalledRegistration[]>();
  for (const r of regs) {
    const key = `${r.emulator}\0${r.persistedFile ? dirname(r.persistedFile) : ''}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return [...out.values()];
}

export async function refreshBinfmt(deps: BinfmtDeps, vendorDirs: readonly string[]): Promise<RefreshResult> {
  const state = await deps.store.read();
  const refreshed: InstalledGuest[] = [];
  const kept: { guest: string; entryName: string; because: string }[] = [];
  const failed: RefreshFailure[] = [];
  if (!state || (state.registrations.length === 0 && (state.microvm ?? []).length === 0)) {
    deps.log.info(`nothing to refresh: ${deps.store.path} records no registration`);
    return { refreshed, microvm: [], kept, failed, stateFile: deps.store.path };
  }
  for (const regs of groups(state.registrations)) {
    const first = regs[0];
    if (!first) continue;
    const persistDir = first.persistedFile ? dirname(first.persistedFile) : undefined;
    try {
      const r = await installBinfmt(
        {
          guests: regs.map((x) => Arch.of(x.guest)),
          emulator: first.emulator,
          microvm: false,
          ...(persistDir ? { persist: { dir: persistDir, vendorDirs } } : {}),
        },
        deps,
      );
      refreshed.push(...r.installed);
    } catch (err) {
      const because = errorMessage(err);
      deps.log.warn(`${first.emulator} cannot be installed again (${because}); registering the recorded lines as they are`);
      for (const x of regs) {
        try {
          await deps.lock(async () => {
            await deps.controller.ensureMounted();
            await deps.controller.register(parseRegistration(x.registration));
          });
          kept.push({ guest: x.guest, entryName: x.entryName, because });
        } catch (err2) {
          failed.push({ guest: x.guest, entryName: x.entryName, reason: `${because}; the recorded line failed too: ${errorMessage(err2)}` });
        }
      }
    }
  }
  let microvm: readonly MicroVmGuestEntry[] = [];
  // Every guest with a krun entry or a registration (as install stages them), once.
  const vmGuests = [...new Set([...state.registrations, ...(state.microvm ?? [])].map((e) => e.guest))].map((g) => Arch.of(g));
  try {
    microvm = await restageMicroVm(vmGuests, deps);
  } catch (err) {
    deps.log.warn(`the krun microVM entries (${vmGuests.map((g) => g.name).join(', ')}) could not be staged again (${errorMessage(err)}); the recorded ones stay`);
  }
  return { refreshed, microvm, kept, failed, stateFile: deps.store.path };
}

/** The error a refresh with failures ends in (the unit then shows as failed, with the reason). */
export function refreshError(r: RefreshResult): FexpodError | undefined {
  if (r.failed.length === 0) return undefined;
  return new FexpodError(`could not register ${r.failed.map((f) => `${f.entryName} (${f.guest}): ${f.reason}`).join('; ')}`, {
    fix: 'run "fexpod doctor"; reinstall the emulator, or run "sudo fexpod binfmt install" again',
  });
}
