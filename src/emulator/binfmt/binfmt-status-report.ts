/**
 * `fexpod binfmt status`: every binfmt_misc entry with its role (ours, a
 * conflict we disabled, or someone else's) and the entries we installed that
 * the kernel lost.
 */
import type { ArchName } from '../../common/arch.js';
import { entryRegistration } from './binfmt-entry.js';
import { archesMatched } from './binfmt-magic.js';
import type { BinfmtDeps } from './binfmt-install.js';
import type { InstallState } from './install-state.js';

export interface StatusEntry {
  readonly name: string;
  readonly enabled: boolean;
  readonly interpreter: string;
  readonly flags: string;
  readonly type: 'M' | 'E';
  /** Architectures whose binaries it catches. */
  readonly arches: readonly ArchName[];
  /** fexpod registered it / fexpod disabled or replaced it (restored on uninstall) / neither. */
  readonly role: 'fexpod' | 'conflict-disabled-by-fexpod' | 'other';
  /** For ours: which guest; for the others the kernel uses it (enabled, newest match) or is shadowed. */
  readonly guest?: ArchName;
  readonly registration: string;
}

export interface StatusResult {
  readonly mounted: boolean;
  /** /proc/sys/fs/binfmt_misc/status says enabled (when off, no entry is used). */
  readonly globallyEnabled: boolean;
  readonly entries: readonly StatusEntry[];
  /** fexpod registrations the state file lists but the kernel does not have (systemd-binfmt flushed them?). */
  readonly missing: readonly { readonly entryName: string; readonly guest: ArchName }[];
  readonly stateFile: string;
  readonly state: InstallState | undefined;
}

export async function binfmtStatus(deps: Pick<BinfmtDeps, 'controller' | 'store'>): Promise<StatusResult> {
  const state = await deps.store.read();
  let entries: StatusEntry[] = [];
  const mounted = await deps.controller.isMounted();
  if (mounted) {
    entries = (await deps.controller.list()).map((e) => {
      const reg = state?.registrations.find((r) => r.entryName === e.rule.name);
      const dis = state?.disabled.find((d) => d.entryName === e.rule.name);
      return {
        name: e.rule.name,
        enabled: e.enabled,
        interpreter: e.rule.interpreter,
        flags: e.rule.flags,
        type: e.rule.type,
        arches: archesMatched(e.rule).map((a) => a.name),
        role: reg ? 'fexpod' : dis ? 'conflict-disabled-by-fexpod' : 'other',
        ...(reg ? { guest: reg.guest } : dis?.guest ? { guest: dis.guest } : {}),
        registration: entryRegistration(e),
      };
    });
  }
  const names = new Set(entries.map((e) => e.name));
  const missing = (state?.registrations ?? []).filter((r) => !names.has(r.entryName)).map((r) => ({ entryName: r.entryName, guest: r.guest }));
  const globallyEnabled = mounted && (await deps.controller.globallyEnabled());
  return { mounted, globallyEnabled, entries, missing, stateFile: deps.store.path, state };
}
