import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arch, type ArchName } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import { BinfmtController } from '../../../src/emulator/binfmt/binfmt-controller.js';
import { type BinfmtEmulator, type BinfmtDeps, installBinfmt } from '../../../src/emulator/binfmt/binfmt-install.js';
import { uninstallBinfmt } from '../../../src/emulator/binfmt/binfmt-uninstall.js';
import { binfmtStatus } from '../../../src/emulator/binfmt/binfmt-status-report.js';
import { nodePersistFs } from '../../../src/emulator/binfmt/binfmt-node.js';
import { fileStateStore } from '../../../src/emulator/binfmt/binfmt-state-file.js';
import { flagsFor, qemuPreservesArgv0 } from '../../../src/emulator/binfmt/binfmt-plan.js';
import { repoRoot } from '../../helpers/integration.js';
import { FAKE_DIR, FakeBinfmtMisc } from './binfmt-fake.js';

const FIX = join(repoRoot(), 'test', 'fixtures', 'binfmt');
const text = (f: string) => readFileSync(join(FIX, f), 'utf8');
const line = (f: string) => text(f).split('\n').find((l) => l.startsWith(':')) ?? '';
const header = (f: string) => new Uint8Array(readFileSync(join(FIX, f)));
const Q_AARCH64 = 'debian-qemu-user-static-amd64.qemu-aarch64.conf';
const Q_ARM = 'debian-qemu-user-static-amd64.qemu-arm.conf';
const ARM64 = header('debian-busybox-static-arm64.elf64');
const ARMHF = header('debian-busybox-static-armhf.elf64');

const QEMU_VERSION = 'qemu-aarch64 version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18+b3)';

function qemuUser(guest: ArchName, prefix = '/var/lib/fexpod/prefix/0123'): BinfmtEmulator {
  const q = Arch.of(guest).qemu;
  return {
    name: 'qemu-user',
    guests: [guest],
    interpreterPath: `/usr/bin/qemu-${q}`,
    static: false,
    version: QEMU_VERSION,
    stage: async () => ({ prefix, interpreter: `${prefix}/bin/qemu-${q}` }),
  };
}
function qemuStatic(guest: ArchName): BinfmtEmulator {
  const q = Arch.of(guest).qemu;
  return { name: 'qemu-user-static', guests: [guest], interpreterPath: `/usr/bin/qemu-${q}-static`, static: true, version: QEMU_VERSION };
}

interface H {
  fs: FakeBinfmtMisc;
  deps: BinfmtDeps;
  root: string;
  etc: string;
  vendor: string;
  persist: { dir: string; vendorDirs: string[] };
  stateDir: string;
  cleanup(): void;
}

function harness(o: { host: ArchName; preload?: { line: string; enabled?: boolean }[]; emulators: BinfmtEmulator[]; vendorFiles?: Record<string, string>; etcFiles?: Record<string, string> }): H {
  const root = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-unit-'));
  const etc = join(root, 'etc', 'binfmt.d');
  const vendor = join(root, 'usr', 'lib', 'binfmt.d');
  mkdirSync(etc, { recursive: true });
  mkdirSync(vendor, { recursive: true });
  for (const [n, t] of Object.entries(o.vendorFiles ?? {})) writeFileSync(join(vendor, n), t);
  for (const [n, t] of Object.entries(o.etcFiles ?? {})) writeFileSync(join(etc, n), t);
  const fs = new FakeBinfmtMisc();
  for (const p of o.preload ?? []) fs.preload(p.line, p.enabled ?? true);
  for (const e of o.emulators) {
    fs.interpreters.add(e.interpreterPath);
    for (const q of ['aarch64', 'arm', 'x86_64', 'i386']) fs.interpreters.add(`/var/lib/fexpod/prefix/0123/bin/qemu-${q}`);
    fs.interpreters.add('/var/lib/fexpod/prefix/fex/bin/FEX');
  }
  const stateDir = join(root, 'state');
  const log = memoryLogger();
  const deps: BinfmtDeps = {
    controller: new BinfmtController({ fs, log, dir: FAKE_DIR }),
    persistFs: nodePersistFs(),
    store: fileStateStore(stateDir),
    lock: (fn) => fn(),
    emulators: async (g) => o.emulators.filter((e) => e.guests.includes(g.name)),
    servedGuests: async () => [...new Set(o.emulators.flatMap((e) => e.guests))].map((g) => Arch.of(g)),
    host: Arch.of(o.host),
    kernelRelease: '6.18.0-1-amd64',
    log,
  };
  return { fs, deps, root, etc, vendor, persist: { dir: etc, vendorDirs: [vendor] }, stateDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const listDir = (d: string) => readdirSync(d).sort();

test('stock Debian host: install --guest aarch64 qemu-user disables qemu-aarch64, uninstall restores every entry exactly', async () => {
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }, { line: line(Q_ARM) }], emulators: [qemuUser('aarch64')] });
  try {
    const before = h.fs.snapshot();
    const r = await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user' }, h.deps);
    assert.equal(r.installed.length, 1);
    const g = r.installed[0];
    assert.equal(g?.entryName, 'fexpod-qemu-user-aarch64');
    assert.equal(g?.flags, 'POF');
    assert.equal(g?.prefix, '/var/lib/fexpod/prefix/0123');
    assert.deepEqual(g?.disabled, ['qemu-aarch64']);
    assert.equal(h.fs.handlerFor(ARM64), 'fexpod-qemu-user-aarch64');
    assert.equal(h.fs.handlerFor(ARMHF), 'qemu-arm', 'other guests untouched');
    const state = await h.deps.store.read();
    assert.equal(state?.registrations[0]?.prefix, '/var/lib/fexpod/prefix/0123');
    assert.deepEqual(state?.disabled.map((d) => [d.entryName, d.wasEnabled, d.guest]), [['qemu-aarch64', true, 'aarch64']]);
    const st = await binfmtStatus(h.deps);
    assert.deepEqual(
      st.entries.map((e) => [e.name, e.enabled, e.role, e.arches.join()]),
      [
        ['fexpod-qemu-user-aarch64', true, 'fexpod', 'aarch64'],
        ['qemu-aarch64', false, 'conflict-disabled-by-fexpod', 'aarch64'],
        ['qemu-arm', true, 'other', 'arm'],
      ],
    );
    const u = await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(u.removed, ['fexpod-qemu-user-aarch64']);
    assert.deepEqual(h.fs.snapshot(), before);
    assert.equal(u.stateRemoved, true);
    assert.equal(await h.deps.store.read(), undefined);
  } finally {
    h.cleanup();
  }
});

test('install is idempotent and keeps the original wasEnabled', async () => {
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')] });
  try {
    const before = h.fs.snapshot();
    await installBinfmt({ guests: [Arch.of('aarch64')] }, h.deps);
    const again = await installBinfmt({ guests: [Arch.of('aarch64')] }, h.deps);
    assert.equal(again.installed[0]?.outcome, 'unchanged');
    assert.deepEqual((await h.deps.store.read())?.disabled.map((d) => d.wasEnabled), [true]);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(h.fs.snapshot(), before);
  } finally {
    h.cleanup();
  }
});

test('a conflict that vanished meanwhile (systemd-binfmt flush) is re-registered on uninstall', async () => {
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')] });
  try {
    const before = h.fs.snapshot();
    await installBinfmt({ guests: [Arch.of('aarch64')] }, h.deps);
    await h.fs.writeFile(`${FAKE_DIR}/status`, '-1');
    const st = await binfmtStatus(h.deps);
    assert.deepEqual(st.missing, [{ entryName: 'fexpod-qemu-user-aarch64', guest: 'aarch64' }]);
    const u = await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(u.restored, [{ entryName: 'qemu-aarch64', enabled: true, how: 're-registered' }]);
    assert.deepEqual(h.fs.snapshot(), before);
  } finally {
    h.cleanup();
  }
});

test('an already disabled conflict stays disabled', async () => {
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64), enabled: false }], emulators: [qemuUser('aarch64')] });
  try {
    const before = h.fs.snapshot();
    await installBinfmt({ guests: [Arch.of('aarch64')] }, h.deps);
    assert.deepEqual((await h.deps.store.read())?.disabled.map((d) => d.wasEnabled), [false]);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(h.fs.snapshot(), before);
  } finally {
    h.cleanup();
  }
});

test('an entry that also catches other arches is left alone', async () => {
  const all = ':elf-any:M::\\x7fELF::/usr/bin/elf-any:';
  const h = harness({ host: 'x86_64', preload: [{ line: all }], emulators: [qemuUser('aarch64')] });
  try {
    const r = await installBinfmt({ guests: [Arch.of('aarch64')] }, h.deps);
    assert.deepEqual(r.installed[0]?.leftAlone, ['elf-any']);
    assert.equal((await h.deps.controller.get('elf-any'))?.enabled, true);
    assert.equal(h.fs.handlerFor(ARM64), 'fexpod-qemu-user-aarch64');
    await uninstallBinfmt(undefined, h.deps);
  } finally {
    h.cleanup();
  }
});

test('--persist writes the rule file and masks the vendor file; uninstall --guest undoes one guest only', async () => {
  const h = harness({
    host: 'x86_64',
    preload: [{ line: line(Q_AARCH64) }, { line: line(Q_ARM) }],
    emulators: [qemuUser('aarch64'), qemuUser('arm')],
    vendorFiles: { 'qemu-aarch64.conf': text(Q_AARCH64), 'qemu-arm.conf': text(Q_ARM), 'python3.11.conf': ':python3.11:M::\\xa7\\x0d\\x0d\\x0a::/usr/bin/python3.11:\n' },
  });
  try {
    const before = h.fs.snapshot();
    const r = await installBinfmt({ persist: h.persist }, h.deps);
    assert.deepEqual(r.installed.map((g) => g.guest), ['aarch64', 'arm'], 'default guests: what the emulators serve');
    assert.deepEqual(listDir(h.etc), ['fexpod-qemu-user-aarch64.conf', 'fexpod-qemu-user-arm.conf', 'qemu-aarch64.conf', 'qemu-arm.conf']);
    assert.equal(readlinkSync(join(h.etc, 'qemu-aarch64.conf')), '/dev/null');
    const ruleFile = readFileSync(join(h.etc, 'fexpod-qemu-user-aarch64.conf'), 'utf8');
    assert.match(ruleFile, /^# Generated by fexpod/);
    assert.ok(ruleFile.includes(':fexpod-qemu-user-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02'));
    // The binfmt.d file names the staged emulator through the stable link, which points at the prefix.
    const link = join(h.stateDir, 'prefix', 'fexpod-qemu-user-aarch64');
    assert.ok(ruleFile.endsWith(`:${link}/bin/qemu-aarch64:POF\n`), ruleFile);
    assert.equal(readlinkSync(link), '/var/lib/fexpod/prefix/0123');
    await uninstallBinfmt([Arch.of('aarch64')], h.deps);
    assert.deepEqual(listDir(h.etc), ['fexpod-qemu-user-arm.conf', 'qemu-arm.conf']);
    assert.deepEqual(listDir(join(h.stateDir, 'prefix')), ['fexpod-qemu-user-arm'], 'the uninstalled guest\'s link is gone');
    assert.equal((await h.deps.controller.get('qemu-aarch64'))?.enabled, true);
    assert.equal((await h.deps.controller.get('qemu-arm'))?.enabled, false);
    const left = await h.deps.store.read();
    assert.deepEqual(left?.registrations.map((x) => x.guest), ['arm']);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(listDir(h.etc), []);
    assert.deepEqual(h.fs.snapshot(), before);
    assert.equal(existsSync(join(h.stateDir, 'binfmt-state.json')), false);
  } finally {
    h.cleanup();
  }
});

test('a vendor file with several rules is overridden by a copy without the conflicting line', async () => {
  const both = `# both\n${line(Q_AARCH64)}\n${line(Q_ARM)}\n`;
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }, { line: line(Q_ARM) }], emulators: [qemuUser('aarch64'), qemuUser('arm')], vendorFiles: { 'qemu.conf': both } });
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')], persist: h.persist }, h.deps);
    const copy = readFileSync(join(h.etc, 'qemu.conf'), 'utf8');
    assert.ok(copy.includes(line(Q_ARM)) && !copy.includes(line(Q_AARCH64)), copy);
    await installBinfmt({ guests: [Arch.of('arm')], persist: h.persist }, h.deps);
    assert.equal(readlinkSync(join(h.etc, 'qemu.conf')), '/dev/null');
    await uninstallBinfmt([Arch.of('arm')], h.deps);
    const again = readFileSync(join(h.etc, 'qemu.conf'), 'utf8');
    assert.ok(again.includes(line(Q_ARM)) && !again.includes(line(Q_AARCH64)), again);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(listDir(h.etc), []);
  } finally {
    h.cleanup();
  }
});

test("an administrator's /etc/binfmt.d file is moved aside and put back", async () => {
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')], etcFiles: { 'qemu-aarch64.conf': text(Q_AARCH64) } });
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')], persist: h.persist }, h.deps);
    assert.deepEqual(listDir(h.etc), ['fexpod-qemu-user-aarch64.conf', 'qemu-aarch64.conf', 'qemu-aarch64.conf.fexpod-saved']);
    assert.equal(readlinkSync(join(h.etc, 'qemu-aarch64.conf')), '/dev/null');
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(listDir(h.etc), ['qemu-aarch64.conf']);
    assert.equal(readFileSync(join(h.etc, 'qemu-aarch64.conf'), 'utf8'), text(Q_AARCH64));
  } finally {
    h.cleanup();
  }
});

test('FEX on an aarch64 host (stand-in paths): replaces FEX-x86_64 of the FEX package, disables box64 and qemu-x86_64, restores all', async () => {
  const fex: BinfmtEmulator = {
    name: 'fex',
    guests: ['x86_64', 'i386'],
    interpreterPath: '/usr/bin/FEX',
    static: false,
    stage: async () => ({ prefix: '/var/lib/fexpod/prefix/fex', interpreter: '/var/lib/fexpod/prefix/fex/bin/FEX' }),
  };
  const h = harness({
    host: 'aarch64',
    preload: [
      { line: line('debian-qemu-user-binfmt-arm64.qemu-x86_64.conf') },
      { line: line('debian-qemu-user-binfmt-arm64.qemu-i386.conf') },
      { line: line('standin-box64.box64.conf') },
      { line: line('fex.FEX-x86_64.conf') },
    ],
    emulators: [fex],
  });
  try {
    const before = h.fs.snapshot();
    const r = await installBinfmt({}, h.deps);
    assert.deepEqual(r.installed.map((g) => [g.entryName, g.flags, g.outcome]), [['FEX-x86_64', 'POCF', 'replaced'], ['FEX-x86', 'POCF', 'registered']]);
    assert.deepEqual(r.installed[0]?.disabled, ['qemu-x86_64', 'x86_64']);
    assert.deepEqual(r.installed[1]?.disabled, ['qemu-i386']);
    assert.equal(h.fs.handlerFor(header('host-busybox.x86_64.elf64')), 'FEX-x86_64');
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(h.fs.snapshot(), before);
  } finally {
    h.cleanup();
  }
});

test('switching emulator removes the previous fexpod entry', async () => {
  const h = harness({ host: 'x86_64', emulators: [qemuUser('aarch64'), qemuStatic('aarch64')] });
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user' }, h.deps);
    const r = await installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'qemu-user-static' }, h.deps);
    assert.equal(r.installed[0]?.interpreter, '/usr/bin/qemu-aarch64-static');
    assert.deepEqual(h.fs.entries.map((e) => e.rule.name), ['fexpod-qemu-user-static-aarch64']);
    assert.deepEqual((await h.deps.store.read())?.registrations.map((x) => x.entryName), ['fexpod-qemu-user-static-aarch64']);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(h.fs.entries, []);
  } finally {
    h.cleanup();
  }
});

test('errors teach: native guest, unknown emulator, nothing installed', async () => {
  const h = harness({ host: 'x86_64', emulators: [qemuUser('aarch64')] });
  try {
    await assert.rejects(installBinfmt({ guests: [Arch.of('i386')] }, h.deps), /runs natively/);
    await assert.rejects(installBinfmt({ guests: [Arch.of('aarch64')], emulator: 'box64' }, h.deps), /no box64 found for aarch64/);
    const u = await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(u.removed, []);
  } finally {
    h.cleanup();
  }
});

const FLAGS: { name: string; emulator: string; kernel: string; version?: string; flags: string }[] = [
  { name: 'FEX upstream flags', emulator: 'fex', kernel: '6.18.0', flags: 'POCF' },
  { name: 'QEMU 7.2 on 6.18 reads AT_FLAGS', emulator: 'qemu-user', kernel: '6.18.0-1-amd64', version: QEMU_VERSION, flags: 'POF' },
  { name: 'QEMU 5.2 cannot take P', emulator: 'qemu-user', kernel: '6.18.0', version: 'qemu-aarch64 version 5.2.0', flags: 'OF' },
  { name: 'kernel 5.10 passes no AT_FLAGS', emulator: 'qemu-user-static', kernel: '5.10.0-28-amd64', version: QEMU_VERSION, flags: 'OF' },
  { name: 'unknown QEMU version: no P', emulator: 'qemu-user', kernel: '6.18.0', flags: 'OF' },
  { name: 'box64', emulator: 'box64', kernel: '6.18.0', flags: 'F' },
];
for (const c of FLAGS) {
  test(`flags: ${c.name}`, () => {
    assert.equal(flagsFor(c.emulator, { kernelRelease: c.kernel, ...(c.version ? { emulatorVersion: c.version } : {}) }), c.flags);
  });
}
test('qemuPreservesArgv0 needs both versions', () => assert.equal(qemuPreservesArgv0({ kernelRelease: '6.1' }), false));

test("--persist with FEX masks the FEX package's own FEX-x86_64.conf, never fexpod's rule file", async () => {
  const fex: BinfmtEmulator = {
    name: 'fex',
    guests: ['x86_64'],
    interpreterPath: '/usr/bin/FEX',
    static: false,
    stage: async () => ({ prefix: '/var/lib/fexpod/prefix/fex', interpreter: '/var/lib/fexpod/prefix/fex/bin/FEX' }),
  };
  const h = harness({
    host: 'aarch64',
    preload: [{ line: line('fex.FEX-x86_64.conf') }],
    emulators: [fex],
    vendorFiles: { 'FEX-x86_64.conf': text('fex.FEX-x86_64.conf') },
  });
  try {
    const before = h.fs.snapshot();
    await installBinfmt({ persist: h.persist }, h.deps);
    assert.deepEqual(listDir(h.etc), ['FEX-x86_64.conf', 'fexpod-FEX-x86_64.conf']);
    assert.equal(readlinkSync(join(h.etc, 'FEX-x86_64.conf')), '/dev/null');
    // Installing again finds fexpod's own file but still knows the vendor mask.
    await installBinfmt({ persist: h.persist }, h.deps);
    assert.deepEqual(listDir(h.etc), ['FEX-x86_64.conf', 'fexpod-FEX-x86_64.conf']);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(listDir(h.etc), []);
    assert.deepEqual(h.fs.snapshot(), before);
  } finally {
    h.cleanup();
  }
});

test('install without --persist, then with --persist, still masks the conflicts disabled the first time', async () => {
  const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')], vendorFiles: { 'qemu-aarch64.conf': text(Q_AARCH64) } });
  try {
    await installBinfmt({ guests: [Arch.of('aarch64')] }, h.deps);
    assert.deepEqual(listDir(h.etc), []);
    await installBinfmt({ guests: [Arch.of('aarch64')], persist: h.persist }, h.deps);
    assert.deepEqual(listDir(h.etc), ['fexpod-qemu-user-aarch64.conf', 'qemu-aarch64.conf']);
    await uninstallBinfmt(undefined, h.deps);
    assert.deepEqual(listDir(h.etc), []);
  } finally {
    h.cleanup();
  }
});
