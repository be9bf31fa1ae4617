/**
 * The decision shared by the precreate and createRuntime hooks: given the
 * container's view, is it foreign, which installed emulator serves it, and is
 * its binfmt entry in place? Returns the registration to inject, or why not.
 */
import type { Arch } from '../../common/arch.js';
import { errorMessage } from '../../common/errors.js';
import { microVmEntriesFor, registrationFor, type InstallState, type InstalledRegistration, type MicroVmGuestEntry } from '../../emulator/binfmt/install-state.js';
import { type KrunHost, kib, krunBlocker, needsMicroVm } from '../../emulator/microvm/muvm.js';
import { ensureRegistration, type BinfmtDeps, type EnsureResult } from './binfmt-ensure.js';
import { execArch, type ExecFs } from './exec-arch.js';
import type { HookView } from './oci-config.js';
import { isFex } from './spec-edits.js';
import { dirname } from 'node:path';

export interface PlanDeps {
  readonly fs: ExecFs;
  readonly host: Arch;
  /** The install state, undefined when `fexpod binfmt install` has not run. Throws if unreadable. */
  loadState(): InstallState | undefined;
  readonly binfmt: BinfmtDeps;
  /**
   * Makes sure of the binfmt entry some other way than in the host's instance
   * (rootless: Podman's private one, private-binfmt.ts); default ensureRegistration.
   */
  readonly ensure?: (reg: InstalledRegistration, state: InstallState) => EnsureResult;
  /** The command that (re)installs the emulators, for the fixes in the log (default "sudo fexpod binfmt install"). */
  readonly installCommand?: string;
  /**
   * Page size, crun's build flags and /dev/kvm, read only once a container
   * turned out foreign (undefined: treat the host as 4 KiB).
   */
  microVmHost?(): KrunHost;
}

export type Plan =
  | { readonly kind: 'native'; readonly arch: Arch | undefined; readonly why: string }
  | { readonly kind: 'skip'; readonly why: string; readonly fix?: string }
  | { readonly kind: 'foreign'; readonly arch: Arch; readonly reg: InstalledRegistration; readonly why: string; readonly warnings: readonly string[] }
  /** Non-4k host: run the container in crun's krun microVM with FEX registered inside. */
  | { readonly kind: 'microvm'; readonly arch: Arch; readonly entries: readonly MicroVmGuestEntry[]; readonly program: string; readonly why: string }
  /** Non-4k host and no way to run it: fail now, naming the missing piece, rather than later with ENOEXEC. */
  | { readonly kind: 'refuse'; readonly why: string; readonly fix: string };

export function planFor(view: HookView, rootPath: string, d: PlanDeps): Plan {
  const found = execArch(d.fs, { root: rootPath, args0: view.args[0], env: view.env, cwd: view.cwd });
  if (found.kind === 'unknown') return { kind: 'skip', why: `architecture unknown: ${found.reason}` };
  const what = `${found.via ? `${found.via} -> ` : ''}${found.path} is ${found.arch.name}`;
  if (found.arch.isNativeOn(d.host)) return { kind: 'native', arch: found.arch, why: what };
  const install = d.installCommand ?? 'sudo fexpod binfmt install';
  let state: InstallState | undefined;
  try {
    state = d.loadState();
  } catch (err) {
    return { kind: 'skip', why: `${what}; install state unreadable: ${errorMessage(err)}`, fix: `run "${install}"` };
  }
  if (!state) return { kind: 'skip', why: `${what}; no emulator installed`, fix: `run "${install}"` };
  const reg = registrationFor(state, found.arch.name);
  const vm = d.microVmHost?.();
  if (vm && needsMicroVm(vm.pageSize)) {
    const page = `this host uses ${kib(vm.pageSize)} pages and FEX needs 4 KiB`;
    const entries = microVmEntriesFor(state, found.arch.name);
    const blocker = krunBlocker(vm);
    const gone = entries.find((e) => d.fs.lstat(e.prefix)?.kind !== 'dir');
    if (!blocker && entries.length > 0 && !gone) {
      const how = entries[0]?.guestInit ? 'FEX registered in the guest by fexpod-guest-init' : 'the command run through FEX';
      return { kind: 'microvm', arch: found.arch, entries, program: found.via ?? found.path, why: `${what}; ${page}: crun's krun handler, ${how}` };
    }
    // Without krun, an emulator that works on these pages (box64, QEMU) registered on the host still serves.
    if (!(reg && reg.emulator !== 'muvm' && reg.emulator !== 'fex')) {
      if (blocker) return { kind: 'refuse', why: `${what}; ${page}, and for crun's krun handler: ${blocker.reason}`, fix: blocker.fix };
      return {
        kind: 'refuse',
        why: `${what}; ${page}, and ${gone ? `the microVM prefix ${gone.prefix} is gone` : `fexpod has staged no emulator for ${found.arch.name} containers in the krun microVM`}`,
        fix: `run "${install}" (with FEX installed)`,
      };
    }
  }
  if (!reg) return { kind: 'skip', why: `${what}; no emulator installed for ${found.arch.name}`, fix: `run "${install}" on a host with an emulator for ${found.arch.name}` };
  if (reg.prefix !== undefined && d.fs.lstat(reg.prefix)?.kind !== 'dir') {
    // A bind mount of a missing source would make the runtime fail the container.
    return { kind: 'skip', why: `${what}; the emulator prefix ${reg.prefix} is gone`, fix: `run "${install}" again` };
  }
  const ensured = d.ensure ? d.ensure(reg, state) : ensureRegistration(reg, d.binfmt);
  if (!ensured.ok) return { kind: 'skip', why: `${what}; ${ensured.reason}`, fix: ensured.fix };
  const warnings: string[] = [];
  if (isFex(reg) && reg.prefix !== undefined && d.fs.lstat(`${dirname(reg.interpreter)}/FEXServer`) === undefined) {
    // FEX starts FEXServer from its own directory, then from PATH (which has none inside a container).
    warnings.push(`FEXServer is not next to ${reg.interpreter}: FEX cannot start its server in the container (run "${install}" again)`);
  }
  return {
    kind: 'foreign',
    arch: found.arch,
    reg,
    warnings,
    why: `${what}; ${reg.emulator} via ${reg.entryName}${ensured.action === 'registered' ? ' (re-registered)' : ''}`,
  };
}
