"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod setup` on the real host (root, the kernel's binfmt_misc, Podman with
 * runc, Debian's dynamic qemu-user staged into prefixes, the real
 * systemd-binfmt binary), under the shared binfmt lock:
 *
 *   setup → a foreign container runs
 *   systemd-binfmt (flush + binfmt.d) → fexpod's entries come back from its
 *     binfmt.d files through the stable links; masked conflicts stay away
 *   a full flush, then exactly the unit's ExecStart → entries back, container runs
 *   setup again → nothing changes
 *   setup --undo → /proc/sys/fs/binfmt_misc, the hooks directories,
 *     containers.conf.d, binfmt.d and the unit directory are as before, byte for byte
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const binfmt_lock_js_1 = require("../../helpers/binfmt-lock.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const hook_host_js_1 = require("../runtime-hook/hook-host.js");
const guests = (0, foreign_image_js_1.foreignArches)();
const [g64] = guests;
const SYSTEMD_BINFMT = ['/usr/lib/systemd/systemd-binfmt', '/lib/systemd/systemd-binfmt'].find((p) => (0, node_fs_1.existsSync)(p)) ?? '/usr/lib/systemd/systemd-binfmt';
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.isRoot)(), (0, integration_js_1.fileExists)(`${hook_host_js_1.BINFMT}/register`), (0, integration_js_1.fileExists)(SYSTEMD_BINFMT), (0, integration_js_1.onPath)('systemd-analyze'), ...guests.map((g) => (0, integration_js_1.fileExists)(`/usr/bin/qemu-${g.qemu}`)));
const unameOf = (name) => (name === 'arm' ? 'armv7l' : name);
/** Directories the acceptance compares, byte for byte. */
const WATCHED = ['/etc/binfmt.d', '/etc/fexpod', '/etc/containers/containers.conf.d', '/etc/containers/oci', '/usr/share/containers/oci', '/etc/systemd/system'];
function kernelFiles() {
    const out = {};
    for (const n of (0, node_fs_1.readdirSync)(hook_host_js_1.BINFMT).sort())
        if (n !== 'register')
            out[n] = (0, node_fs_1.readFileSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, n), 'utf8');
    return out;
}
function trees() {
    const out = {};
    for (const d of WATCHED) {
        out[d] = (0, node_fs_1.existsSync)(d) ? { mode: (0, node_fs_1.statSync)(d).mode & 0o7777, entries: Object.fromEntries((0, tree_listing_js_1.listDirectory)(d)) } : 'absent';
    }
    return out;
}
/** Splits an ExecStart= line the way systemd does for the simple forms setup writes (words, "quoted words"). */
function execStartOf(unitText) {
    const line = unitText.split('\n').find((l) => l.startsWith('ExecStart=')) ?? strict_1.default.fail('no ExecStart');
    const words = line.slice('ExecStart='.length).match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    return words.map((w) => (w.startsWith('"') ? w.slice(1, -1).replace(/\\(.)/g, '$1') : w).replaceAll('%%', '%').replaceAll('$$', '$'));
}
(0, node_test_1.test)('fexpod setup, systemd-binfmt restarts, and setup --undo on the real host', { ...req, timeout: 15 * 60_000 }, async (t) => {
    if (!g64)
        return;
    const images = guests.map((g) => ({ g, ref: (0, foreign_image_js_1.podmanImage)(g, 'dynamic') }));
    const runForeign = () => {
        for (const { g, ref } of images) {
            const r = (0, hook_host_js_1.podman)(['run', '--rm', '--arch', g.oci.architecture, ref, 'uname', '-m']);
            strict_1.default.equal(r.status, 0, r.stderr);
            strict_1.default.equal(r.stdout.trim(), unameOf(g.name));
        }
    };
    await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
        const snapshot = (0, hook_host_js_1.binfmtSnapshot)();
        const kernelBefore = kernelFiles();
        const treesBefore = trees();
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-setup-it-'));
        const stateDir = (0, node_path_1.join)(dir, 'state');
        const hookLog = (0, node_path_1.join)(dir, 'hook.log');
        const args = ['--state-dir', stateDir, '--emulator', 'qemu-user', '--hook-log', hookLog, ...guests.flatMap((g) => ['--guest', g.name])];
        let undone = false;
        try {
            await t.test('--dry-run changes nothing and lists the registrations and files', () => {
                const r = (0, hook_host_js_1.fexpod)(['setup', '--dry-run', '--json', ...args]);
                strict_1.default.equal(r.status, 0, r.stderr);
                const out = JSON.parse(r.stdout);
                strict_1.default.equal(out.dryRun, true);
                const registered = out.changes.filter((c) => c.kind === 'binfmt' && c.action === 'register').map((c) => c.entry);
                strict_1.default.deepEqual(registered, guests.map((g) => `fexpod-qemu-user-${g.name}`));
                for (const p of ['/etc/fexpod/hooks.d/fexpod-precreate.json', '/etc/containers/containers.conf.d/90-fexpod-hooks.conf', '/etc/systemd/system/fexpod-binfmt.service']) {
                    strict_1.default.ok(out.changes.some((c) => c.path === p), `${p} listed`);
                }
                strict_1.default.deepEqual(kernelFiles(), kernelBefore);
                strict_1.default.deepEqual(trees(), treesBefore);
                strict_1.default.equal((0, node_fs_1.existsSync)(stateDir), false);
            });
            const r = (0, hook_host_js_1.fexpod)(['setup', '--json', ...args]);
            strict_1.default.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
            const out = JSON.parse(r.stdout);
            strict_1.default.deepEqual(out.steps.map((s) => `${s.step}:${s.status}`), ['binfmt:done', 'hook:done', 'systemd:done']);
            strict_1.default.equal(out.doctor.healthy, true);
            const unitPath = '/etc/systemd/system/fexpod-binfmt.service';
            const afterSetup = new Set(Object.keys(kernelFiles()));
            await t.test('after setup, podman run --arch <foreign> works', () => runForeign());
            await t.test('systemd-analyze verify accepts the unit setup wrote', () => {
                const v = (0, node_child_process_1.spawnSync)('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
                strict_1.default.equal(v.status, 0, v.stderr);
                strict_1.default.equal(v.stderr.trim(), '');
            });
            await t.test('systemd-binfmt (flush + binfmt.d) brings fexpod back through the stable links; masked conflicts stay off', () => {
                const s = (0, node_child_process_1.spawnSync)(SYSTEMD_BINFMT, [], { encoding: 'utf8' });
                t.diagnostic(`systemd-binfmt exit ${s.status}: ${s.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
                for (const g of guests) {
                    const entry = (0, node_fs_1.readFileSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, `fexpod-qemu-user-${g.name}`), 'utf8');
                    strict_1.default.match(entry, new RegExp(`interpreter ${stateDir}/prefix/fexpod-qemu-user-${g.name}/bin/qemu-${g.qemu}\n`));
                    strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, `qemu-${g.qemu}`)), false, `qemu-${g.qemu} is masked`);
                }
                runForeign();
            });
            await t.test('after a full flush, exactly what the unit runs registers everything again', () => {
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, 'status'), '-1');
                strict_1.default.deepEqual((0, node_fs_1.readdirSync)(hook_host_js_1.BINFMT).sort(), ['register', 'status']);
                const [cmd, ...rest] = execStartOf((0, node_fs_1.readFileSync)(unitPath, 'utf8'));
                // systemd's environment for system services: PATH and nothing else.
                const u = (0, node_child_process_1.spawnSync)(cmd ?? '', rest, { encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin' } });
                strict_1.default.equal(u.status, 0, u.stderr);
                const state = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(stateDir, 'binfmt-state.json'), 'utf8'));
                for (const reg of state.registrations) {
                    const entry = (0, node_fs_1.readFileSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, reg.entryName), 'utf8');
                    strict_1.default.ok(entry.startsWith('enabled\n') && entry.includes(`interpreter ${reg.interpreter}\n`), entry);
                }
                runForeign();
            });
            // systemd-binfmt registered every other binfmt.d file of this host too: that was this test, not setup.
            for (const n of (0, node_fs_1.readdirSync)(hook_host_js_1.BINFMT)) {
                if (n !== 'register' && !(n in kernelBefore) && !afterSetup.has(n))
                    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, n), '-1');
            }
            await t.test('setup again changes nothing', () => {
                const again = (0, hook_host_js_1.fexpod)(['setup', '--json', ...args]);
                strict_1.default.equal(again.status, 0, again.stderr);
                strict_1.default.deepEqual(JSON.parse(again.stdout).changes, []);
            });
            await t.test('setup --undo: binfmt_misc, hooks dirs, containers.conf.d, binfmt.d and units are back byte for byte', () => {
                const u = (0, hook_host_js_1.fexpod)(['setup', '--undo', '--json', '--state-dir', stateDir]);
                strict_1.default.equal(u.status, 0, u.stderr);
                undone = true;
                strict_1.default.deepEqual(kernelFiles(), kernelBefore);
                strict_1.default.deepEqual(trees(), treesBefore);
                strict_1.default.equal((0, node_fs_1.existsSync)(stateDir), false, 'setup created the state directory; undo removed it');
            });
        }
        finally {
            if (!undone)
                (0, hook_host_js_1.fexpod)(['setup', '--undo', '--state-dir', stateDir]);
            (0, hook_host_js_1.binfmtRestore)(snapshot);
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
});
