/**
 * `fexpod binfmt install|uninstall|status --user` flows in a temporary state
 * directory: registration lines recorded (never written to binfmt_misc),
 * dynamic emulators staged, static ones used in place, prefixes of earlier
 * installs cleaned up, and Podman's namespace asked through `podman unshare`
 * (a stand-in runner here; the integration test drives the real podman).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch, type ArchName } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import type { BinfmtEmulator } from '../../../src/emulator/binfmt/binfmt-install.js';
import { parseRegistration } from '../../../src/emulator/binfmt/binfmt-rule.js';
import { fileStateStore } from '../../../src/emulator/binfmt/binfmt-state-file.js';
import { installUserBinfmt, uninstallUserBinfmt, userBinfmtStatus, type UserBinfmtDeps } from '../../../src/emulator/rootless/binfmt-user.js';
import type { PodmanRunner } from '../../../src/emulator/rootless/podman-userns.js';

function harness(stateDir: string, emulators: BinfmtEmulator[], podman?: PodmanRunner): UserBinfmtDeps & { log: ReturnType<typeof memoryLogger> } {
  return {
    stateDir,
    store: fileStateStore(stateDir),
    lock: (fn) => fn(),
    emulators: async (g) => emulators.filter((e) => e.guests.includes(g.name)),
    servedGuests: async () => [...new Set(emulators.flatMap((e) => e.guests))].map((g) => Arch.of(g)),
    host: Arch.of('x86_64'),
    kernelRelease: '6.18.44',
    log: memoryLogger(),
    podman,
    removeTree: (p) => rm(p, { recursive: true, force: true }),
    removeFile: (p) => rm(p, { force: true }),
    listDir: async (p) => readdir(p).catch(() => []),
  };
}

function qemuUser(stateDir: string, guest: ArchName, digest: string): BinfmtEmulator {
  const q = Arch.of(guest).qemu;
  return {
    name: 'qemu-user',
    guests: [guest],
    interpreterPath: `/usr/bin/qemu-${q}`,
    static: false,
    version: 'qemu-aarch64 version 7.2.13 (Debian 1:7.2+dfsg-7+deb12u7)',
    stage: async () => {
      const prefix = join(stateDir, 'prefix', digest);
      mkdirSync(join(prefix, 'bin'), { recursive: true });
      writeFileSync(join(prefix, 'fexpod-prefix.json'), '{}');
      return { prefix, interpreter: `${prefix}/bin/qemu-${q}` };
    },
  };
}

const qemuStatic = (guest: ArchName): BinfmtEmulator => ({ name: 'qemu-user-static', guests: [guest], interpreterPath: `/usr/bin/qemu-${Arch.of(guest).qemu}-static`, static: true, version: 'qemu-aarch64 version 7.2.13' });

test('install --user records F-flag lines for a staged dynamic and a static emulator; nothing else', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const h = harness(dir, [qemuUser(dir, 'aarch64', 'a'.repeat(64)), qemuStatic('arm')]);
  const r = await installUserBinfmt({}, h);
  assert.deepEqual(r.installed.map((g) => [g.guest, g.emulator, g.flags]), [['aarch64', 'qemu-user', 'POF'], ['arm', 'qemu-user-static', 'POF']]);
  const state = await h.store.read();
  const a64 = state?.registrations.find((x) => x.guest === 'aarch64');
  assert.equal(a64?.prefix, join(dir, 'prefix', 'a'.repeat(64)));
  const rule = parseRegistration(a64?.registration ?? '');
  assert.equal(rule.interpreter, `${a64?.prefix}/bin/qemu-aarch64`);
  assert.equal(rule.name, 'fexpod-qemu-user-aarch64');
  assert.equal(state?.registrations.find((x) => x.guest === 'arm')?.prefix, undefined);
  assert.deepEqual(state?.disabled, []);
  assert.deepEqual(state?.persisted, []);
});

test('install --user again with another emulator: the old prefix and interrupted stagings go', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await installUserBinfmt({ guests: [Arch.of('aarch64')] }, harness(dir, [qemuUser(dir, 'aarch64', 'a'.repeat(64))]));
  mkdirSync(join(dir, 'prefix', '.staging-abc-1'), { recursive: true });
  mkdirSync(join(dir, 'prefix', 'not-ours'), { recursive: true });
  const calls: string[][] = [];
  const podman: PodmanRunner = async (args) => {
    calls.push([...args]);
    return { stdout: 'removed=fexpod-qemu-user-aarch64\n', stderr: '', exitCode: 0 };
  };
  const h = harness(dir, [qemuStatic('aarch64'), qemuUser(dir, 'aarch64', 'a'.repeat(64))], podman);
  const r = await installUserBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user-static' }, h);
  assert.deepEqual(r.entriesReplaced, ['fexpod-qemu-user-aarch64'], 'the replaced entry leaves the live namespace');
  assert.deepEqual(calls[0]?.slice(6), ['fexpod-qemu-user-aarch64']);
  assert.deepEqual([...r.prefixesRemoved].sort(), [join(dir, 'prefix', '.staging-abc-1'), join(dir, 'prefix', 'a'.repeat(64))]);
  assert.deepEqual(readdirSync(join(dir, 'prefix')), ['not-ours']);
});

test('install --user again while a process still runs the old emulator: that prefix stays (and is said so), stagings go', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await installUserBinfmt({ guests: [Arch.of('aarch64')] }, harness(dir, [qemuUser(dir, 'aarch64', 'a'.repeat(64))]));
  mkdirSync(join(dir, 'prefix', '.staging-abc-1'), { recursive: true });
  const old = join(dir, 'prefix', 'a'.repeat(64));
  const h = { ...harness(dir, [qemuStatic('aarch64'), qemuUser(dir, 'aarch64', 'a'.repeat(64))]), prefixUses: async () => ({ interpreters: [], mounts: [], files: [['4242', `${old}/bin/qemu-aarch64`]] as const, ownMounts: [] }) };
  const r = await installUserBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user-static' }, h);
  assert.deepEqual(r.prefixesRemoved, [join(dir, 'prefix', '.staging-abc-1')]);
  assert.deepEqual(r.prefixesInUse, [{ prefix: old, by: `process 4242 runs ${old}/bin/qemu-aarch64` }]);
  assert.deepEqual(readdirSync(join(dir, 'prefix')), ['a'.repeat(64)]);
});

test('uninstall --user: entries out of Podman\'s namespace, prefixes, state and locks gone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const calls: string[][] = [];
  const podman: PodmanRunner = async (args) => {
    calls.push([...args]);
    const names = args.slice(6);
    return { stdout: names.map((n) => `removed=${n}`).join('\n') + '\n', stderr: '', exitCode: 0 };
  };
  const h = harness(dir, [qemuUser(dir, 'aarch64', 'c'.repeat(64))], podman);
  await installUserBinfmt({}, h);
  writeFileSync(join(dir, 'private-binfmt.lock'), '');
  writeFileSync(join(dir, 'binfmt.lock'), '');
  const u = await uninstallUserBinfmt(h);
  assert.deepEqual(u.entriesRemoved, ['fexpod-qemu-user-aarch64']);
  assert.deepEqual(calls[0]?.slice(0, 2), ['unshare', '/bin/sh']);
  assert.deepEqual(readdirSync(dir), ['prefix']);
  assert.deepEqual(readdirSync(join(dir, 'prefix')), []);
  assert.equal(existsSync(join(dir, 'binfmt-state.json')), false);
});

test('status --user: podman unshare output becomes the namespace view; a failing podman is reported, not thrown', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-user-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ok: PodmanRunner = async () => ({ stdout: 'instance=private\nfexpod-qemu-user-static-arm=enabled\n', stderr: '', exitCode: 0 });
  await installUserBinfmt({}, harness(dir, [qemuStatic('arm')]));
  const s = await userBinfmtStatus(harness(dir, [], ok));
  assert.deepEqual(s.namespace, { instance: 'private', entries: { 'fexpod-qemu-user-static-arm': 'enabled' } });
  const bad: PodmanRunner = async () => ({ stdout: '', stderr: 'Error: cannot clone: Operation not permitted\n', exitCode: 125 });
  const s2 = await userBinfmtStatus(harness(dir, [], bad));
  assert.equal(s2.namespace, undefined);
  assert.match(s2.error ?? '', /cannot clone/);
});
