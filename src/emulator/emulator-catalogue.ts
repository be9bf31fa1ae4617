/**
 * The emulators fexpod knows, how to find each on a host, which guest
 * architectures each serves, and which one to use.
 *
 * Discovery is an ordered list of strategies per entry (PATH lookups, fixed
 * distribution paths), each returning a hit or undefined. Precedence is data
 * (DEFAULT_PRECEDENCE, from the Fedora change): on hosts whose page size is
 * not 4 KiB the microVM routes (muvm for processes, crun's krun handler for
 * containers) come first, then FEX, then box64 (x86-64 only), then QEMU,
 * static before dynamic. A user preference moves one entry to the front.
 *
 * Discovery never executes anything: static vs dynamic is decided by reading
 * the binary's program headers (no PT_INTERP = static).
 */
import { dirname, join } from 'node:path';
import { Arch, type ArchName } from '../common/arch.js';
import { tryParseElf } from '../common/elf.js';

export type EmulatorId = 'muvm' | 'krun' | 'fex' | 'box64' | 'qemu-user-static' | 'qemu-user';

export const EMULATOR_IDS: readonly EmulatorId[] = ['muvm', 'krun', 'fex', 'box64', 'qemu-user-static', 'qemu-user'];

/** Precedence when nothing else is asked for: first usable wins. */
export const DEFAULT_PRECEDENCE: readonly EmulatorId[] = ['muvm', 'krun', 'fex', 'box64', 'qemu-user-static', 'qemu-user'];

/**
 * What the emulator is for: a binfmt_misc interpreter (must be a plain
 * executable), running a host process, or running a container.
 */
export type Purpose = 'binfmt' | 'process' | 'container';

export interface DiscoveryDeps {
  /** PATH directories, in order (the caller splits $PATH; nothing here reads the environment). */
  readonly pathDirs: readonly string[];
  isExecutable(path: string): Promise<boolean>;
  realpath(path: string): Promise<string | undefined>;
  /** The first `length` bytes of a file (fewer when it is shorter), undefined when unreadable. */
  readHead(path: string, length: number): Promise<Uint8Array | undefined>;
}

/** One binary found on the host. */
export interface FoundBinary {
  readonly path: string;
  /** How it was found ("PATH: /usr/bin/FEX", "fixed path …"). */
  readonly via: string;
  /** undefined when the file is not ELF (a script wrapper). */
  readonly static: boolean | undefined;
  /** Architecture the binary itself runs on, if ELF. */
  readonly arch: Arch | undefined;
}

export interface FoundEmulator extends FoundBinary {
  readonly id: EmulatorId;
  /** Guest architectures this binary serves on this host. */
  readonly guests: readonly ArchName[];
  /** Helpers found with it (FEX: FEXServer; Debian qemu-user-static: the binfmt-P wrapper). */
  readonly helpers: Readonly<Record<string, string>>;
  /** Things missing that make it unusable (e.g. FEXServer not found). */
  readonly problems: readonly string[];
}

export type Strategy = (deps: DiscoveryDeps) => Promise<FoundBinary | undefined>;

const HEAD_BYTES = 16 * 1024;

async function inspect(path: string, via: string, deps: DiscoveryDeps): Promise<FoundBinary | undefined> {
  if (!(await deps.isExecutable(path))) return undefined;
  const head = await deps.readHead(path, HEAD_BYTES);
  // Header, program headers and PT_INTERP sit in the first KiB; the dynamic section is not needed here.
  const elf = head ? tryParseElf(head, { dynamic: false }) : undefined;
  return { path, via, static: elf ? elf.interpreter === undefined : undefined, arch: elf?.arch };
}

/** Strategy: the first PATH directory holding an executable `name`. */
export function onPath(name: string): Strategy {
  return async (deps) => {
    for (const dir of deps.pathDirs) {
      if (!dir.startsWith('/')) continue; // relative PATH entries are a trap for root
      const hit = await inspect(join(dir, name), `PATH: ${join(dir, name)}`, deps);
      if (hit) return hit;
    }
    return undefined;
  };
}

/** Strategy: a fixed distribution path. */
export function fixedPath(path: string): Strategy {
  return (deps) => inspect(path, `fixed path ${path}`, deps);
}

/** Runs strategies in order; the first hit wins. */
export async function firstFound(strategies: readonly Strategy[], deps: DiscoveryDeps): Promise<FoundBinary | undefined> {
  for (const s of strategies) {
    const hit = await s(deps);
    if (hit) return hit;
  }
  return undefined;
}

/** x86 guests FEX (and the microVM routes built on it) serve, relative to the host. */
function x86GuestsOn(host: Arch): ArchName[] {
  return host.name === 'aarch64' ? ['x86_64', 'i386'] : [];
}

/** Every architecture QEMU can emulate that the host does not run natively. */
function foreignOn(host: Arch): ArchName[] {
  return Arch.all()
    .filter((a) => !a.isNativeOn(host))
    .map((a) => a.name);
}

export interface CatalogueEntry {
  readonly id: EmulatorId;
  readonly description: string;
  readonly purposes: readonly Purpose[];
  /** Guest architectures this emulator can serve on this host. */
  guests(host: Arch): readonly ArchName[];
  /**
   * Discovery for one guest (QEMU has one binary per guest; the others one
   * binary for all their guests, so they ignore `guest`).
   */
  strategies(guest: Arch): readonly Strategy[];
  /** Whether the binary must be static to be used (qemu-user-static). */
  readonly requiresStatic?: boolean;
  /** Helpers to look for next to the binary, then on PATH. */
  readonly helpers?: readonly string[];
  /** Extra fixed-path helpers per guest (Debian's qemu binfmt-P wrapper). */
  wrapper?(guest: Arch): string | undefined;
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  {
    id: 'muvm',
    description: 'muvm: runs the process in a 4 KiB-page libkrun microVM with FEX inside (non-4k hosts); binfmt_misc through fexpod\'s dispatcher',
    purposes: ['binfmt', 'process'],
    guests: x86GuestsOn,
    strategies: () => [onPath('muvm'), fixedPath('/usr/bin/muvm')],
  },
  {
    id: 'krun',
    description: "crun's krun handler: runs the container in a 4 KiB-page libkrun microVM with FEX inside (non-4k hosts)",
    purposes: ['container'],
    guests: x86GuestsOn,
    // Fedora's crun-krun installs /usr/bin/krun (crun built with libkrun); the
    // run.oci.handler=krun annotation needs crun itself built +LIBKRUN.
    strategies: () => [onPath('krun'), fixedPath('/usr/bin/krun'), onPath('crun'), fixedPath('/usr/bin/crun')],
  },
  {
    id: 'fex',
    description: 'FEX: fast x86/x86-64 emulator for AArch64 (needs 4 KiB pages)',
    purposes: ['binfmt', 'process', 'container'],
    guests: x86GuestsOn,
    strategies: () => [onPath('FEX'), onPath('FEXInterpreter'), fixedPath('/usr/bin/FEX'), fixedPath('/usr/bin/FEXInterpreter')],
    helpers: ['FEXServer'],
  },
  {
    id: 'box64',
    description: 'box64: x86-64 emulator for AArch64 (no 32-bit x86)',
    purposes: ['binfmt', 'process', 'container'],
    guests: (host) => (host.name === 'aarch64' ? ['x86_64'] : []),
    strategies: () => [onPath('box64'), fixedPath('/usr/bin/box64'), fixedPath('/usr/local/bin/box64')],
  },
  {
    id: 'qemu-user-static',
    description: 'QEMU user mode, statically linked (correct but slow)',
    purposes: ['binfmt', 'process', 'container'],
    guests: foreignOn,
    strategies: (g) => [onPath(`qemu-${g.qemu}-static`), fixedPath(`/usr/bin/qemu-${g.qemu}-static`)],
    requiresStatic: true,
    wrapper: (g) => `/usr/libexec/qemu-binfmt/${g.qemu}-binfmt-P`,
  },
  {
    id: 'qemu-user',
    description: 'QEMU user mode, dynamically linked (needs a staged prefix inside containers)',
    purposes: ['binfmt', 'process', 'container'],
    guests: foreignOn,
    strategies: (g) => [onPath(`qemu-${g.qemu}`), fixedPath(`/usr/bin/qemu-${g.qemu}`)],
  },
];

async function findHelper(name: string, binary: FoundBinary, deps: DiscoveryDeps): Promise<string | undefined> {
  const dirs = [dirname(binary.path)];
  const real = await deps.realpath(binary.path);
  if (real && !dirs.includes(dirname(real))) dirs.push(dirname(real));
  for (const d of dirs) {
    if (await deps.isExecutable(join(d, name))) return join(d, name);
  }
  return (await onPath(name)(deps))?.path;
}

/** Looks for every catalogue entry for every guest it serves on this host. */
export async function discoverEmulators(host: Arch, deps: DiscoveryDeps, catalogue: readonly CatalogueEntry[] = CATALOGUE): Promise<FoundEmulator[]> {
  const found: FoundEmulator[] = [];
  for (const entry of catalogue) {
    for (const guestName of entry.guests(host)) {
      const guest = Arch.of(guestName);
      const hit = await firstFound(entry.strategies(guest), deps);
      if (!hit) continue;
      const same = found.find((f) => f.id === entry.id && f.path === hit.path);
      if (same) {
        found[found.indexOf(same)] = { ...same, guests: [...same.guests, guestName] };
        continue;
      }
      const problems: string[] = [];
      const helpers: Record<string, string> = {};
      for (const h of entry.helpers ?? []) {
        const p = await findHelper(h, hit, deps);
        if (p) helpers[h] = p;
        else problems.push(`${h} not found next to ${hit.path} or on PATH`);
      }
      const wrapper = entry.wrapper?.(guest);
      if (wrapper && (await deps.isExecutable(wrapper))) helpers['binfmt-P'] = wrapper;
      if (entry.requiresStatic && hit.static === false) problems.push(`${hit.path} is dynamically linked, expected a static build`);
      if (hit.arch && hit.arch !== host && entry.id !== 'krun' && entry.id !== 'muvm') {
        problems.push(`${hit.path} is built for ${hit.arch.name}, not for this ${host.name} host`);
      }
      found.push({ ...hit, id: entry.id, guests: [guestName], helpers, problems });
    }
  }
  return found;
}
