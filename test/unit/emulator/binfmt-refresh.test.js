"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod binfmt refresh` and the stable link, against the fake kernel: what
 * fexpod-binfmt.service does after systemd-binfmt flushed every entry, after it
 * re-registered fexpod's binfmt.d line (through the stable link), and after an
 * emulator update moved the prefix.
 */
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
const binfmt_node_js_1 = require("../../../src/emulator/binfmt/binfmt-node.js");
const binfmt_persist_js_1 = require("../../../src/emulator/binfmt/binfmt-persist.js");
const binfmt_refresh_js_1 = require("../../../src/emulator/binfmt/binfmt-refresh.js");
const binfmt_state_file_js_1 = require("../../../src/emulator/binfmt/binfmt-state-file.js");
const integration_js_1 = require("../../helpers/integration.js");
const binfmt_fake_js_1 = require("./binfmt-fake.js");
const FIX = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'binfmt');
const Q_AARCH64 = 'debian-qemu-user-static-amd64.qemu-aarch64.conf';
const vendorLine = (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, Q_AARCH64), 'utf8').split('\n').find((l) => l.startsWith(':')) ?? '';
const ARM64 = new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, 'debian-busybox-static-arm64.elf64')));
const ENTRY = 'fexpod-qemu-user-aarch64';
function harness(o = {}) {
    const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-refresh-unit-'));
    const etc = (0, node_path_1.join)(root, 'etc', 'binfmt.d');
    const vendor = (0, node_path_1.join)(root, 'usr', 'lib', 'binfmt.d');
    (0, node_fs_1.mkdirSync)(etc, { recursive: true });
    (0, node_fs_1.mkdirSync)(vendor, { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(vendor, 'qemu-aarch64.conf'), (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, Q_AARCH64)));
    const stateDir = (0, node_path_1.join)(root, 'state');
    const fs = new binfmt_fake_js_1.FakeBinfmtMisc();
    if (o.registered ?? true)
        fs.preload(vendorLine);
    /** The emulator's current build: an update changes the digest (so the prefix). */
    const emu = { digest: 'a'.repeat(64), present: true };
    const prefix = () => (0, node_path_1.join)(stateDir, 'prefix', emu.digest);
    const qemu = () => ({
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
    const log = (0, log_js_1.memoryLogger)();
    const deps = {
        controller: new binfmt_controller_js_1.BinfmtController({ fs, log, dir: binfmt_fake_js_1.FAKE_DIR }),
        persistFs: (0, binfmt_node_js_1.nodePersistFs)(),
        store: (0, binfmt_state_file_js_1.fileStateStore)(stateDir),
        lock: (fn) => fn(),
        emulators: async () => (emu.present ? [qemu()] : []),
        servedGuests: async () => [arch_js_1.Arch.of('aarch64')],
        host: arch_js_1.Arch.of('x86_64'),
        kernelRelease: '6.18.0-1-amd64',
        log,
    };
    const persist = { dir: etc, vendorDirs: [vendor] };
    const link = (0, node_path_1.join)(stateDir, 'prefix', ENTRY);
    /** What systemd-binfmt registers from fexpod's binfmt.d file (it deletes a same-name entry first). */
    const systemdBinfmt = async () => {
        await fs.writeFile(`${binfmt_fake_js_1.FAKE_DIR}/status`, '-1');
        const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(etc, `${ENTRY}.conf`), 'utf8');
        for (const l of (0, binfmt_persist_js_1.parseBinfmtConf)(text))
            if (l.rule) {
                fs.interpreters.add(l.rule.interpreter);
                await fs.writeFile(`${binfmt_fake_js_1.FAKE_DIR}/register`, l.line);
            }
    };
    return { fs, deps, persist, stateDir, etc, emu, prefix, link, systemdBinfmt, cleanup: () => (0, node_fs_1.rmSync)(root, { recursive: true, force: true }) };
}
(0, node_test_1.test)('after a full flush, refresh registers the recorded line again; conflicts masked in binfmt.d stay away', async () => {
    const h = harness();
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
        const recorded = (await h.deps.store.read())?.registrations[0]?.registration;
        await h.fs.writeFile(`${binfmt_fake_js_1.FAKE_DIR}/status`, '-1');
        strict_1.default.equal(h.fs.handlerFor(ARM64), undefined);
        const r = await (0, binfmt_refresh_js_1.refreshBinfmt)(h.deps, h.persist.vendorDirs);
        strict_1.default.deepEqual(r.refreshed.map((g) => [g.entryName, g.outcome]), [[ENTRY, 'registered']]);
        strict_1.default.equal(h.fs.handlerFor(ARM64), ENTRY);
        strict_1.default.equal(h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter, `${h.prefix()}/bin/qemu-aarch64`);
        strict_1.default.ok(recorded?.endsWith(`${h.prefix()}/bin/qemu-aarch64:POF`));
        strict_1.default.equal((0, binfmt_refresh_js_1.refreshError)(r), undefined);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('systemd-binfmt registers the stable-link line; refresh replaces it by the prefix line, and uninstall knows both as ours', async () => {
    const h = harness();
    try {
        const before = h.fs.snapshot();
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
        await h.systemdBinfmt();
        const viaLink = h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter;
        strict_1.default.equal(viaLink, `${h.link}/bin/qemu-aarch64`);
        strict_1.default.equal(h.fs.handlerFor(ARM64), ENTRY, 'the binfmt.d line alone serves host processes');
        // uninstall straight after systemd-binfmt: the stable-link line is ours too.
        const u = await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual(u.removed, [ENTRY]);
        strict_1.default.deepEqual(u.skipped, []);
        // The vendor entry came back by re-registration (systemd-binfmt had flushed it and the mask kept it away).
        strict_1.default.deepEqual(h.fs.snapshot(), before);
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
        await h.systemdBinfmt();
        const r = await (0, binfmt_refresh_js_1.refreshBinfmt)(h.deps, h.persist.vendorDirs);
        strict_1.default.deepEqual(r.refreshed.map((g) => g.outcome), ['replaced']);
        strict_1.default.equal(h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter, `${h.prefix()}/bin/qemu-aarch64`);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('an emulator update moves the prefix: refresh re-points the link and registers the new interpreter', async () => {
    const h = harness();
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
        const fileBefore = (0, node_fs_1.readFileSync)((0, node_path_1.join)(h.etc, `${ENTRY}.conf`), 'utf8');
        const old = h.prefix();
        h.emu.digest = 'b'.repeat(64);
        const r = await (0, binfmt_refresh_js_1.refreshBinfmt)(h.deps, h.persist.vendorDirs);
        strict_1.default.deepEqual(r.refreshed.map((g) => [g.prefix, g.outcome]), [[h.prefix(), 'replaced']]);
        strict_1.default.notEqual(h.prefix(), old);
        strict_1.default.equal((0, node_fs_1.readlinkSync)(h.link), h.prefix());
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(h.etc, `${ENTRY}.conf`), 'utf8'), fileBefore, 'the binfmt.d file does not change: it names the link');
        const state = await h.deps.store.read();
        strict_1.default.equal(state?.registrations[0]?.prefix, h.prefix());
        strict_1.default.equal(state?.registrations[0]?.stableLink, h.link);
        strict_1.default.equal(h.fs.entries.find((e) => e.rule.name === ENTRY)?.rule.interpreter, `${h.prefix()}/bin/qemu-aarch64`);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('an emulator that is gone: refresh registers the recorded line as it is, or fails with the fix', async () => {
    const h = harness();
    try {
        await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
        await h.fs.writeFile(`${binfmt_fake_js_1.FAKE_DIR}/status`, '-1');
        h.emu.present = false;
        const r = await (0, binfmt_refresh_js_1.refreshBinfmt)(h.deps, h.persist.vendorDirs);
        strict_1.default.deepEqual(r.kept.map((k) => k.entryName), [ENTRY]);
        strict_1.default.equal(h.fs.handlerFor(ARM64), ENTRY);
        await h.fs.writeFile(`${binfmt_fake_js_1.FAKE_DIR}/status`, '-1');
        h.fs.interpreters.clear();
        const r2 = await (0, binfmt_refresh_js_1.refreshBinfmt)(h.deps, h.persist.vendorDirs);
        strict_1.default.equal(r2.failed.length, 1);
        const err = (0, binfmt_refresh_js_1.refreshError)(r2);
        strict_1.default.match(err?.message ?? '', new RegExp(`${ENTRY} \\(aarch64\\)`));
        strict_1.default.match(err?.fix ?? '', /fexpod doctor/);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('nothing installed: refresh does nothing', async () => {
    const h = harness();
    try {
        const before = h.fs.snapshot();
        const r = await (0, binfmt_refresh_js_1.refreshBinfmt)(h.deps, h.persist.vendorDirs);
        strict_1.default.deepEqual([r.refreshed.length, r.kept.length, r.failed.length], [0, 0, 0]);
        strict_1.default.deepEqual(h.fs.snapshot(), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('a conflicting binfmt.d rule that is not registered now is masked too (systemd-binfmt would register it after ours, and it would win)', async () => {
    const h = harness({ registered: false });
    try {
        const r = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user', persist: h.persist }, h.deps);
        strict_1.default.deepEqual(r.installed[0]?.disabled, [], 'nothing live to disable');
        strict_1.default.deepEqual(r.installed[0]?.masked, [(0, node_path_1.join)(h.etc, 'qemu-aarch64.conf')]);
        strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(h.etc, 'qemu-aarch64.conf')), '/dev/null');
        await h.systemdBinfmt();
        strict_1.default.equal(h.fs.handlerFor(ARM64), ENTRY);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(h.etc), []);
    }
    finally {
        h.cleanup();
    }
});
