/**
 * `fexpod doctor`'s judgement: from host facts, the emulators found and a few
 * file checks, which emulator serves each foreign architecture and why, which
 * binfmt_misc entries conflict, and a list of problems each with its fix.
 * Pure; the command gathers the inputs and prints the result.
 */
import { Arch, type ArchName } from '../../common/arch.js';
import type { BinfmtEntrySummary } from '../binfmt/binfmt-status.js';
import type { FoundEmulator, Purpose } from '../emulator-catalogue.js';
import { chooseEmulator, type Rejection } from '../emulator-choice.js';
import { choiceHost, type HostFacts } from '../host/host-facts.js';
import type { InstallState } from '../binfmt/install-state.js';
import { kib, needsMicroVm } from '../microvm/muvm.js';
import { hostRoutes, type HostRoutes } from '../routes.js';
import { crunHasKrun } from '../host/runtime-info.js';
import { fexAdvice } from './fex-advice.js';
import type { FexFacts } from './fex-facts.js';
import { stagedCopyAdvice, type StagedCopy } from './staged-copies.js';
import { rootlessAdvice, rootlessRoute, type RootlessFacts, type RootlessRoute } from '../rootless/rootless-route.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Advice {
  readonly severity: Severity;
  /** True when this stops foreign-architecture containers from working. */
  readonly blocking: boolean;
  readonly problem: string;
  readonly fix: string;
}

export interface EmulatorReport {
  readonly id: string;
  readonly path: string;
  readonly via: string;
  readonly version: string | undefined;
  readonly static: boolean | undefined;
  readonly guests: readonly ArchName[];
  readonly helpers: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

export interface RouteReport {
  readonly guest: ArchName;
  readonly purpose: Purpose;
  readonly emulator: string | undefined;
  readonly path: string | undefined;
  readonly rejected: readonly Rejection[];
}

export interface InterpreterCheck {
  readonly exists: boolean;
  /** undefined when unreadable or not ELF (a script). */
  readonly static: boolean | undefined;
}

export interface BinfmtEntryReport extends BinfmtEntrySummary {
  readonly interpreterExists: boolean;
  readonly interpreterStatic: boolean | undefined;
  /** The interpreter lives in a fexpod prefix (bind-mounted into containers by the hook). */
  readonly inPrefix: boolean;
}

export interface Conflict {
  readonly guest: ArchName;
  /** Enabled entries that all catch this architecture's binaries; the most recently registered wins. */
  readonly entries: readonly string[];
}

export interface DoctorInput {
  readonly facts: HostFacts;
  readonly emulators: readonly FoundEmulator[];
  readonly versions: Readonly<Record<string, string>>;
  /** Checks of each binfmt entry's interpreter, by path. */
  readonly interpreters: Readonly<Record<string, InterpreterCheck>>;
  readonly stateDir: string;
  /** SELinux context of <stateDir>/prefix, when it exists and SELinux is on. */
  readonly prefixLabel: string | undefined;
  readonly prefixExists: boolean;
  readonly installState: { readonly state: InstallState } | { readonly error: string } | undefined;
  /** Prefix directories named by the install state that are missing on disk. */
  readonly missingPrefixes: readonly string[];
  /** OCI hook files mentioning fexpod found in Podman's effective hooks directories. */
  readonly podmanHooks: readonly { readonly path: string; readonly stages: readonly string[] }[];
  /** For a normal user: the facts behind the rootless route (rootless-facts.ts). */
  readonly rootless?: RootlessFacts;
  /** The fexpod-guest-init this installation would stage for krun containers (microvm/guest-init.ts); null: not built. */
  readonly guestInit?: string | null;
  /** FEX's RootFS, the FUSE mounters and SVE's vector length (fex-facts.ts). */
  readonly fex?: FexFacts;
  /** The staged emulators and fexpod-guest-init of the install state, against what they would be staged from now (staged-copies.ts). */
  readonly stagedCopies?: readonly StagedCopy[];
}

export interface DoctorReport {
  readonly hostArch: ArchName;
  readonly pageSize: { readonly bytes: number | undefined; readonly source: string };
  readonly kernel: HostFacts['kernel'];
  readonly uid: number;
  readonly rootless: boolean;
  readonly binfmt: Omit<HostFacts['binfmt'], 'entries'> & { readonly entries: readonly BinfmtEntryReport[] };
  readonly kvm: HostFacts['kvm'];
  readonly runtimes: HostFacts['runtimes'];
  readonly podman: (NonNullable<HostFacts['podman']> & { readonly fexpodHooks: DoctorInput['podmanHooks'] }) | undefined;
  readonly selinux: HostFacts['selinux'] & { readonly prefixLabel: string | undefined };
  readonly emulators: readonly EmulatorReport[];
  readonly routes: readonly RouteReport[];
  /** How the primary foreign guest's programs and containers run here, and why (as a regular user when run as root). */
  readonly summary: HostRoutes | undefined;
  readonly conflicts: readonly Conflict[];
  readonly installed: InstallState | undefined;
  /** The fexpod-guest-init `binfmt install` would stage for krun containers; null: not built; absent: not looked for. */
  readonly guestInit?: string | null;
  /** A normal user's route through rootless Podman's private binfmt_misc (docs/rootless.md). */
  readonly rootlessRoute?: RootlessRoute;
  /** FEX's RootFS, the FUSE mounters and SVE's vector length, when gathered. */
  readonly fex?: FexFacts;
  readonly advice: readonly Advice[];
  /** No blocking problem. */
  readonly healthy: boolean;
}

/** The foreign guests that matter on a host, the one whose failure blocks containers first. */
export function primaryGuests(host: Arch): Arch[] {
  if (host.name === 'aarch64') return [Arch.of('x86_64'), Arch.of('i386')];
  if (host.name === 'x86_64') return [Arch.of('aarch64'), Arch.of('arm')];
  return [Arch.of('x86_64')];
}

/** SELinux types a container domain may read and execute from a bind mount. */
export const CONTAINER_READABLE_TYPES: readonly string[] = ['container_ro_file_t', 'container_file_t'];

function installHint(host: Arch, guest: Arch): string {
  if (guest.fexBinfmtName && host.name === 'aarch64') return 'sudo dnf install fex-emu';
  return `sudo dnf install qemu-user-static-${guest.qemu === 'i386' ? 'x86' : guest.qemu === 'arm' ? 'arm' : guest.qemu} (Debian: sudo apt-get install qemu-user-static)`;
}

export function buildDoctorReport(input: DoctorInput): DoctorReport {
  const { facts } = input;
  const advice: Advice[] = [];
  const add = (severity: Severity, blocking: boolean, problem: string, fix: string) => advice.push({ severity, blocking, problem, fix });
  const host = choiceHost(facts);
  const guests = primaryGuests(facts.arch);
  const prefixRoot = `${input.stateDir.replace(/\/+$/, '')}/prefix/`;

  const recorded = input.installState && 'state' in input.installState ? input.installState.state.registrations.flatMap((r) => [r.prefix, r.stableLink].filter((p): p is string => p !== undefined)) : [];
  /** In this state dir's prefixes, a prefix the install state names, or any fexpod-shaped prefix (another --state-dir). */
  const inPrefix = (interp: string) =>
    interp.startsWith(prefixRoot) || recorded.some((p) => interp.startsWith(`${p}/`)) || /\/prefix\/[0-9a-f]{64}\/bin\/[^/]+$/.test(interp);

  // binfmt_misc itself.
  const b = facts.binfmt;
  if (!b.mounted) {
    add('error', true, `binfmt_misc is not mounted at ${b.dir}: the kernel cannot hand foreign binaries to an emulator`,
      `sudo mount -t binfmt_misc binfmt_misc ${b.dir}` + (b.kernelSupports === undefined ? ' (if that fails: sudo modprobe binfmt_misc first)' : '') + (b.mountable ? '' : ' — this needs root'));
  } else if (b.enabled === false) {
    add('error', true, 'binfmt_misc is mounted but globally disabled', `echo 1 | sudo tee ${b.dir}/status`);
  }

  // Entries, their interpreters and conflicts.
  const entries: BinfmtEntryReport[] = b.entries.map((e) => {
    const chk = input.interpreters[e.interpreter];
    return { ...e, interpreterExists: chk?.exists ?? false, interpreterStatic: chk?.static, inPrefix: inPrefix(e.interpreter) };
  });
  const conflicts: Conflict[] = [];
  for (const g of Arch.all()) {
    if (g.isNativeOn(facts.arch)) continue;
    const catching = entries.filter((e) => e.enabled && e.arches.includes(g.name)).map((e) => e.name);
    if (catching.length > 1) conflicts.push({ guest: g.name, entries: catching });
  }
  for (const c of conflicts) {
    add('warning', false, `binfmt_misc entries ${c.entries.join(', ')} all catch ${c.guest} binaries; whichever was registered last wins`,
      'sudo fexpod binfmt install (disables the others and records them so uninstall restores them)');
  }
  for (const e of entries.filter((x) => x.enabled)) {
    const fixFlag = e.flags.includes('F');
    if (!e.interpreterExists && !fixFlag) {
      add('error', e.arches.includes(guests[0]?.name ?? 'x86_64'), `binfmt entry ${e.name}: interpreter ${e.interpreter} does not exist`, 'sudo fexpod binfmt install (or remove the entry: echo -1 | sudo tee ' + `${b.dir}/${e.name})`);
    }
    if (e.interpreterStatic === false && !e.inPrefix && e.arches.some((a) => guests.some((g) => g.name === a))) {
      add('warning', false,
        `binfmt entry ${e.name} uses the dynamically linked ${e.interpreter}: it works for host processes, but inside a foreign container its loader and libraries are missing and exec fails with a misleading ENOENT`,
        'sudo fexpod binfmt install (stages the emulator with its libraries into a prefix that the Podman hook bind-mounts)');
    }
  }

  // Who may change binfmt_misc; for a normal user, the rootless route.
  const hostCovers = (g: Arch) => entries.some((e) => e.enabled && e.arches.includes(g.name));
  const route = input.rootless ? rootlessRoute(input.rootless) : undefined;
  const rootlessServes = (g: Arch) => route !== undefined && route.available && route.guests.includes(g.name);
  const covered = (g: Arch) => hostCovers(g) || rootlessServes(g);
  if (route && input.rootless) {
    for (const a of rootlessAdvice(route, input.rootless, guests[0]?.name ?? 'x86_64', guests[0] !== undefined && hostCovers(guests[0]))) add(a.severity, a.blocking, a.problem, a.fix);
  }
  if (b.mounted && !b.writable) {
    const missing = guests.filter((g) => !covered(g));
    const userns = facts.kernel.perUsernsBinfmt
      ? ' On this kernel (≥ 6.7) a user namespace may also mount its own binfmt_misc instance, which affects only processes in that namespace.'
      : '';
    const blocksPrimary = missing[0] !== undefined && missing[0] === guests[0];
    add(blocksPrimary ? 'error' : missing.length > 0 ? 'warning' : 'info', blocksPrimary,
      `binfmt_misc is not writable as uid ${facts.uid}${facts.rootless ? ' (rootless)' : ''}: registering emulators needs root.` +
        (missing.length > 0 ? ` No entry serves ${missing.map((g) => g.name).join(', ')} yet.` : ' The existing entries work for every user.') + userns,
      'run once as root: sudo fexpod binfmt install' + (route?.available ? ' — or, with no root at all: fexpod hook install --user (rootless Podman)' : ''));
  }

  // Emulators and routes.
  const routes: RouteReport[] = [];
  const purposes: Purpose[] = ['container', 'process'];
  const servedGuests = new Set<ArchName>([...guests.map((g) => g.name), ...input.emulators.flatMap((e) => e.guests)]);
  for (const name of servedGuests) {
    const g = Arch.of(name);
    if (g.isNativeOn(facts.arch)) continue;
    for (const purpose of purposes) {
      const c = chooseEmulator(input.emulators, g, host, { purpose });
      routes.push({ guest: name, purpose, emulator: c.chosen?.id, path: c.chosen?.path, rejected: c.rejected });
    }
    // Advice only for the guests that matter on this host.
    if (!guests.some((x) => x.name === name)) continue;
    const containerRoute = routes.find((r) => r.guest === name && r.purpose === 'container');
    const primary = guests[0]?.name === name;
    if (!containerRoute?.emulator) {
      add(primary ? 'error' : 'warning', primary, `no usable emulator for ${name} guests (${containerRoute?.rejected.map((r) => `${r.id}: ${r.reason}`).join('; ')})`, installHint(facts.arch, g));
    } else if (!covered(g) && b.mounted && b.writable) {
      if (containerRoute.emulator === 'krun') {
        add('info', false, `no host binfmt_misc entry catches ${name} binaries; containers are fine (the krun guest registers its own), but x86 host processes must be started through muvm`, 'sudo fexpod binfmt install');
      } else {
        add(primary ? 'error' : 'warning', primary, `no binfmt_misc entry catches ${name} binaries, so ${name} containers fail with "exec format error"`, 'sudo fexpod binfmt install');
      }
    }
  }
  if (input.fex) {
    const fex = input.emulators.find((e) => e.id === 'fex');
    const fexPage = facts.pageSize.bytes ?? 4096;
    for (const a of fexAdvice(input.fex, { fexFound: fex !== undefined, fexDirect: !needsMicroVm(fexPage), fexVersion: fex ? input.versions[fex.path] : undefined, hostArch: facts.arch.name })) advice.push(a);
  }
  for (const e of input.emulators) {
    for (const p of e.problems) add('warning', false, `${e.id} at ${e.path}: ${p}`, e.id === 'fex' ? 'reinstall FEX (sudo dnf reinstall fex-emu)' : `reinstall ${e.id}`);
  }

  // The one decision, shown: how the primary guest's programs and containers run here.
  // As root, the program route is the one a regular user in the kvm group gets (muvm refuses root).
  const pageSize = facts.pageSize.bytes ?? 4096;
  const primary = guests[0];
  const asUser = facts.uid === 0 ? { ...host, uid: 65534, euid: 65534, kvm: { present: facts.kvm.present, accessible: facts.kvm.present } } : host;
  const summary = primary && !primary.isNativeOn(facts.arch) ? hostRoutes(input.emulators, asUser, primary) : undefined;
  if (summary && needsMicroVm(pageSize)) {
    const page = `page size ${kib(pageSize)}; FEX needs 4 KiB`;
    for (const o of [summary.process, summary.container]) {
      const what = `${summary.guest} ${o.purpose === 'process' ? 'host processes' : 'containers'}`;
      const fix = o.fix ?? installHint(facts.arch, primary ?? facts.arch);
      if (!o.via) add('error', o.purpose === 'container', `${what} cannot run (${page}): ${o.why}`, fix);
      else if (o.fix) add('warning', false, `${what} run via ${o.label}, not through the 4 KiB microVM with FEX (${page}): ${o.why}`, o.fix);
    }
  }
  if (facts.pageSize.bytes === undefined) add('warning', false, 'could not read the page size (/proc/self/auxv, getconf PAGESIZE); assuming 4 KiB', 'check that /proc is mounted');

  // SELinux labels on the prefix directory.
  if (facts.selinux.enabled && input.prefixExists) {
    const type = input.prefixLabel?.split(':')[2];
    if (!type || !CONTAINER_READABLE_TYPES.includes(type)) {
      add(facts.selinux.enforcing ? 'error' : 'warning', facts.selinux.enforcing,
        `${prefixRoot} is labelled ${input.prefixLabel ?? '(unknown)'}; containers (container_t) may not execute the staged emulator from it`,
        `sudo semanage fcontext -a -t container_ro_file_t '${prefixRoot.replace(/\/$/, '')}(/.*)?' && sudo restorecon -R ${prefixRoot}`);
    }
  }
  const userPrefix = input.rootless?.install.prefixDir;
  if (facts.selinux.enabled && userPrefix && input.rootless?.install.prefixLabel !== undefined) {
    const label = input.rootless.install.prefixLabel;
    if (!CONTAINER_READABLE_TYPES.includes(label.split(':')[2] ?? '')) {
      add(facts.selinux.enforcing ? 'error' : 'warning', facts.selinux.enforcing && route?.installed === true,
        `${userPrefix} (your rootless install) is labelled ${label}; containers (container_t) may not execute the staged emulator from it`,
        `chcon -R -t container_ro_file_t ${userPrefix}`);
    }
  }

  // What fexpod installed.
  let installed: InstallState | undefined;
  if (input.installState && 'error' in input.installState) {
    add('warning', false, `cannot read fexpod's install state: ${input.installState.error}`, 'sudo fexpod binfmt install (rewrites it)');
  } else if (input.installState) {
    installed = input.installState.state;
  }
  if (summary?.container.via === 'krun' && installed && !(installed.microvm ?? []).some((e) => e.guest === summary.guest)) {
    add('error', true, `${summary.guest} containers need FEX staged for the krun microVM, and fexpod's install state has none`, 'sudo fexpod binfmt install');
  } else if (summary?.container.via === 'krun' && ((installed?.microvm ?? []).some((e) => e.guest === summary.guest && !e.guestInit) || (!installed && input.guestInit === null))) {
    add('warning', false, 'fexpod-guest-init was not built: containers in the krun microVM run through FEX directly, so argv[0] of every process in them becomes its path', 'install gcc, rebuild fexpod (npm run build), then sudo fexpod binfmt install');
  }
  advice.push(...stagedCopyAdvice(input.stagedCopies ?? []));
  for (const p of input.missingPrefixes) {
    add('error', true, `the emulator prefix ${p} recorded by fexpod is missing; containers cannot find the emulator`, 'sudo fexpod binfmt install');
  }

  // Podman and the fexpod hook.
  if (facts.podman && !input.podmanHooks.some((h) => h.stages.includes('precreate'))) {
    const needsPrefix = entries.some((e) => e.enabled && e.inPrefix && e.arches.includes(guests[0]?.name ?? 'x86_64'));
    add(needsPrefix ? 'error' : 'info', needsPrefix,
      `Podman's hooks directories (${facts.podman.hooks.dirs.join(', ')}) hold no fexpod precreate hook` +
        (needsPrefix ? ': the emulator prefix is not mounted into foreign containers, so they fail with ENOENT' : '; foreign containers only work with static emulators'),
      'sudo fexpod hook install');
  }
  if (facts.podman?.error) add('warning', false, `podman does not run for uid ${facts.uid}: ${facts.podman.error}`, 'check this user\'s rootless podman setup (HOME, /etc/subuid, /etc/subgid), or use sudo podman');
  if (!facts.podman) add('info', false, 'podman is not installed; only host processes can use the emulators', 'sudo dnf install podman');
  for (const e of facts.podman?.hooks.errors ?? []) add('warning', false, `${e.file}: ${e.message} (podman will refuse it too)`, `fix the TOML in ${e.file}`);

  return {
    hostArch: facts.arch.name,
    pageSize: facts.pageSize,
    kernel: facts.kernel,
    uid: facts.uid,
    rootless: facts.rootless,
    binfmt: { ...b, entries },
    kvm: facts.kvm,
    runtimes: facts.runtimes,
    podman: facts.podman ? { ...facts.podman, fexpodHooks: input.podmanHooks } : undefined,
    selinux: { ...facts.selinux, prefixLabel: input.prefixLabel },
    // crun without +LIBKRUN is not a krun route at all: do not list it as an emulator.
    emulators: input.emulators.filter((e) => e.id !== 'krun' || crunHasKrun(facts.runtimes.crun?.features)).map((e) => ({
      id: e.id,
      path: e.path,
      via: e.via,
      version: input.versions[e.path],
      static: e.static,
      guests: e.guests,
      helpers: e.helpers,
      problems: e.problems,
    })),
    routes,
    summary,
    conflicts,
    installed,
    ...(input.guestInit !== undefined ? { guestInit: input.guestInit } : {}),
    ...(route ? { rootlessRoute: route } : {}),
    ...(input.fex ? { fex: input.fex } : {}),
    advice,
    healthy: !advice.some((a) => a.blocking),
  };
}
