/**
 * Host setup for the hook's integration tests: a snapshot/restore of
 * binfmt_misc, the emulators (the real `fexpod binfmt install`, or — while that
 * command is not on this branch yet — a stand-in that stages qemu-user with
 * stagePrefix and registers it by hand), and podman helpers.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { formatInstallState, type InstallState, type InstalledRegistration } from '../../../src/emulator/binfmt/install-state.js';
import { stagePrefix } from '../../../src/emulator/prefix/emulator-prefix.js';
import { nodePrefixDeps } from '../../../src/emulator/prefix/prefix-deps.js';
import { repoRoot } from '../../helpers/integration.js';

export const BINFMT = '/proc/sys/fs/binfmt_misc';
export const CLI = join(repoRoot(), 'dist', 'src', 'cli.js');

export function fexpod(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, timeout: 180_000 });
}

interface EntrySnapshot {
  readonly name: string;
  readonly enabled: boolean;
  readonly registration: string;
}

function hex(s: string): string {
  return s.replace(/../g, (b) => `\\x${b}`);
}

/** Rebuilds a registration line from /proc/sys/fs/binfmt_misc/<name>. */
export function registrationOf(name: string, text: string): string {
  const get = (k: string) => text.split('\n').find((l) => l.startsWith(`${k} `))?.slice(k.length + 1) ?? '';
  const flags = get('flags:').trim();
  if (text.includes('\nextension ')) return `:${name}:E::${get('extension').replace(/^\./, '')}::${get('interpreter')}:${flags}`;
  return `:${name}:M:${get('offset')}:${hex(get('magic'))}:${hex(get('mask'))}:${get('interpreter')}:${flags}`;
}

export function binfmtSnapshot(): EntrySnapshot[] {
  return readdirSync(BINFMT)
    .filter((n) => n !== 'register' && n !== 'status')
    .map((name) => {
      const text = readFileSync(join(BINFMT, name), 'utf8');
      return { name, enabled: text.startsWith('enabled'), registration: registrationOf(name, text) };
    });
}

export function binfmtRestore(snap: readonly EntrySnapshot[]): void {
  const now = new Set(binfmtSnapshot().map((e) => e.name));
  for (const n of now) if (!snap.some((s) => s.name === n)) writeFileSync(join(BINFMT, n), '-1');
  for (const s of snap) {
    if (!now.has(s.name)) writeFileSync(join(BINFMT, 'register'), s.registration);
    writeFileSync(join(BINFMT, s.name), s.enabled ? '1' : '0');
  }
}

export function setEntry(name: string, value: '0' | '1' | '-1'): void {
  try {
    writeFileSync(join(BINFMT, name), value);
  } catch {
    /* absent */
  }
}

/** Whether `fexpod binfmt install` exists on this branch (not the scaffolding). */
export function realBinfmtCommand(): boolean {
  return !/not built yet/.test(fexpod(['binfmt', '--help']).stdout);
}

const QEMU_MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';

function magicFor(a: Arch): string {
  const m = [0x7f, 0x45, 0x4c, 0x46, a.elfClass, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, a.machine & 0xff, a.machine >> 8];
  return m.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}

/**
 * Stand-in for `fexpod binfmt install --emulator qemu-user` until that command
 * lands: stages Debian's dynamic qemu-<arch> with the host area's stagePrefix,
 * registers it with the F flag and writes the install state.
 */
export async function standInBinfmtInstall(stateDir: string, guests: readonly Arch[]): Promise<InstallState> {
  const registrations: InstalledRegistration[] = [];
  for (const g of guests) {
    const staged = await stagePrefix(`/usr/bin/qemu-${g.qemu}`, { stateDir }, nodePrefixDeps());
    const entryName = `fexpod-test-qemu-${g.qemu}`;
    const registration = `:${entryName}:M:0:${magicFor(g)}:${QEMU_MASK}:${staged.interpreter}:F`;
    setEntry(entryName, '-1');
    writeFileSync(join(BINFMT, 'register'), registration);
    registrations.push({ guest: g.name, emulator: 'qemu-user', entryName, registration, interpreter: staged.interpreter, ...(staged.prefix ? { prefix: staged.prefix } : {}) });
  }
  const state: InstallState = { version: 1, registrations, disabled: [], persisted: [] };
  writeFileSync(join(stateDir, 'binfmt-state.json'), formatInstallState(state));
  return state;
}

export function podman(args: readonly string[], timeout = 120_000): SpawnSyncReturns<string> {
  return spawnSync('podman', args, { encoding: 'utf8', timeout });
}

export function podmanAsync(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn('podman', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
