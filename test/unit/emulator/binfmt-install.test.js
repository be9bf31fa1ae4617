"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const binfmt_controller_js_1 = require("../../../src/emulator/binfmt/binfmt-controller.js");
const binfmt_install_js_1 = require("../../../src/emulator/binfmt/binfmt-install.js");
const binfmt_uninstall_js_1 = require("../../../src/emulator/binfmt/binfmt-uninstall.js");
const binfmt_status_report_js_1 = require("../../../src/emulator/binfmt/binfmt-status-report.js");
const binfmt_node_js_1 = require("../../../src/emulator/binfmt/binfmt-node.js");
const binfmt_state_file_js_1 = require("../../../src/emulator/binfmt/binfmt-state-file.js");
const binfmt_plan_js_1 = require("../../../src/emulator/binfmt/binfmt-plan.js");
const integration_js_1 = require("../../helpers/integration.js");
const binfmt_fake_js_1 = require("./binfmt-fake.js");
const FIX = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'binfmt');
const text = (f) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, f), 'utf8');
const line = (f) => text(f).split('\n').find((l) => l.startsWith(':')) ?? '';
const header = (f) => new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, f)));
const Q_AARCH64 = 'debian-qemu-user-static-amd64.qemu-aarch64.conf';
const Q_ARM = 'debian-qemu-user-static-amd64.qemu-arm.conf';
const ARM64 = header('debian-busybox-static-arm64.elf64');
const ARMHF = header('debian-busybox-static-armhf.elf64');
const QEMU_VERSION = 'qemu-aarch64 version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u18+b3)';
function qemuUser(guest, prefix = '/var/lib/fexpod/prefix/0123') {
    const q = arch_js_1.Arch.of(guest).qemu;
    return {
        name: 'qemu-user',
        guests: [guest],
        interpreterPath: `/usr/bin/qemu-${q}`,
        static: false,
        version: QEMU_VERSION,
        stage: async () => ({ prefix, interpreter: `${prefix}/bin/qemu-${q}` }),
    };
}
function qemuStatic(guest) {
    const q = arch_js_1.Arch.of(guest).qemu;
    return { name: 'qemu-user-static', guests: [guest], interpreterPath: `/usr/bin/qemu-${q}-static`, static: true, version: QEMU_VERSION };
}
function harness(o) {
    const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-unit-'));
    const etc = (0, node_path_1.join)(root, 'etc', 'binfmt.d');
    const vendor = (0, node_path_1.join)(root, 'usr', 'lib', 'binfmt.d');
    (0, node_fs_1.mkdirSync)(etc, { recursive: true });
    (0, node_fs_1.mkdirSync)(vendor, { recursive: true });
    for (const [n, t] of Object.entries(o.vendorFiles ?? {}))
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(vendor, n), t);
    for (const [n, t] of Object.entries(o.etcFiles ?? {}))
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(etc, n), t);
    const fs = new binfmt_fake_js_1.FakeBinfmtMisc();
    for (const p of o.preload ?? [])
        fs.preload(p.line, p.enabled ?? true);
    for (const e of o.emulators) {
        fs.interpreters.add(e.interpreterPath);
        for (const q of ['aarch64', 'arm', 'x86_64', 'i386'])
            fs.interpreters.add(`/var/lib/fexpod/prefix/0123/bin/qemu-${q}`);
        fs.interpreters.add('/var/lib/fexpod/prefix/fex/bin/FEX');
    }
    const stateDir = (0, node_path_1.join)(root, 'state');
    const log = (0, log_js_1.memoryLogger)();
    const deps = {
        controller: new binfmt_controller_js_1.BinfmtController({ fs, log, dir: binfmt_fake_js_1.FAKE_DIR }),
        persistFs: (0, binfmt_node_js_1.nodePersistFs)(),
        store: (0, binfmt_state_file_js_1.fileStateStore)(stateDir),
        lock: (fn) => fn(),
        emulators: async (g) => o.emulators.filter((e) => e.guests.includes(g.name)),
        servedGuests: async () => [...new Set(o.emulators.flatMap((e) => e.guests))].map((g) => arch_js_1.Arch.of(g)),
        host: arch_js_1.Arch.of(o.host),
        kernelRelease: '6.18.0-1-amd64',
        log,
    };
    return { fs, deps, root, etc, vendor, persist: { dir: etc, vendorDirs: [vendor] }, stateDir, cleanup: () => (0, node_fs_1.rmSync)(root, { recursive: true, force: true }) };
}
const listDir = (d) => (0, node_fs_1.readdirSync)(d).sort();
(0, node_test_1.test)('stock Debian host: install --guest aarch64 qemu-user disables qemu-aarch64, uninstall restores every entry exactly', async () => {
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }, { line: line(Q_ARM) }], emulators: [qemuUser('aarch64')] });
    try {
        const before = h.fs.snapshot();
        const r = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user' }, h.deps);
        strict_1.default.equal(r.installed.length, 1);
        const g = r.installed[0];
        strict_1.default.equal(g?.entryName, 'fexpod-qemu-user-aarch64');
        strict_1.default.equal(g?.flags, 'POF');
        strict_1.default.equal(g?.prefix, '/var/lib/fexpod/prefix/0123');
        strict_1.default.deepEqual(g?.disabled, ['qemu-aarch64']);
        strict_1.default.equal(h.fs.handlerFor(ARM64), 'fexpod-qemu-user-aarch64');
        strict_1.default.equal(h.fs.handlerFor(ARMHF), 'qemu-arm', 'other guests untouched');
        const state = await h.deps.store.read();
        strict_1.default.equal(state?.registrations[0]?.prefix, '/var/lib/fexpod/prefix/0123');
        strict_1.default.deepEqual(state?.disabled.map((d) => [d.entryName, d.wasEnabled, d.guest]), [['qemu-aarch64', true, 'aarch64']]);
        const st = await (0, binfmt_status_report_js_1.binfmtStatus)(h.deps);
        strict_1.default.deepEqual(st.entries.map((e) => [e.name, e.enabled, e.role, e.arches.join()]), [
            ['fexpod-qemu-user-aarch64', true, 'fexpod', 'aarch64'],
            ['qemu-aarch64', false, 'conflict-disabled-by-fexpod', 'aarch64'],
            ['qemu-arm', true, 'other', 'arm'],
        ]);
        const u = await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(u.removed, ['fexpod-qemu-user-aarch64']);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
        strict_1.default.equal(u.stateRemoved, true);
        strict_1.default.equal(await h.deps.store.read(), undefined);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('install is idempotent and keeps the original wasEnabled', async () => {
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')] });
    try {
        const before = h.fs.snapshot();
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, h.deps);
        const again = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, h.deps);
        strict_1.default.equal(again.installed[0]?.outcome, 'unchanged');
        strict_1.default.deepEqual((await h.deps.store.read())?.disabled.map((d) => d.wasEnabled), [true]);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('a conflict that vanished meanwhile (systemd-binfmt flush) is re-registered on uninstall', async () => {
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')] });
    try {
        const before = h.fs.snapshot();
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, h.deps);
        await h.fs.writeFile(`${binfmt_fake_js_1.FAKE_DIR}/status`, '-1');
        const st = await (0, binfmt_status_report_js_1.binfmtStatus)(h.deps);
        strict_1.default.deepEqual(st.missing, [{ entryName: 'fexpod-qemu-user-aarch64', guest: 'aarch64' }]);
        const u = await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(u.restored, [{ entryName: 'qemu-aarch64', enabled: true, how: 're-registered' }]);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('an already disabled conflict stays disabled', async () => {
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64), enabled: false }], emulators: [qemuUser('aarch64')] });
    try {
        const before = h.fs.snapshot();
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, h.deps);
        strict_1.default.deepEqual((await h.deps.store.read())?.disabled.map((d) => d.wasEnabled), [false]);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('an entry that also catches other arches is left alone', async () => {
    const all = ':elf-any:M::\\x7fELF::/usr/bin/elf-any:';
    const h = harness({ host: 'x86_64', preload: [{ line: all }], emulators: [qemuUser('aarch64')] });
    try {
        const r = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, h.deps);
        strict_1.default.deepEqual(r.installed[0]?.leftAlone, ['elf-any']);
        strict_1.default.equal((await h.deps.controller.get('elf-any'))?.enabled, true);
        strict_1.default.equal(h.fs.handlerFor(ARM64), 'fexpod-qemu-user-aarch64');
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('--persist writes the rule file and masks the vendor file; uninstall --guest undoes one guest only', async () => {
    const h = harness({
        host: 'x86_64',
        preload: [{ line: line(Q_AARCH64) }, { line: line(Q_ARM) }],
        emulators: [qemuUser('aarch64'), qemuUser('arm')],
        vendorFiles: { 'qemu-aarch64.conf': text(Q_AARCH64), 'qemu-arm.conf': text(Q_ARM), 'python3.11.conf': ':python3.11:M::\\xa7\\x0d\\x0d\\x0a::/usr/bin/python3.11:\n' },
    });
    try {
        const before = h.fs.snapshot();
        const r = await (0, binfmt_install_js_1.installBinfmt)({ persist: h.persist }, h.deps);
        strict_1.default.deepEqual(r.installed.map((g) => g.guest), ['aarch64', 'arm'], 'default guests: what the emulators serve');
        strict_1.default.deepEqual(listDir(h.etc), ['fexpod-qemu-user-aarch64.conf', 'fexpod-qemu-user-arm.conf', 'qemu-aarch64.conf', 'qemu-arm.conf']);
        strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(h.etc, 'qemu-aarch64.conf')), '/dev/null');
        const ruleFile = (0, node_fs_1.readFileSync)((0, node_path_1.join)(h.etc, 'fexpod-qemu-user-aarch64.conf'), 'utf8');
        strict_1.default.match(ruleFile, /^# Generated by fexpod/);
        strict_1.default.ok(ruleFile.includes(':fexpod-qemu-user-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02'));
        // The binfmt.d file names the staged emulator through the stable link, which points at the prefix.
        const link = (0, node_path_1.join)(h.stateDir, 'prefix', 'fexpod-qemu-user-aarch64');
        strict_1.default.ok(ruleFile.endsWith(`:${link}/bin/qemu-aarch64:POF\n`), ruleFile);
        strict_1.default.equal((0, node_fs_1.readlinkSync)(link), '/var/lib/fexpod/prefix/0123');
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)([arch_js_1.Arch.of('aarch64')], h.deps);
        strict_1.default.deepEqual(listDir(h.etc), ['fexpod-qemu-user-arm.conf', 'qemu-arm.conf']);
        strict_1.default.deepEqual(listDir((0, node_path_1.join)(h.stateDir, 'prefix')), ['fexpod-qemu-user-arm'], 'the uninstalled guest\'s link is gone');
        strict_1.default.equal((await h.deps.controller.get('qemu-aarch64'))?.enabled, true);
        strict_1.default.equal((await h.deps.controller.get('qemu-arm'))?.enabled, false);
        const left = await h.deps.store.read();
        strict_1.default.deepEqual(left?.registrations.map((x) => x.guest), ['arm']);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), []);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
        strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(h.stateDir, 'binfmt-state.json')), false);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('a vendor file with several rules is overridden by a copy without the conflicting line', async () => {
    const both = `# both\n${line(Q_AARCH64)}\n${line(Q_ARM)}\n`;
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }, { line: line(Q_ARM) }], emulators: [qemuUser('aarch64'), qemuUser('arm')], vendorFiles: { 'qemu.conf': both } });
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], persist: h.persist }, h.deps);
        const copy = (0, node_fs_1.readFileSync)((0, node_path_1.join)(h.etc, 'qemu.conf'), 'utf8');
        strict_1.default.ok(copy.includes(line(Q_ARM)) && !copy.includes(line(Q_AARCH64)), copy);
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('arm')], persist: h.persist }, h.deps);
        strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(h.etc, 'qemu.conf')), '/dev/null');
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)([arch_js_1.Arch.of('arm')], h.deps);
        const again = (0, node_fs_1.readFileSync)((0, node_path_1.join)(h.etc, 'qemu.conf'), 'utf8');
        strict_1.default.ok(again.includes(line(Q_ARM)) && !again.includes(line(Q_AARCH64)), again);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), []);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)("an administrator's /etc/binfmt.d file is moved aside and put back", async () => {
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')], etcFiles: { 'qemu-aarch64.conf': text(Q_AARCH64) } });
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], persist: h.persist }, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), ['fexpod-qemu-user-aarch64.conf', 'qemu-aarch64.conf', 'qemu-aarch64.conf.fexpod-saved']);
        strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(h.etc, 'qemu-aarch64.conf')), '/dev/null');
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), ['qemu-aarch64.conf']);
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(h.etc, 'qemu-aarch64.conf'), 'utf8'), text(Q_AARCH64));
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('FEX on an aarch64 host (stand-in paths): replaces FEX-x86_64 of the FEX package, disables box64 and qemu-x86_64, restores all', async () => {
    const fex = {
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
        const r = await (0, binfmt_install_js_1.installBinfmt)({}, h.deps);
        strict_1.default.deepEqual(r.installed.map((g) => [g.entryName, g.flags, g.outcome]), [['FEX-x86_64', 'POCF', 'replaced'], ['FEX-x86', 'POCF', 'registered']]);
        strict_1.default.deepEqual(r.installed[0]?.disabled, ['qemu-x86_64', 'x86_64']);
        strict_1.default.deepEqual(r.installed[1]?.disabled, ['qemu-i386']);
        strict_1.default.equal(h.fs.handlerFor(header('host-busybox.x86_64.elf64')), 'FEX-x86_64');
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('switching emulator removes the previous fexpod entry', async () => {
    const h = harness({ host: 'x86_64', emulators: [qemuUser('aarch64'), qemuStatic('aarch64')] });
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user' }, h.deps);
        const r = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user-static' }, h.deps);
        strict_1.default.equal(r.installed[0]?.interpreter, '/usr/bin/qemu-aarch64-static');
        strict_1.default.deepEqual(h.fs.entries.map((e) => e.rule.name), ['fexpod-qemu-user-static-aarch64']);
        strict_1.default.deepEqual((await h.deps.store.read())?.registrations.map((x) => x.entryName), ['fexpod-qemu-user-static-aarch64']);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(h.fs.entries, []);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('errors teach: native guest, unknown emulator, nothing installed', async () => {
    const h = harness({ host: 'x86_64', emulators: [qemuUser('aarch64')] });
    try {
        await strict_1.default.rejects((0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('i386')] }, h.deps), /runs natively/);
        await strict_1.default.rejects((0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'box64' }, h.deps), /no box64 found for aarch64/);
        const u = await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(u.removed, []);
    }
    finally {
        h.cleanup();
    }
});
const FLAGS = [
    { name: 'FEX upstream flags', emulator: 'fex', kernel: '6.18.0', flags: 'POCF' },
    { name: 'QEMU 7.2 on 6.18 reads AT_FLAGS', emulator: 'qemu-user', kernel: '6.18.0-1-amd64', version: QEMU_VERSION, flags: 'POF' },
    { name: 'QEMU 5.2 cannot take P', emulator: 'qemu-user', kernel: '6.18.0', version: 'qemu-aarch64 version 5.2.0', flags: 'OF' },
    { name: 'kernel 5.10 passes no AT_FLAGS', emulator: 'qemu-user-static', kernel: '5.10.0-28-amd64', version: QEMU_VERSION, flags: 'OF' },
    { name: 'unknown QEMU version: no P', emulator: 'qemu-user', kernel: '6.18.0', flags: 'OF' },
    { name: 'box64', emulator: 'box64', kernel: '6.18.0', flags: 'F' },
];
for (const c of FLAGS) {
    (0, node_test_1.test)(`flags: ${c.name}`, () => {
        strict_1.default.equal((0, binfmt_plan_js_1.flagsFor)(c.emulator, { kernelRelease: c.kernel, ...(c.version ? { emulatorVersion: c.version } : {}) }), c.flags);
    });
}
(0, node_test_1.test)('qemuPreservesArgv0 needs both versions', () => strict_1.default.equal((0, binfmt_plan_js_1.qemuPreservesArgv0)({ kernelRelease: '6.1' }), false));
(0, node_test_1.test)("--persist with FEX masks the FEX package's own FEX-x86_64.conf, never fexpod's rule file", async () => {
    const fex = {
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
        await (0, binfmt_install_js_1.installBinfmt)({ persist: h.persist }, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), ['FEX-x86_64.conf', 'fexpod-FEX-x86_64.conf']);
        strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(h.etc, 'FEX-x86_64.conf')), '/dev/null');
        // Installing again finds fexpod's own file but still knows the vendor mask.
        await (0, binfmt_install_js_1.installBinfmt)({ persist: h.persist }, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), ['FEX-x86_64.conf', 'fexpod-FEX-x86_64.conf']);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), []);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('install without --persist, then with --persist, still masks the conflicts disabled the first time', async () => {
    const h = harness({ host: 'x86_64', preload: [{ line: line(Q_AARCH64) }], emulators: [qemuUser('aarch64')], vendorFiles: { 'qemu-aarch64.conf': text(Q_AARCH64) } });
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), []);
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], persist: h.persist }, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), ['fexpod-qemu-user-aarch64.conf', 'qemu-aarch64.conf']);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(listDir(h.etc), []);
    }
    finally {
        h.cleanup();
    }
});
