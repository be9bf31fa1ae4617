"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod binfmt install|uninstall|status --user` flows in a temporary state
 * directory: registration lines recorded (never written to binfmt_misc),
 * dynamic emulators staged, static ones used in place, prefixes of earlier
 * installs cleaned up, and Podman's namespace asked through `podman unshare`
 * (a stand-in runner here; the integration test drives the real podman).
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const promises_1 = require("node:fs/promises");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
const binfmt_state_file_js_1 = require("../../../src/emulator/binfmt/binfmt-state-file.js");
const binfmt_user_js_1 = require("../../../src/emulator/rootless/binfmt-user.js");
function harness(stateDir, emulators, podman) {
    return {
        stateDir,
        store: (0, binfmt_state_file_js_1.fileStateStore)(stateDir),
        lock: (fn) => fn(),
        emulators: async (g) => emulators.filter((e) => e.guests.includes(g.name)),
        servedGuests: async () => [...new Set(emulators.flatMap((e) => e.guests))].map((g) => arch_js_1.Arch.of(g)),
        host: arch_js_1.Arch.of('x86_64'),
        kernelRelease: '6.18.44',
        log: (0, log_js_1.memoryLogger)(),
        podman,
        removeTree: (p) => (0, promises_1.rm)(p, { recursive: true, force: true }),
        removeFile: (p) => (0, promises_1.rm)(p, { force: true }),
        listDir: async (p) => (0, promises_1.readdir)(p).catch(() => []),
    };
}
function qemuUser(stateDir, guest, digest) {
    const q = arch_js_1.Arch.of(guest).qemu;
    return {
        name: 'qemu-user',
        guests: [guest],
        interpreterPath: `/usr/bin/qemu-${q}`,
        static: false,
        version: 'qemu-aarch64 version 7.2.13 (Debian 1:7.2+dfsg-7+deb12u7)',
        stage: async () => {
            const prefix = (0, node_path_1.join)(stateDir, 'prefix', digest);
            (0, node_fs_1.mkdirSync)((0, node_path_1.join)(prefix, 'bin'), { recursive: true });
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(prefix, 'fexpod-prefix.json'), '{}');
            return { prefix, interpreter: `${prefix}/bin/qemu-${q}` };
        },
    };
}
const qemuStatic = (guest) => ({ name: 'qemu-user-static', guests: [guest], interpreterPath: `/usr/bin/qemu-${arch_js_1.Arch.of(guest).qemu}-static`, static: true, version: 'qemu-aarch64 version 7.2.13' });
(0, node_test_1.test)('install --user records F-flag lines for a staged dynamic and a static emulator; nothing else', async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-user-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const h = harness(dir, [qemuUser(dir, 'aarch64', 'a'.repeat(64)), qemuStatic('arm')]);
    const r = await (0, binfmt_user_js_1.installUserBinfmt)({}, h);
    strict_1.default.deepEqual(r.installed.map((g) => [g.guest, g.emulator, g.flags]), [['aarch64', 'qemu-user', 'POF'], ['arm', 'qemu-user-static', 'POF']]);
    const state = await h.store.read();
    const a64 = state?.registrations.find((x) => x.guest === 'aarch64');
    strict_1.default.equal(a64?.prefix, (0, node_path_1.join)(dir, 'prefix', 'a'.repeat(64)));
    const rule = (0, binfmt_rule_js_1.parseRegistration)(a64?.registration ?? '');
    strict_1.default.equal(rule.interpreter, `${a64?.prefix}/bin/qemu-aarch64`);
    strict_1.default.equal(rule.name, 'fexpod-qemu-user-aarch64');
    strict_1.default.equal(state?.registrations.find((x) => x.guest === 'arm')?.prefix, undefined);
    strict_1.default.deepEqual(state?.disabled, []);
    strict_1.default.deepEqual(state?.persisted, []);
});
(0, node_test_1.test)('install --user again with another emulator: the old prefix and interrupted stagings go', async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-user-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    await (0, binfmt_user_js_1.installUserBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')] }, harness(dir, [qemuUser(dir, 'aarch64', 'a'.repeat(64))]));
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'prefix', '.staging-abc-1'), { recursive: true });
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'prefix', 'not-ours'), { recursive: true });
    const calls = [];
    const podman = async (args) => {
        calls.push([...args]);
        return { stdout: 'removed=fexpod-qemu-user-aarch64\n', stderr: '', exitCode: 0 };
    };
    const h = harness(dir, [qemuStatic('aarch64'), qemuUser(dir, 'aarch64', 'a'.repeat(64))], podman);
    const r = await (0, binfmt_user_js_1.installUserBinfmt)({ guests: [arch_js_1.Arch.of('aarch64')], emulator: 'qemu-user-static' }, h);
    strict_1.default.deepEqual(r.entriesReplaced, ['fexpod-qemu-user-aarch64'], 'the replaced entry leaves the live namespace');
    strict_1.default.deepEqual(calls[0]?.slice(6), ['fexpod-qemu-user-aarch64']);
    strict_1.default.deepEqual([...r.prefixesRemoved].sort(), [(0, node_path_1.join)(dir, 'prefix', '.staging-abc-1'), (0, node_path_1.join)(dir, 'prefix', 'a'.repeat(64))]);
    strict_1.default.deepEqual((0, node_fs_1.readdirSync)((0, node_path_1.join)(dir, 'prefix')), ['not-ours']);
});
(0, node_test_1.test)('uninstall --user: entries out of Podman\'s namespace, prefixes, state and locks gone', async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-user-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const calls = [];
    const podman = async (args) => {
        calls.push([...args]);
        const names = args.slice(6);
        return { stdout: names.map((n) => `removed=${n}`).join('\n') + '\n', stderr: '', exitCode: 0 };
    };
    const h = harness(dir, [qemuUser(dir, 'aarch64', 'c'.repeat(64))], podman);
    await (0, binfmt_user_js_1.installUserBinfmt)({}, h);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'private-binfmt.lock'), '');
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'binfmt.lock'), '');
    const u = await (0, binfmt_user_js_1.uninstallUserBinfmt)(h);
    strict_1.default.deepEqual(u.entriesRemoved, ['fexpod-qemu-user-aarch64']);
    strict_1.default.deepEqual(calls[0]?.slice(0, 2), ['unshare', '/bin/sh']);
    strict_1.default.deepEqual((0, node_fs_1.readdirSync)(dir), ['prefix']);
    strict_1.default.deepEqual((0, node_fs_1.readdirSync)((0, node_path_1.join)(dir, 'prefix')), []);
    strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(dir, 'binfmt-state.json')), false);
});
(0, node_test_1.test)('status --user: podman unshare output becomes the namespace view; a failing podman is reported, not thrown', async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-user-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const ok = async () => ({ stdout: 'instance=private\nfexpod-qemu-user-static-arm=enabled\n', stderr: '', exitCode: 0 });
    await (0, binfmt_user_js_1.installUserBinfmt)({}, harness(dir, [qemuStatic('arm')]));
    const s = await (0, binfmt_user_js_1.userBinfmtStatus)(harness(dir, [], ok));
    strict_1.default.deepEqual(s.namespace, { instance: 'private', entries: { 'fexpod-qemu-user-static-arm': 'enabled' } });
    const bad = async () => ({ stdout: '', stderr: 'Error: cannot clone: Operation not permitted\n', exitCode: 125 });
    const s2 = await (0, binfmt_user_js_1.userBinfmtStatus)(harness(dir, [], bad));
    strict_1.default.equal(s2.namespace, undefined);
    strict_1.default.match(s2.error ?? '', /cannot clone/);
});
