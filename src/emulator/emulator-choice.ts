/**
 * Picks the emulator for one guest architecture from what discovery found,
 * walking the precedence list (data) and recording why each earlier entry was
 * passed over, so `fexpod doctor` can print the reasons. Pure.
 */
import type { Arch } from '../common/arch.js';
import { CATALOGUE, DEFAULT_PRECEDENCE, type EmulatorId, type FoundEmulator, type Purpose } from './emulator-catalogue.js';
import { needsMicroVm } from './muvm.js';
import { crunHasKrun } from './runtime-info.js';

/** The host facts a choice depends on (a subset of HostFacts). */
export interface ChoiceHost {
  readonly arch: Arch;
  readonly pageSize: number;
  readonly uid: number;
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
}

export interface Choice {
  readonly guest: Arch;
  readonly purpose: Purpose;
  readonly chosen: FoundEmulator | undefined;
  /** Entries passed over before the choice (or all of them when nothing fits), in order. */
  readonly rejected: readonly Rejection[];
  /** Set when `prefer` was given but could not be used. */
  readonly preferenceUnmet?: string;
}

const kib = (n: number) => `${n / 1024} KiB`;

/** Why `found` cannot serve here, or undefined when it can. */
function unusable(id: EmulatorId, found: FoundEmulator, all: readonly FoundEmulator[], host: ChoiceHost, guest: Arch): string | undefined {
  if (found.problems.length > 0) return found.problems.join('; ');
  const fourK = !needsMicroVm(host.pageSize);
  const fexInside = () => all.find((f) => f.id === 'fex' && f.guests.includes(guest.name) && f.problems.length === 0);
  switch (id) {
    case 'muvm':
      if (fourK) return 'not needed: host pages are 4 KiB';
      if (host.uid === 0) return 'muvm refuses to run as root (it keeps one VM per user)';
      if (!host.kvm.present) return '/dev/kvm does not exist';
      if (!host.kvm.accessible) return '/dev/kvm is not accessible to this user';
      if (!fexInside()) return 'FEX (with FEXServer) is needed inside the microVM and was not found';
      return undefined;
    case 'krun':
      if (fourK) return 'not needed: host pages are 4 KiB';
      if (!crunHasKrun(host.crunFeatures)) return 'crun is built without +LIBKRUN (crun silently ignores unknown handlers, so it cannot be used)';
      if (!host.kvm.present) return '/dev/kvm does not exist';
      if (!fexInside()) return 'FEX (with FEXServer) is needed inside the microVM and was not found';
      return undefined;
    case 'fex':
      if (!fourK) return `FEX needs 4 KiB pages; this host uses ${kib(host.pageSize)}`;
      return undefined;
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
    let reason: string | undefined;
    const hit = found.find((f) => f.id === id && f.guests.includes(guest.name));
    const entry = CATALOGUE.find((e) => e.id === id);
    if (guest.isNativeOn(host.arch)) reason = `${guest.name} runs natively on this ${host.arch.name} host`;
    else if (!entry?.purposes.includes(purpose)) reason = `not a ${purpose} route`;
    else if (!entry.guests(host.arch).includes(guest.name)) reason = `does not serve ${guest.name} guests on a ${host.arch.name} host`;
    else if (!hit) reason = 'not installed';
    else reason = unusable(id, hit, found, host, guest);
    if (reason === undefined && hit) {
      return { guest, purpose, chosen: hit, rejected, ...(preferenceUnmet ? { preferenceUnmet } : {}) };
    }
    const r = reason ?? 'not usable';
    if (id === opts.prefer) preferenceUnmet = `${id}: ${r}`;
    rejected.push({ id, reason: r });
  }
  return { guest, purpose, chosen: undefined, rejected, ...(preferenceUnmet ? { preferenceUnmet } : {}) };
}
