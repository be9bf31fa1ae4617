/**
 * The steps of `fexpod setup`, top to bottom, over effects passed in (the
 * command wires journaled ones for a real run, in-memory ones for a dry run):
 *
 *   binfmt   emulators staged into prefixes, binfmt_misc entries registered,
 *            conflicts disabled, binfmt.d files (+ stable links) for systemd-binfmt
 *   hook     the Podman hooks and their containers.conf.d drop-in (skipped when a
 *            package already put a fexpod hook in Podman's hooks directories)
 *   systemd  fexpod-binfmt.service, enabled after systemd-binfmt.service
 *   rootfs   with --rootfs: a RootFS installed where FEX looks and named in FEX's
 *            Config.json (fexpod rootfs install, system-wide)
 *
 * Every step builds on the existing installers (binfmt install, hook install,
 * rootfs install).
 */
import { join } from 'node:path';
import type { Arch } from '../common/arch.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import { type BinfmtDeps, type InstallResult, type PersistOptions, installBinfmt } from '../emulator/binfmt/binfmt-install.js';
import { PODMAN_DEFAULT_HOOKS_DIR, PRECREATE_HOOK_FILE, checkHookJson, type HookPaths } from '../runtime-hook/install/hook-files.js';
import { type HookLayout, type InstallReport, confChain, effectiveHooksDirs, installHook } from '../runtime-hook/install/hook-install.js';
import type { InstallResult as RootfsResult } from '../rootfs/rootfs-install.js';
import type { SetupFiles } from './setup-files.js';
import { planUnit, renderUnit } from './systemd-unit.js';

export interface SetupOptions {
  readonly guests?: readonly Arch[];
  readonly emulator?: string;
  readonly stateDir: string;
  readonly persist: PersistOptions;
  readonly hook: { readonly layout: HookLayout; readonly paths: HookPaths };
  /** undefined: do not set up systemd (--no-systemd). */
  readonly unit: { readonly dir: string; readonly argv: readonly string[]; readonly template: string } | undefined;
  /** --rootfs: a RootFS to install system-wide (a registry reference or a local EroFS/SquashFS file). */
  readonly rootfs?: RootfsStep;
}

export interface RootfsStep {
  readonly source: string;
  /** File name under RootFS/ (default: the artifact's or the file's name). */
  readonly name?: string;
}

export interface SystemdFacts {
  /** systemd is installed (systemd-binfmt.service exists). */
  readonly present: boolean;
  /** A package's fexpod-binfmt.service, if any. */
  readonly vendorUnit: string | undefined;
}

export interface SetupEffects {
  readonly binfmt: BinfmtDeps;
  readonly files: SetupFiles;
  readonly systemd: SystemdFacts;
  readonly log: Logger;
  /** Installs the RootFS (journaled, or planned in a dry run); needed when SetupOptions.rootfs is set. */
  readonly rootfs?: (step: RootfsStep) => Promise<RootfsResult>;
}

export type StepName = 'binfmt' | 'hook' | 'systemd' | 'rootfs';

export type StepReport =
  | { readonly step: 'binfmt'; readonly status: 'done'; readonly result: InstallResult }
  | { readonly step: 'hook'; readonly status: 'done'; readonly result: InstallReport }
  | { readonly step: StepName; readonly status: 'skipped'; readonly reason: string }
  | { readonly step: 'systemd'; readonly status: 'done'; readonly unit: string; readonly wants: string }
  | { readonly step: 'rootfs'; readonly status: 'done'; readonly result: RootfsResult };

/** A valid fexpod precreate hook that Podman already reads from a directory other than ours (a package's), if any. */
export function packagedHook(files: SetupFiles, layout: HookLayout, log: Logger): string | undefined {
  const dirs = effectiveHooksDirs(confChain(files, layout, log)) ?? [PODMAN_DEFAULT_HOOKS_DIR];
  for (const d of dirs) {
    if (d === layout.hooksDir) continue;
    const path = join(d, PRECREATE_HOOK_FILE);
    const text = files.read(path);
    if (text === undefined) continue;
    try {
      const hook = checkHookJson(text, 'precreate');
      if ([hook.path, ...hook.args.slice(1, 2)].every((p) => files.exists(p))) return path;
    } catch (err) {
      log.warn(`${path} is not a valid hook (${errorMessage(err)}); installing fexpod's own`);
    }
  }
  return undefined;
}

export async function runSetup(o: SetupOptions, e: SetupEffects): Promise<StepReport[]> {
  const steps: StepReport[] = [];

  // 1. binfmt_misc: prefixes, entries, conflicts, binfmt.d files.
  e.log.info('setup: binfmt_misc registrations');
  const result = await installBinfmt(
    { ...(o.guests ? { guests: o.guests } : {}), ...(o.emulator ? { emulator: o.emulator } : {}), persist: o.persist },
    e.binfmt,
  );
  steps.push({ step: 'binfmt', status: 'done', result });

  // 2. The Podman hooks.
  e.log.info('setup: Podman hooks');
  const packaged = packagedHook(e.files, o.hook.layout, e.log);
  if (packaged) steps.push({ step: 'hook', status: 'skipped', reason: `Podman already reads fexpod's precreate hook ${packaged} (installed by a package)` });
  else {
    const r = installHook(e.files, o.hook.layout, o.hook.paths, e.log);
    for (const w of r.warnings) e.log.warn(w);
    steps.push({ step: 'hook', status: 'done', result: r });
  }

  // 3. systemd: re-register after systemd-binfmt and at boot.
  if (!o.unit) steps.push({ step: 'systemd', status: 'skipped', reason: '--no-systemd' });
  else if (!e.systemd.present) {
    steps.push({ step: 'systemd', status: 'skipped', reason: 'systemd is not installed: nothing re-registers the entries at boot; run "fexpod binfmt refresh" from your init' });
  } else {
    e.log.info('setup: fexpod-binfmt.service');
    const text = renderUnit(o.unit.template, { argv: o.unit.argv, stateDir: o.stateDir, stateFile: e.binfmt.store.path });
    const plan = planUnit({ vendorUnit: e.systemd.vendorUnit, unitDir: o.unit.dir, text });
    if (plan.write) e.files.writeAtomic(plan.write.path, plan.write.text);
    if (e.files.readlink(plan.wants.path) !== plan.wants.target) e.files.symlinkAtomic(plan.wants.target, plan.wants.path);
    steps.push({ step: 'systemd', status: 'done', unit: plan.wants.target, wants: plan.wants.path });
  }

  // 4. The RootFS FEX uses for programs outside containers.
  if (o.rootfs) {
    if (!e.rootfs) throw new Error('setup: --rootfs needs the RootFS installer');
    e.log.info(`setup: RootFS ${o.rootfs.source}`);
    steps.push({ step: 'rootfs', status: 'done', result: await e.rootfs(o.rootfs) });
  }
  return steps;
}
