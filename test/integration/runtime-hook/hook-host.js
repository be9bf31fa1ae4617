"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CLI = exports.BINFMT = void 0;
exports.fexpod = fexpod;
exports.registrationOf = registrationOf;
exports.binfmtSnapshot = binfmtSnapshot;
exports.binfmtRestore = binfmtRestore;
exports.setEntry = setEntry;
exports.realBinfmtCommand = realBinfmtCommand;
exports.standInBinfmtInstall = standInBinfmtInstall;
exports.podman = podman;
exports.podmanAsync = podmanAsync;
/**
 * Host setup for the hook's integration tests: a snapshot/restore of
 * binfmt_misc, the emulators (the real `fexpod binfmt install`, or — while that
 * command is not on this branch yet — a stand-in that stages qemu-user with
 * stagePrefix and registers it by hand), and podman helpers.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const emulator_prefix_js_1 = require("../../../src/emulator/prefix/emulator-prefix.js");
const prefix_deps_js_1 = require("../../../src/emulator/prefix/prefix-deps.js");
const integration_js_1 = require("../../helpers/integration.js");
exports.BINFMT = '/proc/sys/fs/binfmt_misc';
exports.CLI = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
function fexpod(args, input) {
    return (0, node_child_process_1.spawnSync)(process.execPath, [exports.CLI, ...args], { encoding: 'utf8', input, timeout: 180_000 });
}
function hex(s) {
    return s.replace(/../g, (b) => `\\x${b}`);
}
/** Rebuilds a registration line from /proc/sys/fs/binfmt_misc/<name>. */
function registrationOf(name, text) {
    const get = (k) => text.split('\n').find((l) => l.startsWith(`${k} `))?.slice(k.length + 1) ?? '';
    const flags = get('flags:').trim();
    if (text.includes('\nextension '))
        return `:${name}:E::${get('extension').replace(/^\./, '')}::${get('interpreter')}:${flags}`;
    return `:${name}:M:${get('offset')}:${hex(get('magic'))}:${hex(get('mask'))}:${get('interpreter')}:${flags}`;
}
function binfmtSnapshot() {
    return (0, node_fs_1.readdirSync)(exports.BINFMT)
        .filter((n) => n !== 'register' && n !== 'status')
        .map((name) => {
        const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(exports.BINFMT, name), 'utf8');
        return { name, enabled: text.startsWith('enabled'), registration: registrationOf(name, text) };
    });
}
function binfmtRestore(snap) {
    const now = new Set(binfmtSnapshot().map((e) => e.name));
    for (const n of now)
        if (!snap.some((s) => s.name === n))
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.BINFMT, n), '-1');
    for (const s of snap) {
        if (!now.has(s.name))
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.BINFMT, 'register'), s.registration);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.BINFMT, s.name), s.enabled ? '1' : '0');
    }
}
function setEntry(name, value) {
    try {
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.BINFMT, name), value);
    }
    catch {
        /* absent */
    }
}
/** Whether `fexpod binfmt install` exists on this branch (not the scaffolding). */
function realBinfmtCommand() {
    return !/not built yet/.test(fexpod(['binfmt', '--help']).stdout);
}
const QEMU_MASK = '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';
function magicFor(a) {
    const m = [0x7f, 0x45, 0x4c, 0x46, a.elfClass, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, a.machine & 0xff, a.machine >> 8];
    return m.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
}
/**
 * Stand-in for `fexpod binfmt install --emulator qemu-user` until that command
 * lands: stages Debian's dynamic qemu-<arch> with the host area's stagePrefix,
 * registers it with the F flag and writes the install state.
 */
async function standInBinfmtInstall(stateDir, guests) {
    const registrations = [];
    for (const g of guests) {
        const staged = await (0, emulator_prefix_js_1.stagePrefix)(`/usr/bin/qemu-${g.qemu}`, { stateDir }, (0, prefix_deps_js_1.nodePrefixDeps)());
        const entryName = `fexpod-test-qemu-${g.qemu}`;
        const registration = `:${entryName}:M:0:${magicFor(g)}:${QEMU_MASK}:${staged.interpreter}:F`;
        setEntry(entryName, '-1');
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.BINFMT, 'register'), registration);
        registrations.push({ guest: g.name, emulator: 'qemu-user', entryName, registration, interpreter: staged.interpreter, ...(staged.prefix ? { prefix: staged.prefix } : {}) });
    }
    const state = { version: 1, registrations, disabled: [], persisted: [] };
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(stateDir, 'binfmt-state.json'), (0, install_state_js_1.formatInstallState)(state));
    return state;
}
function podman(args, timeout = 120_000) {
    return (0, node_child_process_1.spawnSync)('podman', args, { encoding: 'utf8', timeout });
}
function podmanAsync(args) {
    return new Promise((resolve) => {
        const c = (0, node_child_process_1.spawn)('podman', args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d) => (stdout += d.toString()));
        c.stderr.on('data', (d) => (stderr += d.toString()));
        c.on('close', (status) => resolve({ status, stdout, stderr }));
    });
}
