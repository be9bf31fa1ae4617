/**
 * The install flow of `fexpod binfmt`, over injected effects (uninstall:
 * binfmt-uninstall.ts, status: binfmt-status-report.ts). Per guest
 * architecture:
 *
 *   choose emulator → stage prefix (dynamic emulators) → build rule →
 *   find conflicts → record them (state written first) → disable them →
 *   register → persist (rule file + masks) → write state
 */
import { dirname, join } from 'node:path';
import type { Arch, ArchName } from '../../common/arch.js';
import { FexpodError, UsageError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { BinfmtController, RegisterOutcome } from './binfmt-controller.js';
import { entryRegistration } from './binfmt-entry.js';
import { archesMatched } from './binfmt-magic.js';
import { type BinfmtDFile, type PersistFs, applyMask, binfmtDRules, definingFile, effectiveFiles, ruleFilePath, ruleFileText, stableLinkPath, throughStableLink } from './binfmt-persist.js';
import { buildRule, findConflicts, flagsFor } from './binfmt-plan.js';
import { type BinfmtRule, formatRegistration } from './binfmt-rule.js';
import type { StateStore } from './binfmt-state-file.js';
import {
  type DisabledConflict,
  type InstallState,
  type InstalledRegistration,
  type MaskedBinfmtFile,
  type MicroVmGuestEntry,
  emptyInstallState,
} from './install-state.js';

/** An emulator as the install flow needs it (adapted from the emulator catalogue). */
export interface BinfmtEmulator {
  /** Catalogue name: fex, box64, qemu-user-static, qemu-user, … */
  readonly name: string;
  /** Guests this binary serves. */
  readonly guests: readonly ArchName[];
  readonly interpreterPath: string;
  readonly static: boolean;
  /** First line of `--version`, if known (decides QEMU's P flag). */
  readonly version?: string;
  /** Stages a dynamic emulator into a relocatable prefix. */
  stage?(): Promise<{ prefix: string | undefined; interpreter: string }>;
  /** What stage() would return, without writing anything (dry runs). */
  plan?(): Promise<{ prefix: string | undefined; interpreter: string }>;
  /** Files stage() writes besides a prefix (the muvm dispatcher script), for setup's journal and dry run. */
  readonly writes?: readonly string[];
}

export interface BinfmtDeps {
  readonly controller: BinfmtController;
  readonly persistFs: PersistFs;
  readonly store: StateStore;
  /** Runs fn under the exclusive state lock. */
  lock<T>(fn: () => Promise<T>): Promise<T>;
  /** Emulators usable for binfmt on this host for a guest, in precedence order. */
  emulators(guest: Arch): Promise<readonly BinfmtEmulator[]>;
  /** Every guest some available emulator serves (for the default guest list). */
  servedGuests(): Promise<readonly Arch[]>;
  /**
   * Hosts whose page size is not 4 KiB: stages what foreign containers need
   * inside crun's krun microVM for these guests (FEX, FEXServer and
   * fexpod-guest-init in a prefix); [] where there is nothing to stage.
   */
  microvm?(guests: readonly Arch[]): Promise<readonly MicroVmGuestEntry[]>;
  readonly host: Arch;
  readonly kernelRelease: string;
  readonly log: Logger;
}

export interface PersistOptions {
  /** Where fexpod writes binfmt.d files (default /etc/binfmt.d). */
  readonly dir: string;
  /** The lower binfmt.d directories to look for conflicting vendor files in. */
  readonly vendorDirs: readonly string[];
}

export interface InstallOptions {
  readonly guests?: readonly Arch[];
  readonly emulator?: string;
  /** Persist for systemd-binfmt; undefined = do not. */
  readonly persist?: PersistOptions;
  /** Stage the krun microVM entries too (default true; refresh stages them once for every recorded guest). */
  readonly microvm?: boolean;
}

export interface InstalledGuest {
  readonly guest: ArchName;
  readonly emulator: string;
  readonly entryName: string;
  readonly interpreter: string;
  readonly prefix?: string;
  readonly flags: string;
  readonly outcome: RegisterOutcome;
  readonly disabled: readonly string[];
  readonly leftAlone: readonly string[];
  readonly persistedFile?: string;
  readonly masked: readonly string[];
}

export interface InstallResult {
  readonly installed: readonly InstalledGuest[];
  /** Non-4k hosts: what foreign containers get inside the krun microVM. */
  readonly microvm: readonly MicroVmGuestEntry[];
  readonly stateFile: string;
}

function upsert<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const out = [...list];
  out[i] = item;
  return out;
}

/** The guests an install serves: those asked for (all foreign), or every foreign one an emulator serves. */
export async function guestsToInstall(
  opts: Pick<InstallOptions, 'guests' | 'emulator'>,
  deps: Pick<BinfmtDeps, 'servedGuests' | 'emulators' | 'host'>,
  installHint = 'install FEX (aarch64 hosts) or qemu-user-static',
): Promise<Arch[]> {
  const guests = opts.guests && opts.guests.length > 0 ? [...opts.guests] : await defaultGuests(opts.emulator, deps);
  if (guests.length === 0) {
    throw new FexpodError(`no emulator on this ${deps.host.name} host serves a foreign architecture${opts.emulator ? ` (asked for ${opts.emulator})` : ''}`, {
      fix: `${installHint}, then run "fexpod doctor"`,
    });
  }
  for (const g of guests) {
    if (g.isNativeOn(deps.host)) throw new UsageError(`${g.name} runs natively on this ${deps.host.name} host; nothing to register`, 'pick a foreign --guest');
  }
  return guests;
}

export async function installBinfmt(opts: InstallOptions, deps: BinfmtDeps): Promise<InstallResult> {
  const guests = await guestsToInstall(opts, deps);
  return deps.lock(async () => {
    await deps.controller.ensureMounted();
    if (!(await deps.controller.globallyEnabled())) {
      deps.log.warn(`binfmt_misc is switched off globally, so no entry is used; switch it on with: echo 1 > ${deps.controller.dir}/status`);
    }
    let state = (await deps.store.read()) ?? emptyInstallState();
    const microvm = deps.microvm && opts.microvm !== false ? await deps.microvm(guests) : [];
    const installed: InstalledGuest[] = [];
    for (const guest of guests) {
      if (microvm.some((e) => e.guest === guest.name) && (await deps.emulators(guest)).length === 0 && !opts.emulator) {
        deps.log.warn(`${guest.name}: no binfmt_misc route for host programs on this host (fexpod doctor says why); containers use the krun microVM`);
        continue;
      }
      const r = await installGuest(guest, opts, state, deps);
      state = r.state;
      installed.push(r.result);
    }
    if (microvm.length > 0) await recordMicroVm(state, microvm, deps);
    return { installed, microvm, stateFile: deps.store.path };
  });
}

/** Records freshly staged krun microVM entries (replacing those of the same guests); call under the lock. */
async function recordMicroVm(state: InstallState, microvm: readonly MicroVmGuestEntry[], deps: BinfmtDeps): Promise<void> {
  const kept = (state.microvm ?? []).filter((e) => !microvm.some((m) => m.guest === e.guest));
  await deps.store.write({ ...state, microvm: [...kept, ...microvm] });
  for (const e of microvm) {
    deps.log.info(`${e.guest} containers in the krun microVM: ${e.interpreter} (prefix ${e.prefix}), ` +
      (e.guestInit ? 'registered in the guest by fexpod-guest-init' : 'run through FEX directly (fexpod-guest-init was not built: install a C compiler and rebuild)'));
  }
}

/**
 * Stages what krun containers need for these guests again (FEX, FEXServer and
 * this installation's fexpod-guest-init: an update of any of them gives a new
 * prefix) and records it; [] when nothing can be staged here (the recorded
 * entries are then kept as they are).
 */
export async function restageMicroVm(guests: readonly Arch[], deps: BinfmtDeps): Promise<readonly MicroVmGuestEntry[]> {
  if (!deps.microvm || guests.length === 0) return [];
  const stage = deps.microvm;
  return deps.lock(async () => {
    const microvm = await stage(guests);
    if (microvm.length > 0) await recordMicroVm((await deps.store.read()) ?? emptyInstallState(), microvm, deps);
    return microvm;
  });
}

/** Every foreign guest some emulator (or the one named) serves on this host. */
export async function defaultGuests(emulator: string | undefined, deps: Pick<BinfmtDeps, 'servedGuests' | 'emulators' | 'host'>): Promise<Arch[]> {
  const served = await deps.servedGuests();
  const out: Arch[] = [];
  for (const g of served) {
    if (g.isNativeOn(deps.host)) continue;
    if (emulator && !(await deps.emulators(g)).some((e) => e.name === emulator)) continue;
    out.push(g);
  }
  return out;
}

/** The emulator for one guest: the one named, or the first by precedence. */
export async function chooseEmulator(guest: Arch, wanted: string | undefined, deps: Pick<BinfmtDeps, 'emulators'>): Promise<BinfmtEmulator> {
  const candidates = await deps.emulators(guest);
  const pick = wanted ? candidates.find((c) => c.name === wanted) : candidates[0];
  if (!pick) {
    const have = candidates.map((c) => c.name).join(', ') || 'none';
    throw new FexpodError(`no ${wanted ?? 'emulator'} found for ${guest.name} guests on this host (available: ${have})`, {
      fix: wanted ? `install ${wanted}, or drop --emulator to use what is there` : 'install FEX (aarch64 hosts) or qemu-user-static, then run "fexpod doctor"',
    });
  }
  return pick;
}

export interface GuestPlan {
  readonly emulator: BinfmtEmulator;
  readonly staged: { readonly prefix: string | undefined; readonly interpreter: string };
  readonly flags: string;
  readonly rule: BinfmtRule;
  /** What the state file records for this guest (without persistence). */
  readonly registration: InstalledRegistration;
}

/** Chooses the emulator for one guest, stages it if dynamic, and builds its rule (root's and the --user install). */
export async function planGuest(guest: Arch, wanted: string | undefined, deps: Pick<BinfmtDeps, 'emulators' | 'kernelRelease' | 'log'>): Promise<GuestPlan> {
  const emulator = await chooseEmulator(guest, wanted, deps);
  const staged = emulator.static || !emulator.stage ? { prefix: undefined, interpreter: emulator.interpreterPath } : await emulator.stage();
  const flags = flagsFor(emulator.name, { kernelRelease: deps.kernelRelease, ...(emulator.version ? { emulatorVersion: emulator.version } : {}) });
  const rule = buildRule(guest, emulator.name, staged.interpreter, flags);
  deps.log.info(`${guest.name}: ${emulator.name} at ${staged.interpreter}${staged.prefix ? ` (prefix ${staged.prefix})` : ''}, entry ${rule.name}, flags ${flags}`);
  const registration: InstalledRegistration = {
    guest: guest.name,
    emulator: emulator.name,
    entryName: rule.name,
    registration: formatRegistration(rule),
    interpreter: staged.interpreter,
    ...(staged.prefix ? { prefix: staged.prefix } : {}),
  };
  return { emulator, staged, flags, rule, registration };
}

async function installGuest(
  guest: Arch,
  opts: InstallOptions,
  state0: InstallState,
  deps: BinfmtDeps,
): Promise<{ state: InstallState; result: InstalledGuest }> {
  const { controller, log } = deps;
  let state = state0;
  const { emulator, staged, flags, rule, registration } = await planGuest(guest, opts.emulator, deps);

  const previous = state.registrations.find((r) => r.guest === guest.name);
  const ours = new Set(state.registrations.map((r) => r.entryName));
  const report = findConflicts(await controller.list(), rule, guest, ours);
  for (const e of report.broad) {
    log.warn(`${e.rule.name} also catches ${guest.name} binaries but also ${archesMatched(e.rule).map((a) => a.name).join(', ')}; leaving it enabled (${rule.name}, registered later, wins)`);
  }

  // 1. Record what we are about to change, before changing it.
  const toRecord = [...report.disable, ...(report.sameName ? [report.sameName] : [])];
  for (const e of toRecord) {
    if (state.disabled.some((d) => d.entryName === e.rule.name)) continue;
    const rec: DisabledConflict = { entryName: e.rule.name, wasEnabled: e.enabled, registration: entryRegistration(e), guest: guest.name };
    state = { ...state, disabled: [...state.disabled, rec] };
  }
  if (toRecord.length > 0) await deps.store.write(state);

  // 2. Disable conflicts, register ours (the same-name entry is replaced by register()).
  for (const e of report.disable) {
    if (e.enabled) {
      log.info(`disabling ${e.rule.name} (${e.rule.interpreter}): it catches ${guest.name} binaries too; "fexpod binfmt uninstall" restores it`);
      await controller.disable(e.rule.name);
    }
  }
  if (report.sameName) log.info(`${rule.name} exists with interpreter ${report.sameName.rule.interpreter}; replacing it (restored on uninstall)`);
  const outcome = await controller.register(rule);
  if (previous && previous.entryName !== rule.name) {
    log.info(`removing the previous fexpod entry for ${guest.name}: ${previous.entryName}`);
    await controller.removeIfPresent(previous.entryName);
    if (previous.persistedFile) await deps.persistFs.remove(previous.persistedFile);
    if (previous.stableLink) await deps.persistFs.remove(previous.stableLink);
  }

  // 3. Persist for systemd-binfmt. A staged emulator is named through its
  // stable link (re-pointed whenever the prefix moves), never by its digest.
  const same = previous?.entryName === rule.name;
  let persistedFile: string | undefined = same ? previous.persistedFile : undefined;
  let stableLink = same ? previous.stableLink : undefined;
  if (opts.persist) stableLink = staged.prefix ? stableLinkPath(dirname(deps.store.path), rule.name) : undefined;
  if (same && previous.stableLink && previous.stableLink !== stableLink) await deps.persistFs.remove(previous.stableLink);
  if (stableLink && staged.prefix) await deps.persistFs.symlinkAtomic(staged.prefix, stableLink);
  const masked: string[] = [];
  if (opts.persist) {
    persistedFile = ruleFilePath(opts.persist.dir, rule.name);
    const persisted = stableLink && staged.prefix ? throughStableLink(rule, staged.prefix, stableLink) : rule;
    await deps.persistFs.writeFileAtomic(persistedFile, ruleFileText(persisted, `${emulator.name} for ${guest.name} guests`));
    const persistDir = opts.persist.dir;
    // Read once per guest: a mask written below keeps the file name (and so
    // the record path) that a re-read would find, and later names in the same
    // file extend that record.
    const files: BinfmtDFile[] = await effectiveFiles([persistDir, ...opts.persist.vendorDirs], deps.persistFs);
    // Everything disabled for this guest, now or by an earlier install without
    // --persist, and what systemd-binfmt would register for it at the next
    // boot although it is not registered now (a later file name would win).
    const dormant = findConflicts(binfmtDRules(files), rule, guest, ours);
    const names = new Set([
      ...toRecord.map((e) => e.rule.name),
      ...state.disabled.filter((d) => d.guest === guest.name).map((d) => d.entryName),
      ...[...dormant.disable, ...(dormant.sameName ? [dormant.sameName] : [])].map((e) => e.rule.name),
    ]);
    for (const name of names) {
      if ((state.masks ?? []).some((m) => m.entries.some((x) => x.entryName === name))) continue;
      const file = definingFile(files, name);
      if (!file) {
        log.warn(`${name} is in no binfmt.d file (registered by hand or by another tool): it may come back enabled at boot`);
        continue;
      }
      const existing = (state.masks ?? []).find((m) => m.path === join(persistDir, file.name));
      const rec: MaskedBinfmtFile = await applyMask(file, name, guest.name, persistDir, existing, deps.persistFs);
      state = { ...state, masks: upsert(state.masks ?? [], rec, (m) => m.path === rec.path) };
      masked.push(rec.path);
      log.info(`masked ${file.path} with ${rec.path} so systemd-binfmt keeps ${name} off`);
    }
  }

  // 4. Record our registration.
  const reg: InstalledRegistration = {
    ...registration,
    ...(persistedFile ? { persistedFile } : {}),
    ...(stableLink && staged.prefix ? { stableLink } : {}),
  };
  state = {
    ...state,
    registrations: upsert(state.registrations, reg, (r) => r.guest === guest.name),
    persisted: persistedList(state.persisted, previous?.persistedFile, persistedFile),
  };
  await deps.store.write(state);
  return {
    state,
    result: {
      guest: guest.name,
      emulator: emulator.name,
      entryName: rule.name,
      interpreter: staged.interpreter,
      ...(staged.prefix ? { prefix: staged.prefix } : {}),
      flags,
      outcome,
      disabled: report.disable.map((e) => e.rule.name),
      leftAlone: report.broad.map((e) => e.rule.name),
      ...(persistedFile ? { persistedFile } : {}),
      masked,
    },
  };
}

/** The persisted-files list after replacing `old` (if any) with `now` (if any). */
function persistedList(list: readonly string[], old: string | undefined, now: string | undefined): string[] {
  if (old !== undefined && old === now && list.includes(now)) return [...list];
  const out = list.filter((p) => p !== old);
  if (now !== undefined && !out.includes(now)) out.push(now);
  return out;
}
