/**
 * What `fexpod binfmt install` registers, decided from plain values. Pure.
 *
 * - Entry names: FEX's must be exactly FEX-x86_64 / FEX-x86 (FEX looks for
 *   them to decide binfmt is set up); every other emulator gets
 *   fexpod-<emulator>-<guest>.
 * - Flags: F always (the interpreter is pinned at registration, so it works in
 *   every mount namespace). FEX: POCF, as upstream. The muvm dispatcher (non-4k
 *   hosts, registered under FEX's names): PF. QEMU: POF like Debian —
 *   P only when QEMU can tell it was started with P: QEMU >= 6.0 reads the
 *   kernel's AT_FLAGS_PRESERVE_ARGV0 (Linux >= 5.12); older pairs would take
 *   the extra argv[0] for the program's first argument. box64: F only (its
 *   upstream rule has no flags; it does not read AT_FLAGS).
 * - Conflicts: other entries that catch this guest's binaries. An entry that
 *   catches only this guest is disabled (and recorded); one that also catches
 *   other architectures is left alone and reported, because disabling it would
 *   break those (and ours, registered later, wins for this guest anyway).
 */
import type { Arch } from '../../common/arch.js';
import type { BinfmtEntry } from './binfmt-entry.js';
import { archesMatched, magicFor } from './binfmt-magic.js';
import { type BinfmtRule, checkRule } from './binfmt-rule.js';

export type EmulatorFamily = 'fex' | 'box64' | 'qemu' | 'other';

/** The family an emulator's catalogue name belongs to. */
export function familyOf(emulator: string): EmulatorFamily {
  // muvm's route runs FEX in the microVM: FEX's entry names and magic.
  if (emulator.startsWith('fex') || emulator === 'muvm') return 'fex';
  if (emulator === 'box64') return 'box64';
  if (emulator.startsWith('qemu')) return 'qemu';
  return 'other';
}

export function entryNameFor(emulator: string, guest: Arch): string {
  if (familyOf(emulator) === 'fex') {
    const n = guest.fexBinfmtName;
    if (n) return n;
  }
  return `fexpod-${emulator}-${guest.name}`;
}

/** "major.minor" from `uname -r` or `qemu-x --version` output; undefined when absent. */
export function parseVersion(text: string | undefined): readonly [number, number] | undefined {
  const m = text ? /(\d+)\.(\d+)/.exec(text) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function atLeast(v: readonly [number, number] | undefined, major: number, minor: number): boolean {
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
}

export interface FlagFacts {
  /** `uname -r` of the host. */
  readonly kernelRelease?: string;
  /** First line of `<emulator> --version`. */
  readonly emulatorVersion?: string;
}

/** Whether P works: the kernel passes AT_FLAGS_PRESERVE_ARGV0 (5.12) and QEMU reads it (6.0). */
export function qemuPreservesArgv0(facts: FlagFacts): boolean {
  return atLeast(parseVersion(facts.kernelRelease), 5, 12) && atLeast(parseVersion(facts.emulatorVersion), 6, 0);
}

export function flagsFor(emulator: string, facts: FlagFacts): string {
  // The muvm dispatcher: P to hand argv[0] on; no O (an fd cannot cross into
  // the VM) and no C (a setuid program would start it with euid 0, and muvm
  // refuses root).
  if (emulator === 'muvm') return 'PF';
  switch (familyOf(emulator)) {
    case 'fex':
      return 'POCF';
    case 'qemu':
      return qemuPreservesArgv0(facts) ? 'POF' : 'OF';
    default:
      return 'F';
  }
}

/** The rule fexpod registers for one guest served by one emulator binary. */
export function buildRule(guest: Arch, emulator: string, interpreter: string, flags: string): BinfmtRule {
  const { magic, mask } = magicFor(guest, familyOf(emulator) === 'fex' ? 'fex' : 'qemu');
  return checkRule({ name: entryNameFor(emulator, guest), type: 'M', offset: 0, magic, mask, interpreter, flags });
}

export interface ConflictReport {
  /** Entries catching only this guest: disable them. */
  readonly disable: readonly BinfmtEntry[];
  /** Entries that also catch other architectures: leave, but say so. */
  readonly broad: readonly BinfmtEntry[];
  /** A foreign entry already holding our entry name (e.g. FEX's own FEX-x86_64): replaced, restored on uninstall. */
  readonly sameName: BinfmtEntry | undefined;
}

export function findConflicts(entries: readonly BinfmtEntry[], rule: BinfmtRule, guest: Arch, ours: ReadonlySet<string>): ConflictReport {
  const disable: BinfmtEntry[] = [];
  const broad: BinfmtEntry[] = [];
  let sameName: BinfmtEntry | undefined;
  for (const e of entries) {
    if (e.rule.name === rule.name) {
      if (!ours.has(e.rule.name)) sameName = e;
      continue;
    }
    if (ours.has(e.rule.name) || e.rule.name.endsWith('.fexpod-new')) continue;
    const arches = archesMatched(e.rule);
    if (!arches.includes(guest)) continue;
    if (arches.length === 1) disable.push(e);
    else broad.push(e);
  }
  return { disable, broad, sameName };
}
