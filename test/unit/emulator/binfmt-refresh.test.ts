/**
 * `fexpod binfmt refresh` and the stable link, against the fake kernel: what
 * fexpod-binfmt.service does after systemd-binfmt flushed every entry, after it
 * re-registered fexpod's binfmt.d line (through the stable link), and after an
 * emulator update moved the prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import { BinfmtController } from '../../../src/emulator/binfmt/binfmt-controller.js';
import { type BinfmtDeps, type BinfmtEmulator, installBinfmt } from '../../../src/emulator/binfmt/binfmt-install.js';
import { uninstallBinfmt } from '../../../src/emulator/binfmt/binfmt-uninstall.js';
import { nodePersistFs } from '../../../src/emulator/binfmt/binfmt-node.js';
import { parseBinfmtConf } from '../../../src/emulator/binfmt/binfmt-persist.js';
import { refreshBinfmt, refreshError } from '../../../src/emulator/binfmt/binfmt-refresh.js';
import { fileStateStore } from '../../../src/emulator/binfmt/binfmt-state-file.js';
import { repoRoot } from '../../helpers/integration.js';
import { FAKE_DIR, FakeBinfmtMisc } from './binfmt-fake.js';

const FIX = join(repoRoot(), 'test', 'fixtures', 'binfmt');
const Q_AARCH64 = 'debian-qemu-user-static-amd64.qemu-aarch64.conf';
const vendorLine = readFileSync(join(FIX, Q_AARCH64), 'utf8').split('\n').find((l) => l.startsWith(':')) ?? '';
const ARM64 = new Uint8Array(readFileSync(join(FIX, 'debian-busybox-static-arm64.elf64')));
const ENTRY = 'fexpod-qemu-user-aarch64';

function harness(o: { registered?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'fexpod-refresh-unit-'));
  const etc = join(root, 'etc', 'binfmt.d');
  const vendor = join(root, 'usr', 'lib', 'binfmt.d');
  mkdirSync(etc, { recursive: true });
  mkdirSync(vendor, { recursive: true });
  writeFileSync(join(vendor, 'qemu-aarch64.conf'), readFileSync(join(FIX, Q_AARCH64)));
  const stateDir = join(root, 'state');
  const fs = new FakeBinfmtMisc();
  if (o.registered ?? true) fs.preload(vendorLine);
  /** The emulator's current build: an update changes the digest (so the prefix). */
  const emu = { digest: 'a'.repeat(64), present: true };
  const prefix = () => join(stateDir, 'prefix', emu.digest);
  const qemu = (): BinfmtEmulator => ({
    name: 'qemu-user',
    guests: ['aarch64'],
    interpreterPath: '/usr/bin/qemu-aarch64',
    static: false,
    version: 'qemu-aarch64 version 7.2.19',
    stage: async () => {
      fs.interpreters.add(`${prefix()}/bin/qemu-aarch64`);
      return { prefix: prefix(), interpreter: `${prefix()}/bin/qemu-aarch64` };
    },
  });
  const log = memoryLogger();
  const deps: BinfmtDeps = {
    controller: new BinfmtController({ fs, log, dir: FAKE_DIR }),
    persistFs: nodePersistFs(),
    store: fileStateStore(stateDir),
    lock: (fn) => fn(),
    emulators: async () => (emu.present ? [qemu()] : []),
    servedGuests: async () => [Arch.of('aarch64')],
    host: Arch.of('x86_64'),
    kernelRelease: '6.18.0-1-amd64',
    log,
  };
  const persist = { dir: etc, vendorDirs: [vendor] };
  const link = join(stateDir, 'prefix', ENTRY);
  /** What systemd-binfmt registers from fexpod's binfmt.d file (it deletes a same-name entry first). */
  const systemdBinfmt = async () => {
    await fs.writeFile(`${FAKE_DIR}/status`, '-1');
    const text = readFileSync(join(etc, `${ENTRY}.conf`), 'utf8');
    for (const l of parseBinfmtConf(text)) if (l.rule) {
      fs.interpreters.add(l.rule.interpreter);
      await fs.writeFile(`${FAKE_DIR}/register`, l.line);
    }
  };
  return { fs, deps, persist, stateDir, etc, emu, prefix, link, systemdBinfmt, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('after a full flush, refresh registers the recorded line again; conflicts masked in binfmt.d stay away', async () => {
  const h = harness();
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
    const recorded = (await h.deps.store.read())?.registrations[0]?.registration;
    await h.fs.writeFile(`${FAKE_DIR}/status`, '-1');
    assert.equal(h.fs.handlerFor(ARM64), undefined);
    const r = await refreshBinfmt(h.deps, h.persist.vendorDirs);
    assert.deepEqual(r.refreshed.map((g) => [g.entryName, g.outcome]), [[ENTRY, 'registered']]);
    assert.equal(h.fs.handlerFor(ARM64), ENTRY);
    assert.equal(h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter, `${h.prefix()}/bin/qemu-aarch64`);
    assert.ok(recorded?.endsWith(`${h.prefix()}/bin/qemu-aarch64:POF`));
    assert.equal(refreshError(r), undefined);
  } finally {
    h.cleanup();
  }
});

test('systemd-binfmt registers the stable-link line; refresh replaces it by the prefix line, and uninstall knows both as ours', async () => {
  const h = harness();
  try {
    const before = h.fs.snapshot();
    await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
    await h.systemdBinfmt();
    const viaLink = h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter;
    assert.equal(viaLink, `${h.link}/bin/qemu-aarch64`);
    assert.equal(h.fs.handlerFor(ARM64), ENTRY, 'the binfmt.d line alone serves host processes');

    // uninstall straight after systemd-binfmt: the stable-link line is ours too.
    const u = await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(u.removed, [ENTRY]);
    assert.deepEqual(u.skipped, []);
    // The vendor entry came back by re-registration (systemd-binfmt had flushed it and the mask kept it away).
    assert.deepEqual(h.fs.snapshot(), before);

    await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
    await h.systemdBinfmt();
    const r = await refreshBinfmt(h.deps, h.persist.vendorDirs);
    assert.deepEqual(r.refreshed.map((g) => g.outcome), ['replaced']);
    assert.equal(h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter, `${h.prefix()}/bin/qemu-aarch64`);
  } finally {
    h.cleanup();
  }
});

test('an emulator update moves the prefix: refresh re-points the link and registers the new interpreter', async () => {
  const h = harness();
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
    const fileBefore = readFileSync(join(h.etc, `${ENTRY}.conf`), 'utf8');
    const old = h.prefix();
    h.emu.digest = 'b'.repeat(64);
    const r = await refreshBinfmt(h.deps, h.persist.vendorDirs);
    assert.deepEqual(r.refreshed.map((g) => [g.prefix, g.outcome]), [[h.prefix(), 'replaced']]);
    assert.notEqual(h.prefix(), old);
    assert.equal(readlinkSync(h.link), h.prefix());
    assert.equal(readFileSync(join(h.etc, `${ENTRY}.conf`), 'utf8'), fileBefore, 'the binfmt.d file does not change: it names the link');
    const state = await h.deps.store.read();
    assert.equal(state?.registrations[0]?.prefix, h.prefix());
    assert.equal(state?.registrations[0]?.stableLink, h.link);
    assert.equal(h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter, `${h.prefix()}/bin/qemu-aarch64`);
  } finally {
    h.cleanup();
  }
});

test('an emulator that is gone: refresh registers the recorded line as it is, or fails with the fix', async () => {
  const h = harness();
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
    await h.fs.writeFile(`${FAKE_DIR}/status`, '-1');
    h.emu.present = false;
    const r = await refreshBinfmt(h.deps, h.persist.vendorDirs);
    assert.deepEqual(r.kept.map((k) => k.entryName), [ENTRY]);
    assert.equal(h.fs.handlerFor(ARM64), ENTRY);

    await h.fs.writeFile(`${FAKE_DIR}/status`, '-1');
    h.fs.interpreters.clear();
    const r2 = await refreshBinfmt(h.deps, h.persist.vendorDirs);
    assert.equal(r2.failed.length, 1);
    const err = refreshError(r2);
    assert.match(err?.message ?? '', new RegExp(`${ENTRY} \\(aarch64\\)`));
    assert.match(err?.fix ?? '', /fexpod doctor/);
  } finally {
    h.cleanup();
  }
});

test('nothing installed: refresh does nothing', async () => {
  const h = harness();
  try {
    const before = h.fs.snapshot();
    const r = await refreshBinfmt(h.deps, h.persist.vendorDirs);
    assert.deepEqual([r.refreshed.length, r.kept.length, r.failed.length], [0, 0, 0]);
    assert.deepEqual(h.fs.snapshot(), before);
  } finally {
    h.cleanup();
  }
});

test('a conflicting binfmt.d rule that is not registered now is masked too (systemd-binfmt would register it after ours, and it would win)', async () => {
  const h = harness({ registered: false });
  try {
    const r = await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
    assert.deepEqual(r.installed[0]?.disabled, [], 'nothing live to disable');
    assert.deepEqual(r.installed[0]?.masked, [join(h.etc, 'qemu-aarch64.conf')]);
    assert.equal(readlinkSync(join(h.etc, 'qemu-aarch64.conf')), '/dev/null');
    await h.systemdBinfmt();
    assert.equal(h.fs.handlerFor(ARM64), ENTRY);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(readdirSync(h.etc), []);
  } finally {
    h.cleanup();
  }
});
