/**
 * Edits: what a foreign container needs, as data (one bind mount of the
 * directory of the staged emulator prefixes at the same absolute path,
 * read-only, nosuid, nodev; the
 * emulator's environment; for FEX the personality() values it sets, see
 * fex/), and their application to the config text.
 * Pure: values in, text out.
 */
import { dirname } from 'node:path';
import type { InstalledRegistration, MicroVmGuestEntry } from '../../emulator/binfmt/install-state.js';
import { firstStep } from '../../emulator/microvm/guest-init.js';
import { KRUN_HANDLER, KRUN_HANDLER_ANNOTATION } from '../../emulator/microvm/muvm.js';
import { FEX_CONTAINER_DATA_DIR, fexContainerEnv, fexEnv } from '../fex/fex-env.js';
import { personalityRules } from '../fex/personality-rule.js';
import { appendToArray, replaceValue, setMember } from './json-splice.js';
import type { HookView, OciMount } from './oci-config.js';

export interface SpecEdits {
  readonly mounts: readonly OciMount[];
  /** NAME=value entries to add to process.env. */
  readonly env: readonly string[];
  /** A new process.args (the microVM route's first step). */
  readonly args?: readonly string[];
  /** Annotations to set (run.oci.handler=krun). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Serialised rules to add to linux.seccomp.syscalls (FEX's personality() values). */
  readonly seccompRules?: readonly string[];
}

export const PREFIX_MOUNT_OPTIONS = ['bind', 'ro', 'nosuid', 'nodev'] as const;

export function isFex(reg: InstalledRegistration): boolean {
  return reg.emulator === 'fex' || /(^|\/)(FEX|FEXInterpreter)$/.test(reg.interpreter);
}

/** The bind mount that makes a host directory of staged prefixes visible at its host path. */
export function prefixMount(dir: string): OciMount {
  return { destination: dir, source: dir, type: 'bind', options: [...PREFIX_MOUNT_OPTIONS] };
}

/**
 * What a container gets mounted for a prefix: the directory of every staged prefix
 * (<state-dir>/prefix), not only the one the registration names. An emulator update registers
 * the entry again with a new prefix, and from then on the kernel runs the new emulator for
 * every foreign exec, also in containers started before the update, whose loader and libraries
 * live in the new prefix: with the directory mounted they are there (a bind mount shows what is
 * created in its source later), so a running container keeps working across the update.
 */
export function prefixMountDir(prefix: string): string {
  return dirname(prefix);
}

function envName(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

/**
 * Environment the emulator needs (the install state's own settings win);
 * with `rootPath`, also what only one container can have (FEX: its own
 * FEXServer socket name).
 */
export function emulatorEnv(reg: InstalledRegistration, rootPath?: string): Record<string, string> {
  const env = isFex(reg) ? (rootPath !== undefined ? fexContainerEnv(rootPath) : fexEnv()) : {};
  return { ...env, ...(reg.env ?? {}) };
}

/** Whether the config already mounts something at `destination` (trailing slashes ignored). */
export function hasMountAt(view: HookView, destination: string): boolean {
  return view.mounts.some((m) => m.destination.replace(/\/+$/, '') === destination);
}

export function editsFor(view: HookView, reg: InstalledRegistration): SpecEdits {
  const mounts: OciMount[] = [];
  if (reg.prefix !== undefined && !hasMountAt(view, reg.prefix) && !hasMountAt(view, prefixMountDir(reg.prefix))) {
    mounts.push(prefixMount(prefixMountDir(reg.prefix)));
  }
  const have = new Set((view.env ?? []).map(envName));
  const env = Object.entries(emulatorEnv(reg, view.rootPath))
    .filter(([k]) => !have.has(k))
    .map(([k, v]) => `${k}=${v}`);
  const seccompRules = isFex(reg) ? personalityRules(view.seccomp) : [];
  return { mounts, env, seccompRules };
}

/**
 * A container on a host whose page size is not 4 KiB: crun's krun handler, the
 * staged prefix (FEX, FEXServer, fexpod-guest-init) mounted like any prefix,
 * FEX's environment, and the first step (microvm/guest-init.ts) in front of the
 * command. `program` is args[0] resolved inside the rootfs.
 */
export function microVmEditsFor(view: HookView, entries: readonly MicroVmGuestEntry[], program: string): SpecEdits {
  const dirs = [...new Set(entries.filter((e) => !hasMountAt(view, e.prefix)).map((e) => prefixMountDir(e.prefix)))].filter((p) => !hasMountAt(view, p));
  const have = new Set((view.env ?? []).map(envName));
  const env = have.has('FEX_APP_DATA_LOCATION') ? [] : [`FEX_APP_DATA_LOCATION=${FEX_CONTAINER_DATA_DIR}`];
  return {
    mounts: dirs.map(prefixMount),
    env,
    args: firstStep(entries, view.args, program).args,
    annotations: { [KRUN_HANDLER_ANNOTATION]: KRUN_HANDLER },
  };
}

export function isEmpty(e: SpecEdits): boolean {
  return e.mounts.length === 0 && e.env.length === 0 && e.args === undefined && e.annotations === undefined && (e.seccompRules?.length ?? 0) === 0;
}

/** Applies edits to the original text, leaving every other byte unchanged. */
export function applyEdits(text: string, e: SpecEdits): string {
  let out = appendToArray(text, ['mounts'], e.mounts.map((m) => JSON.stringify(m)));
  out = appendToArray(out, ['process', 'env'], e.env.map((v) => JSON.stringify(v)));
  if (e.args) out = replaceValue(out, ['process', 'args'], JSON.stringify(e.args));
  for (const [k, v] of Object.entries(e.annotations ?? {})) out = setMember(out, ['annotations'], k, JSON.stringify(v));
  out = appendToArray(out, ['linux', 'seccomp', 'syscalls'], e.seccompRules ?? []);
  return out;
}
