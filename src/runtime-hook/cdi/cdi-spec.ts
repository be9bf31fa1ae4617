/**
 * A CDI spec carrying the static part of the injection (the prefix bind mount
 * and the emulator's environment), for engines that have CDI but no precreate
 * hooks. One device per guest architecture plus "all". cdiVersion 0.5.0:
 * Podman 4.3 accepts nothing newer. Pure: install state in, spec value out.
 */
import type { InstallState, InstalledRegistration } from '../../emulator/binfmt/install-state.js';
import { emulatorEnv, prefixMountDir } from '../hook/spec-edits.js';

export const CDI_VERSION = '0.5.0';
export const CDI_KIND = 'fexpod.io/emulator';
export const DEFAULT_CDI_OUTPUT = '/etc/cdi/fexpod.json';

export interface CdiMount {
  readonly hostPath: string;
  readonly containerPath: string;
  readonly type: 'bind';
  readonly options: readonly string[];
}

export interface CdiEdits {
  readonly env?: readonly string[];
  readonly mounts?: readonly CdiMount[];
}

export interface CdiDevice {
  readonly name: string;
  readonly containerEdits: CdiEdits;
}

export interface CdiSpec {
  readonly cdiVersion: string;
  readonly kind: string;
  readonly devices: readonly CdiDevice[];
}

function editsOf(regs: readonly InstalledRegistration[]): CdiEdits {
  const mounts: CdiMount[] = [];
  const env: string[] = [];
  for (const r of regs) {
    // the directory of the staged prefixes, as the hook mounts it (spec-edits.ts prefixMountDir says why)
    const dir = r.prefix !== undefined ? prefixMountDir(r.prefix) : undefined;
    if (dir !== undefined && !mounts.some((m) => m.containerPath === dir)) {
      mounts.push({ hostPath: dir, containerPath: dir, type: 'bind', options: ['ro', 'nosuid', 'nodev', 'bind'] });
    }
    for (const [k, v] of Object.entries(emulatorEnv(r))) {
      if (!env.some((e) => e.startsWith(`${k}=`))) env.push(`${k}=${v}`);
    }
  }
  return { ...(env.length > 0 ? { env } : {}), ...(mounts.length > 0 ? { mounts } : {}) };
}

function hasEdits(e: CdiEdits): boolean {
  return (e.env?.length ?? 0) > 0 || (e.mounts?.length ?? 0) > 0;
}

/** The spec for an install state; devices without anything to inject (static emulators) are left out. */
export function cdiSpec(state: InstallState): CdiSpec {
  const devices: CdiDevice[] = [];
  for (const r of state.registrations) {
    const e = editsOf([r]);
    if (hasEdits(e)) devices.push({ name: r.guest, containerEdits: e });
  }
  const all = editsOf(state.registrations);
  if (devices.length > 0) devices.push({ name: 'all', containerEdits: all });
  return { cdiVersion: CDI_VERSION, kind: CDI_KIND, devices };
}

/**
 * A spec fexpod wrote (kind fexpod.io/emulator), brought up to date with the install state: the
 * new text when the state's prefixes or emulators moved since, undefined when there is nothing
 * to write (no spec, not ours, no state, or already current).
 */
export function cdiSpecUpdate(existing: string | undefined, state: InstallState | undefined): string | undefined {
  if (existing === undefined || !state) return undefined;
  try {
    if ((JSON.parse(existing) as { kind?: unknown }).kind !== CDI_KIND) return undefined;
  } catch {
    return undefined; // not a spec we wrote
  }
  const next = JSON.stringify(cdiSpec(state), null, 2) + '\n';
  return next === existing ? undefined : next;
}
