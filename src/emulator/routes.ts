/**
 * The one decision, shown: how a foreign program and a foreign container run
 * on this host (direct FEX, muvm + FEX, crun's krun handler + FEX, box64 or
 * QEMU), and why. Built on chooseEmulator (precedence as data) and the muvm /
 * krun blockers, so `fexpod doctor`, `fexpod binfmt install`, the dispatcher
 * and the hook never disagree. Pure.
 */
import type { Arch, ArchName } from '../common/arch.js';
import type { EmulatorId, FoundEmulator } from './emulator-catalogue.js';
import { type ChoiceHost, type Rejection, chooseEmulator } from './emulator-choice.js';
import { kib, needsMicroVm } from './microvm/muvm.js';

export type RoutePurpose = 'process' | 'container';

export interface RouteOutcome {
  readonly purpose: RoutePurpose;
  /** The emulator that serves it, undefined when nothing can. */
  readonly via: EmulatorId | undefined;
  readonly path: string | undefined;
  /** "muvm + FEX (4 KiB microVM)", "QEMU (static)", … or "nothing". */
  readonly label: string;
  /** Why this route and not the preferred one (or why the preferred one is used). */
  readonly why: string;
  /** What to do when the preferred route is blocked (absent when nothing needs doing). */
  readonly fix?: string;
  readonly rejected: readonly Rejection[];
}

export interface HostRoutes {
  readonly guest: ArchName;
  readonly pageSize: number;
  readonly process: RouteOutcome;
  readonly container: RouteOutcome;
  /** "this host uses 16 KiB pages and FEX needs 4 KiB; …". */
  readonly because: string;
  /** "on this host an x86-64 program runs via …, an amd64 container via …, because …". */
  readonly sentence: string;
}

const LABELS: Readonly<Record<EmulatorId, string>> = {
  muvm: 'muvm + FEX (a 4 KiB microVM)',
  krun: "crun's krun handler + FEX (a 4 KiB microVM)",
  fex: 'FEX',
  box64: 'box64',
  'qemu-user-static': 'QEMU (static)',
  'qemu-user': 'QEMU (dynamic, staged with its libraries)',
};

const PACKAGE_NAMES: Readonly<Record<EmulatorId, string>> = {
  muvm: 'muvm', krun: 'crun-krun', fex: 'FEX', box64: 'box64', 'qemu-user-static': 'qemu-user-static', 'qemu-user': 'qemu-user',
};

/** How users name a guest's programs and container images. */
export function programLabel(guest: Arch): string {
  return guest.name === 'x86_64' ? 'x86-64' : guest.name === 'aarch64' ? 'arm64' : guest.name === 'arm' ? 'armhf' : guest.name;
}

function containerLabel(guest: Arch): string {
  return guest.name === 'x86_64' ? 'amd64' : programLabel(guest);
}

/** The route each purpose should take on a host of this page size, in the Fedora change's precedence. */
function preferred(purpose: RoutePurpose, pageSize: number): EmulatorId {
  if (!needsMicroVm(pageSize)) return 'fex';
  return purpose === 'process' ? 'muvm' : 'krun';
}

const INAPPLICABLE = /^(not a .* route|does not serve|.* runs natively|not needed)/;

function outcome(found: readonly FoundEmulator[], host: ChoiceHost, guest: Arch, purpose: RoutePurpose): RouteOutcome {
  const choice = chooseEmulator(found, guest, host, { purpose });
  const via = choice.chosen?.id;
  const want = preferred(purpose, host.pageSize);
  const label = via ? LABELS[via] : 'nothing';
  const base = { purpose, via, path: choice.chosen?.path, label, rejected: choice.rejected };
  if (via === want) return { ...base, why: `${LABELS[want]} is installed and usable` };
  const blocked = choice.rejected.find((r) => r.id === want);
  if (!blocked || INAPPLICABLE.test(blocked.reason)) {
    return { ...base, why: via ? `${label} is the first usable emulator in precedence order` : 'no installed emulator serves it' };
  }
  const why = blocked.reason === 'not installed' ? `${PACKAGE_NAMES[want]} is not installed` : `${want}: ${blocked.reason}`;
  return { ...base, why, ...(blocked.fix ? { fix: blocked.fix } : {}) };
}

function phrase(o: RouteOutcome): string {
  return o.via ? `runs via ${o.label}` : 'cannot run';
}

export function hostRoutes(found: readonly FoundEmulator[], host: ChoiceHost, guest: Arch): HostRoutes {
  const process = outcome(found, host, guest, 'process');
  const container = outcome(found, host, guest, 'container');
  const page = needsMicroVm(host.pageSize) ? `this host uses ${kib(host.pageSize)} pages and FEX needs 4 KiB` : 'host pages are 4 KiB';
  const whys = process.why === container.why ? [process.why] : [`programs: ${process.why}`, `containers: ${container.why}`];
  const because = [page, ...whys].join('; ');
  const sentence =
    `on this host an ${programLabel(guest)} program ${phrase(process)}, an ${containerLabel(guest)} container ${container.via ? `via ${container.label}` : 'cannot run'}, because ${because}`;
  return { guest: guest.name, pageSize: host.pageSize, process, container, because, sentence };
}
