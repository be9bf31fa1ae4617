/**
 * Picks the emulator for one guest architecture from what discovery found,
 * walking the precedence list (data) and recording why each earlier entry was
 * passed over, so `fexpod doctor` can print the reasons. Pure.
 */
import type { Arch } from '../common/arch.js';
import { CATALOGUE, DEFAULT_PRECEDENCE, type EmulatorId, type FoundEmulator, type Purpose } from './emulator-catalogue.js';
import { type Blocker, fexDirectBlocker, krunBlocker, muvmBlocker } from './microvm/muvm.js';

/** The host facts a choice depends on (a subset of HostFacts). */
export interface ChoiceHost {
  readonly arch: Arch;
  readonly pageSize: number;
  readonly uid: number;
  /** Effective uid when it differs (a setuid caller); muvm refuses either being 0. */
  readonly euid?: number;
  readonly kvm: { readonly present: boolean; readonly accessible: boolean };
  /** crun's build flags without the sign (SYSTEMD, SELINUX, LIBKRUN…), undefined without crun. */
  readonly crunFeatures: readonly string[] | undefined;
}

export interface ChoiceOptions {
  /** The user's pick; moved to the front of the precedence list. */
  readonly prefer?: EmulatorId;
  readonly precedence?: readonly EmulatorId[];
  /** Default 'container'. */
  readonly purpose?: Purpose;
}

export interface Rejection {
  readonly id: EmulatorId;
  readonly reason: string;
  /** What would make this entry usable, when there is something to do. */
  readonly fix?: string;
}

/** How each emulator gets onto a Fedora host. */
export const INSTALL_HINTS: Readonly<Record<EmulatorId, string>> = {
  muvm: 'sudo dnf install muvm',
  krun: 'sudo dnf install crun-krun',
  fex: 'sudo dnf install fex-emu',
  box64: 'sudo dnf install box64',
  'qemu-user-static': 'sudo dnf install qemu-user-static',
  'qemu-user': 'sudo dnf install qemu-user',
};

const FEX_INSIDE: Blocker = { reason: 'FEX (with FEXServer) is needed inside the microVM and was not found', fix: INSTALL_HINTS.fex };

export interface Choice {
  readonly guest: Arch;
  readonly purpose: Purpose;
  readonly chosen: FoundEmulator | undefined;
  /** Entries passed over before the choice (or all of them when nothing fits), in order. */
  readonly rejected: readonly Rejection[];
  /** Set when `prefer` was given but could not be used. */
  readonly preferenceUnmet?: string;
}

/** Why `found` cannot serve here, or undefined when it can. */
function unusable(id: EmulatorId, found: FoundEmulator, all: readonly FoundEmulator[], host: ChoiceHost, guest: Arch): Blocker | undefined {
  if (found.problems.length > 0) return { reason: found.problems.join('; '), fix: INSTALL_HINTS[id].replace('dnf install', 'dnf reinstall') };
  const fexInside = () => all.find((f) => f.id === 'fex' && f.guests.includes(guest.name) && f.problems.length === 0);
  switch (id) {
    case 'muvm':
    case 'krun': {
      const blocker = id === 'muvm' ? muvmBlocker(host) : krunBlocker(host);
      if (blocker) return blocker;
      if (!fexInside()) return FEX_INSIDE;
      return undefined;
    }
    case 'fex':
      return fexDirectBlocker(host.pageSize);
    default:
      return undefined;
  }
}

export function chooseEmulator(found: readonly FoundEmulator[], guest: Arch, host: ChoiceHost, opts: ChoiceOptions = {}): Choice {
  const purpose = opts.purpose ?? 'container';
  const base = opts.precedence ?? DEFAULT_PRECEDENCE;
  const order = opts.prefer ? [opts.prefer, ...base.filter((id) => id !== opts.prefer)] : [...base];
  const rejected: Rejection[] = [];
  let preferenceUnmet: string | undefined;
  for (const id of order) {
    let blocker: Blocker | { readonly reason: string; readonly fix?: string } | undefined;
    const hit = found.find((f) => f.id === id && f.guests.includes(guest.name));
    const entry = CATALOGUE.find((e) => e.id === id);
    if (guest.isNativeOn(host.arch)) blocker = { reason: `${guest.name} runs natively on this ${host.arch.name} host` };
    else if (!entry?.purposes.includes(purpose)) blocker = { reason: `not a ${purpose} route` };
    else if (!entry.guests(host.arch).includes(guest.name)) blocker = { reason: `does not serve ${guest.name} guests on a ${host.arch.name} host` };
    else if (!hit) blocker = { reason: 'not installed', fix: INSTALL_HINTS[id] };
    else blocker = unusable(id, hit, found, host, guest);
    if (blocker === undefined && hit) {
      return { guest, purpose, chosen: hit, rejected, ...(preferenceUnmet ? { preferenceUnmet } : {}) };
    }
    const r = blocker ?? { reason: 'not usable' };
    if (id === opts.prefer) preferenceUnmet = `${id}: ${r.reason}`;
    rejected.push({ id, reason: r.reason, ...(r.fix === undefined ? {} : { fix: r.fix }) });
  }
  return { guest, purpose, chosen: undefined, rejected, ...(preferenceUnmet ? { preferenceUnmet } : {}) };
}
