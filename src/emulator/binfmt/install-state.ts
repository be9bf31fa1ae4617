/**
 * The record `fexpod binfmt install` leaves behind, and the contract between
 * the host layer (src/emulator) and the Podman hook (src/runtime-hook): the
 * hook reads this small JSON file instead of re-discovering emulators, so its
 * foreign path stays cheap, and `binfmt uninstall` uses it to restore exactly
 * the entries it disabled.
 *
 * Pure: parsing and validation only. Deliberately hand-validated (no zod) so
 * the hook can load it without heavy imports.
 */
import type { ArchName } from '../../common/arch.js';
import { ARCH_NAMES } from '../../common/arch.js';

export const INSTALL_STATE_VERSION = 1;
/** Default location (root). Rootless/tests pass another path explicitly. */
export const DEFAULT_STATE_DIR = '/var/lib/fexpod';
export const STATE_FILE_NAME = 'binfmt-state.json';
/** In a per-user state directory: the lock the rootless hook takes around its mount of binfmt_misc. */
export const PRIVATE_BINFMT_LOCK_FILE = 'private-binfmt.lock';
/** The per-user (rootless) state directory under $XDG_DATA_HOME: state, lock and staged prefixes. */
export function userStateDir(dataHome: string): string {
  return `${dataHome}/fexpod`;
}

export interface InstalledRegistration {
  /** Guest architecture this entry serves. */
  readonly guest: ArchName;
  /** Catalogue name of the emulator: fex, box64, qemu-user, qemu-user-static, muvm, … */
  readonly emulator: string;
  /** binfmt_misc entry name (FEX-x86_64, FEX-x86, fexpod-qemu-aarch64, …). */
  readonly entryName: string;
  /** The full registration line written to /proc/sys/fs/binfmt_misc/register. */
  readonly registration: string;
  /** Absolute host path of the interpreter the kernel opens (inside `prefix` when staged). */
  readonly interpreter: string;
  /**
   * Content-addressed prefix directory holding a dynamic emulator and its
   * library closure; must be bind-mounted read-only at this same absolute path
   * into foreign containers. Absent for static emulators.
   */
  readonly prefix?: string;
  /** Environment a container needs for this emulator (e.g. FEX settings). */
  readonly env?: Readonly<Record<string, string>>;
  /** binfmt.d file holding this registration for systemd-binfmt (when installed with --persist). */
  readonly persistedFile?: string;
  /**
   * Stable path (a symlink <stateDir>/prefix/<entryName> to the prefix) that
   * the binfmt.d file names instead of `prefix`: the prefix moves when the
   * emulator is updated, the link is re-pointed. Present with `persistedFile`
   * for a staged emulator.
   */
  readonly stableLink?: string;
}

export interface DisabledConflict {
  /** binfmt_misc entry name that was disabled because it matched the same ELF files. */
  readonly entryName: string;
  /** Whether it was enabled before we touched it (restore only what we changed). */
  readonly wasEnabled: boolean;
  /** Its registration line, reconstructed from /proc, so it can be re-registered if it vanished. */
  readonly registration: string;
  /** Guest architecture whose install disabled it (uninstall --guest restores only those). */
  readonly guest?: ArchName;
}

/**
 * A binfmt.d file fexpod put in the persist directory so systemd-binfmt does
 * not bring a disabled conflict back (symlink to /dev/null, or a copy of the
 * vendor file without the conflicting lines).
 */
export interface MaskedBinfmtFile {
  /** The override file fexpod wrote (same file name as the file it hides). */
  readonly path: string;
  /** Where the original lines are: the vendor file, or the administrator's file moved aside. */
  readonly source: string;
  /** True when `source` is the administrator's file moved aside from `path` (moved back on uninstall). */
  readonly movedAside: boolean;
  readonly entries: readonly { readonly entryName: string; readonly guest: string }[];
}

/**
 * What a foreign container needs inside crun's krun microVM on a host whose
 * page size is not 4 KiB (written by `fexpod binfmt install` there): the
 * emulator staged into a prefix the hook bind-mounts, and the binfmt_misc line
 * the container's first step registers in the guest kernel.
 */
export interface MicroVmGuestEntry {
  readonly guest: ArchName;
  /** Prefix holding FEX, FEXServer and fexpod-guest-init with their libraries. */
  readonly prefix: string;
  /** The emulator inside the prefix (FEX). */
  readonly interpreter: string;
  /** Registration line for the guest's binfmt_misc (FEX-x86_64 / FEX-x86, POCF). */
  readonly registration: string;
  /** fexpod-guest-init inside the prefix; absent when it was not built (containers then run through FEX directly). */
  readonly guestInit?: string;
}

export interface InstallState {
  readonly version: typeof INSTALL_STATE_VERSION;
  readonly registrations: readonly InstalledRegistration[];
  readonly disabled: readonly DisabledConflict[];
  /** binfmt.d files we wrote (for systemd-binfmt), removed on uninstall. */
  readonly persisted: readonly string[];
  /** binfmt.d files hidden so systemd-binfmt keeps the conflicts disabled (absent = none). */
  readonly masks?: readonly MaskedBinfmtFile[];
  /** Non-4k hosts: what foreign containers need inside the krun microVM (absent = none). */
  readonly microvm?: readonly MicroVmGuestEntry[];
}

export class InstallStateError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'InstallStateError';
  }
}

export function emptyInstallState(): InstallState {
  return { version: INSTALL_STATE_VERSION, registrations: [], disabled: [], persisted: [] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Record<string, unknown>, key: string, where: string, file: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new InstallStateError(file, `${where}.${key} must be a non-empty string`);
  }
  return v;
}

function absPath(o: Record<string, unknown>, key: string, where: string, file: string): string {
  const v = str(o, key, where, file);
  if (!v.startsWith('/') || v.split('/').includes('..')) {
    throw new InstallStateError(file, `${where}.${key} must be an absolute path without "..": ${v}`);
  }
  return v;
}

function parseRegistration(v: unknown, i: number, file: string): InstalledRegistration {
  const where = `registrations[${i}]`;
  if (!isObject(v)) throw new InstallStateError(file, `${where} must be an object`);
  const guest = archName(v, where, file);
  let env: Record<string, string> | undefined;
  if (v['env'] !== undefined) {
    if (!isObject(v['env'])) throw new InstallStateError(file, `${where}.env must be an object`);
    env = {};
    for (const [k, val] of Object.entries(v['env'])) {
      if (typeof val !== 'string') throw new InstallStateError(file, `${where}.env.${k} must be a string`);
      env[k] = val;
    }
  }
  return {
    guest,
    emulator: str(v, 'emulator', where, file),
    entryName: str(v, 'entryName', where, file),
    registration: str(v, 'registration', where, file),
    interpreter: absPath(v, 'interpreter', where, file),
    ...(v['prefix'] === undefined ? {} : { prefix: absPath(v, 'prefix', where, file) }),
    ...(env === undefined ? {} : { env }),
    ...(v['persistedFile'] === undefined ? {} : { persistedFile: absPath(v, 'persistedFile', where, file) }),
    ...(v['stableLink'] === undefined ? {} : { stableLink: absPath(v, 'stableLink', where, file) }),
  };
}

/** `<where>.guest` as an architecture name (required). */
function archName(v: Record<string, unknown>, where: string, file: string): ArchName {
  const g = str(v, 'guest', where, file);
  const arch = ARCH_NAMES.find((a) => a === g);
  if (!arch) throw new InstallStateError(file, `${where}.guest is not an architecture: ${g}`);
  return arch;
}

function parseGuest(v: Record<string, unknown>, where: string, file: string): ArchName | undefined {
  return v['guest'] === undefined ? undefined : archName(v, where, file);
}

function parseMask(v: unknown, i: number, file: string): MaskedBinfmtFile {
  const where = `masks[${i}]`;
  if (!isObject(v)) throw new InstallStateError(file, `${where} must be an object`);
  if (typeof v['movedAside'] !== 'boolean') throw new InstallStateError(file, `${where}.movedAside must be true or false`);
  const entries = v['entries'];
  if (!Array.isArray(entries)) throw new InstallStateError(file, `${where}.entries must be an array`);
  return {
    path: absPath(v, 'path', where, file),
    source: absPath(v, 'source', where, file),
    movedAside: v['movedAside'],
    entries: entries.map((e, j) => {
      const w = `${where}.entries[${j}]`;
      if (!isObject(e)) throw new InstallStateError(file, `${w} must be an object`);
      return { entryName: str(e, 'entryName', w, file), guest: str(e, 'guest', w, file) };
    }),
  };
}

function parseMicroVm(v: unknown, file: string): MicroVmGuestEntry[] {
  if (!Array.isArray(v)) throw new InstallStateError(file, 'microvm must be an array');
  return v.map((e, i) => {
    const where = `microvm[${i}]`;
    if (!isObject(e)) throw new InstallStateError(file, `${where} must be an object`);
    return {
      guest: archName(e, where, file),
      prefix: absPath(e, 'prefix', where, file),
      interpreter: absPath(e, 'interpreter', where, file),
      registration: str(e, 'registration', where, file),
      ...(e['guestInit'] === undefined ? {} : { guestInit: absPath(e, 'guestInit', where, file) }),
    };
  });
}

function parseDisabled(v: unknown, i: number, file: string): DisabledConflict {
  const where = `disabled[${i}]`;
  if (!isObject(v)) throw new InstallStateError(file, `${where} must be an object`);
  if (typeof v['wasEnabled'] !== 'boolean') {
    throw new InstallStateError(file, `${where}.wasEnabled must be true or false`);
  }
  const guest = parseGuest(v, where, file);
  return {
    entryName: str(v, 'entryName', where, file),
    wasEnabled: v['wasEnabled'],
    registration: str(v, 'registration', where, file),
    ...(guest === undefined ? {} : { guest }),
  };
}

/** Parses and validates the state file's text. `file` is only used in messages. */
export function parseInstallState(text: string, file: string): InstallState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InstallStateError(file, `not valid JSON (${(err as Error).message}); remove it and run "fexpod binfmt install" again`);
  }
  if (!isObject(doc)) throw new InstallStateError(file, 'must be a JSON object');
  if (doc['version'] !== INSTALL_STATE_VERSION) {
    throw new InstallStateError(file, `unsupported version ${String(doc['version'])} (expected ${INSTALL_STATE_VERSION})`);
  }
  const regs = doc['registrations'];
  const dis = doc['disabled'];
  const per = doc['persisted'];
  if (!Array.isArray(regs)) throw new InstallStateError(file, 'registrations must be an array');
  if (!Array.isArray(dis)) throw new InstallStateError(file, 'disabled must be an array');
  if (!Array.isArray(per) || per.some((p) => typeof p !== 'string')) {
    throw new InstallStateError(file, 'persisted must be an array of paths');
  }
  return {
    version: INSTALL_STATE_VERSION,
    registrations: regs.map((r, i) => parseRegistration(r, i, file)),
    disabled: dis.map((d, i) => parseDisabled(d, i, file)),
    persisted: per.filter((p): p is string => typeof p === 'string'),
    ...(doc['masks'] === undefined ? {} : { masks: parseMasks(doc['masks'], file) }),
    ...(doc['microvm'] === undefined ? {} : { microvm: parseMicroVm(doc['microvm'], file) }),
  };
}

function parseMasks(v: unknown, file: string): MaskedBinfmtFile[] {
  if (!Array.isArray(v)) throw new InstallStateError(file, 'masks must be an array');
  return v.map((m, i) => parseMask(m, i, file));
}

export function formatInstallState(state: InstallState): string {
  return JSON.stringify(state, null, 2) + '\n';
}

/** The registration serving a guest arch, if installed. */
export function registrationFor(state: InstallState, guest: ArchName): InstalledRegistration | undefined {
  return state.registrations.find((r) => r.guest === guest);
}

/** The microVM entries a container of this guest needs: its own, and every other one sharing its prefix (FEX serves x86-64 and i386). */
export function microVmEntriesFor(state: InstallState, guest: ArchName): MicroVmGuestEntry[] {
  const own = state.microvm?.find((e) => e.guest === guest);
  return own ? (state.microvm ?? []).filter((e) => e.prefix === own.prefix) : [];
}
