/**
 * `fexpod binfmt install` on a host whose page size is not 4 KiB (a stand-in:
 * fake binfmt_misc, fake discovery). FEX-x86_64 / FEX-x86 go to the muvm
 * dispatcher with flags PF, and what krun containers need is recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import { BinfmtController } from '../../../src/emulator/binfmt/binfmt-controller.js';
import { catalogueEmulators } from '../../../src/emulator/binfmt/binfmt-emulators.js';
import { type BinfmtDeps, installBinfmt } from '../../../src/emulator/binfmt/binfmt-install.js';
import { uninstallBinfmt } from '../../../src/emulator/binfmt/binfmt-uninstall.js';
import { refreshBinfmt, refreshError } from '../../../src/emulator/binfmt/binfmt-refresh.js';
import { nodePersistFs } from '../../../src/emulator/binfmt/binfmt-node.js';
import { fileStateStore } from '../../../src/emulator/binfmt/binfmt-state-file.js';
import type { MicroVmGuestEntry } from '../../../src/emulator/binfmt/install-state.js';
import { parseInstallState } from '../../../src/emulator/binfmt/install-state.js';
import { nodePrefixDeps } from '../../../src/emulator/prefix/prefix-deps.js';
import { buildElf } from './elf-builder.js';
import { FakeFs, type FakeNode } from './fake-fs.js';
import { fakeDiscoveryDeps } from './fake-host.js';
import { FAKE_DIR, FakeBinfmtMisc } from './binfmt-fake.js';

const A64 = 0xb7;
const dyn: FakeNode = { bytes: buildElf({ machine: A64, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libc.so.6'] } }), exec: true };
const X86_ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);

function setup(pageSize: number, files: Record<string, FakeNode>) {
  const root = mkdtempSync(join(tmpdir(), 'fexpod-microvm-unit-'));
  const stateDir = join(root, 'state');
  const fs = new FakeBinfmtMisc();
  const staged: MicroVmGuestEntry[] = [
    { guest: 'x86_64', prefix: '/p/x', interpreter: '/p/x/bin/FEX', registration: ':FEX-x86_64:M::\\x7fELF::/p/x/bin/FEX:POCF', guestInit: '/p/x/bin/fexpod-guest-init' },
  ];
  const source = catalogueEmulators({
    host: { arch: Arch.of('aarch64'), pageSize, uid: 65534, kvm: { present: true, accessible: true }, crunFeatures: undefined },
    discovery: fakeDiscoveryDeps(new FakeFs(files)),
    prefixDeps: nodePrefixDeps(),
    stateDir,
    version: async () => undefined,
    microvm: {
      node: '/usr/bin/node',
      dispatchEntry: '/opt/fexpod/dist/hook/emulator/microvm/dispatch-main.js',
      guestInit: undefined,
      writeFileAtomic: async (p, t, mode) => {
        const { mkdir, writeFile, chmod } = await import('node:fs/promises');
        await mkdir(join(p, '..'), { recursive: true });
        await writeFile(p, t);
        await chmod(p, mode);
        fs.interpreters.add(p);
      },
    },
  });
  const log = memoryLogger();
  const deps: BinfmtDeps = {
    controller: new BinfmtController({ fs, log, dir: FAKE_DIR }),
    persistFs: nodePersistFs(),
    store: fileStateStore(stateDir),
    lock: (fn) => fn(),
    emulators: (g) => source.emulators(g),
    servedGuests: () => source.servedGuests(),
    // Staging a real FEX is the integration tests' job; here the adapter's plan is recorded as given.
    microvm: async (guests) => (pageSize === 4096 ? [] : staged.filter((e) => guests.some((g) => g.name === e.guest))),
    host: Arch.of('aarch64'),
    kernelRelease: '6.14.0-asahi',
    log,
  };
  return { fs, deps, stateDir, source, staged, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const fedora16k = { '/usr/bin/FEX': dyn, '/usr/bin/FEXServer': dyn, '/usr/bin/muvm': dyn };

test('stand-in 16 KiB host: FEX-x86_64 goes to the muvm dispatcher (PF), the krun prefix is recorded; uninstall removes both', async () => {
  const h = setup(16384, fedora16k);
  try {
    const r = await installBinfmt({ guests: [Arch.of('x86_64')] }, h.deps);
    const g = r.installed[0];
    assert.equal(g?.emulator, 'muvm');
    assert.equal(g?.entryName, 'FEX-x86_64', 'FEX\'s own name, so FEX inside and tools looking for it agree');
    assert.equal(g?.flags, 'PF');
    const script = join(h.stateDir, 'dispatch', 'fexpod-dispatch');
    assert.equal(g?.interpreter, script);
    assert.equal(readFileSync(script, 'utf8').split('\n')[0], '#!/usr/bin/node');
    assert.equal(statSync(script).mode & 0o777, 0o755);
    const rule = h.fs.entries.find((e) => e.rule.name === 'FEX-x86_64')?.rule;
    assert.equal(rule?.flags, 'PF');
    assert.equal(rule?.interpreter, script);
    assert.equal(h.fs.handlerFor(X86_ELF), 'FEX-x86_64');
    const state = parseInstallState(readFileSync(join(h.stateDir, 'binfmt-state.json'), 'utf8'), 'state');
    assert.deepEqual(state.microvm?.map((e) => [e.guest, e.prefix, e.guestInit]), [['x86_64', '/p/x', '/p/x/bin/fexpod-guest-init']]);
    await uninstallBinfmt(undefined, h.deps);
    assert.equal(h.fs.handlerFor(X86_ELF), undefined);
    assert.equal(existsSync(join(h.stateDir, 'binfmt-state.json')), false);
  } finally {
    h.cleanup();
  }
});

test('stand-in 16 KiB host: the muvm entry plans without writing and names the file it writes (for fexpod setup\'s dry run and journal)', async () => {
  const h = setup(16384, fedora16k);
  try {
    const [muvm] = await h.source.emulators(Arch.of('x86_64'));
    const script = join(h.stateDir, 'dispatch', 'fexpod-dispatch');
    assert.equal(muvm?.name, 'muvm');
    assert.deepEqual(muvm?.writes, [script]);
    assert.deepEqual(await muvm?.plan?.(), { prefix: undefined, interpreter: script });
    assert.equal(existsSync(script), false, 'planning wrote nothing');
  } finally {
    h.cleanup();
  }
});

test('stand-in 16 KiB host without muvm: no host route for x86-64 programs, but the krun entry is still recorded', async () => {
  const h = setup(16384, { '/usr/bin/FEX': dyn, '/usr/bin/FEXServer': dyn });
  try {
    const r = await installBinfmt({ guests: [Arch.of('x86_64')] }, h.deps);
    assert.deepEqual(r.installed, []);
    assert.equal(r.microvm.length, 1);
    assert.equal(h.fs.handlerFor(X86_ELF), undefined, 'nothing registered that would fail: FEX cannot run on 16 KiB pages');
  } finally {
    h.cleanup();
  }
});

test('a 4 KiB host is unchanged: FEX registered itself (POCF), no dispatcher, no microVM entry', async () => {
  const h = setup(4096, fedora16k);
  try {
    const emus = await h.source.emulators(Arch.of('x86_64'));
    assert.equal(emus[0]?.name, 'fex');
    assert.ok(!emus.some((e) => e.name === 'muvm'), 'muvm is not needed on 4 KiB pages');
    assert.deepEqual(await h.source.microvm([Arch.of('x86_64')]), []);
  } finally {
    h.cleanup();
  }
});

test('stand-in 16 KiB host without muvm, after a fexpod update: refresh stages the krun entries again (new fexpod-guest-init, new prefix) though no binfmt_misc entry is recorded', async () => {
  const h = setup(16384, { '/usr/bin/FEX': dyn, '/usr/bin/FEXServer': dyn });
  try {
    await installBinfmt({ guests: [Arch.of('x86_64')] }, h.deps);
    const read = () => parseInstallState(readFileSync(join(h.stateDir, 'binfmt-state.json'), 'utf8'), 'state');
    assert.deepEqual(read().registrations, []);
    assert.equal(read().microvm?.[0]?.prefix, '/p/x');
    // The update: this installation's fexpod-guest-init changed, so staging gives another prefix.
    h.staged[0] = { guest: 'x86_64', prefix: '/p/y', interpreter: '/p/y/bin/FEX', registration: ':FEX-x86_64:M::\\x7fELF::/p/y/bin/FEX:POCF', guestInit: '/p/y/bin/fexpod-guest-init' };
    const r = await refreshBinfmt(h.deps, []);
    assert.deepEqual(r.microvm.map((e) => [e.guest, e.prefix]), [['x86_64', '/p/y']]);
    assert.deepEqual(read().microvm?.map((e) => [e.guest, e.prefix, e.guestInit]), [['x86_64', '/p/y', '/p/y/bin/fexpod-guest-init']]);
    assert.equal(refreshError(r), undefined);
  } finally {
    h.cleanup();
  }
});

test('stand-in 16 KiB host with muvm: refresh stages the krun entries of every recorded guest once, together', async () => {
  const h = setup(16384, fedora16k);
  try {
    h.staged.push({ guest: 'i386', prefix: '/p/x', interpreter: '/p/x/bin/FEX', registration: ':FEX-x86:M::\\x7fELF::/p/x/bin/FEX:POCF', guestInit: '/p/x/bin/fexpod-guest-init' });
    await installBinfmt({ guests: [Arch.of('x86_64'), Arch.of('i386')] }, h.deps);
    const asked: string[][] = [];
    const stage = h.deps.microvm;
    const deps = { ...h.deps, microvm: async (g: readonly Arch[]) => (asked.push(g.map((x) => x.name)), stage ? stage(g) : []) };
    for (const e of h.staged) Object.assign(e, { prefix: '/p/z' });
    const r = await refreshBinfmt(deps, []);
    assert.deepEqual(asked, [['x86_64', 'i386']], 'one staging for both guests (they share the prefix)');
    const state = parseInstallState(readFileSync(join(h.stateDir, 'binfmt-state.json'), 'utf8'), 'state');
    assert.deepEqual(state.microvm?.map((e) => [e.guest, e.prefix]), [['x86_64', '/p/z'], ['i386', '/p/z']]);
    assert.deepEqual(r.refreshed.map((g) => g.emulator), ['muvm', 'muvm']);
  } finally {
    h.cleanup();
  }
});
