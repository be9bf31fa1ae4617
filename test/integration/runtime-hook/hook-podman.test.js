"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The hook against the real thing: Podman 4.3 with runc, the kernel's
 * binfmt_misc, Debian's dynamic qemu-user staged into a prefix, and foreign
 * images built from Debian packages. Debian's own static qemu entries are
 * disabled for the duration, so only fexpod's (dynamic, F-flag) entries can
 * run foreign binaries — and they only work where the hook mounted the prefix.
 */
const node_test_1 = require("node:test");
const node_child_process_1 = require("node:child_process");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const binfmt_lock_js_1 = require("../../helpers/binfmt-lock.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const attack_images_js_1 = require("./attack-images.js");
const hook_host_js_1 = require("./hook-host.js");
const host = (0, foreign_image_js_1.hostArch)();
const guests = (0, foreign_image_js_1.foreignArches)(host);
const guest64 = guests[0] ?? arch_js_1.Arch.of('aarch64');
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.isRoot)(), (0, integration_js_1.fileExists)(`${hook_host_js_1.BINFMT}/register`), ...guests.map((g) => (0, integration_js_1.fileExists)(`/usr/bin/qemu-${g.qemu}`)));
const unameOf = (a) => (a.name === 'arm' ? 'armv7l' : a.name);
/** Debian's own (static, POF) entries for our guests: disabled so that only fexpod's entries serve. */
const debianEntries = guests.map((g) => `qemu-${g.qemu}`);
(0, node_test_1.test)('podman hook end to end', { ...req, timeout: 20 * 60_000 }, async (t) => {
    await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
        const snapshot = (0, hook_host_js_1.binfmtSnapshot)();
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-it-'));
        const stateDir = (0, node_path_1.join)(dir, 'state');
        (0, node_fs_1.mkdirSync)(stateDir);
        const stateFile = (0, node_path_1.join)(stateDir, 'binfmt-state.json');
        const log = (0, node_path_1.join)(dir, 'hook.log');
        const empty = (0, node_path_1.join)(dir, 'no-hooks.d');
        (0, node_fs_1.mkdirSync)(empty);
        const created = [];
        const hookArgs = ['--state', stateFile, '--log', log];
        try {
            for (const e of debianEntries)
                (0, hook_host_js_1.setEntry)(e, '0');
            const images = new Map(guests.map((g) => [g.name, { dynamic: (0, foreign_image_js_1.podmanImage)(g, 'dynamic'), static: (0, foreign_image_js_1.podmanImage)(g, 'static') }]));
            const dyn64 = images.get(guest64.name)?.dynamic ?? '';
            const nativeImage = 'localhost/fexpod-hook-native:latest';
            // 1. Emulators: the real command when it exists, else the stand-in.
            if ((0, hook_host_js_1.realBinfmtCommand)()) {
                const r = (0, hook_host_js_1.fexpod)(['binfmt', 'install', ...guests.flatMap((g) => ['--guest', g.name]), '--emulator', 'qemu-user', '--state-dir', stateDir]);
                strict_1.default.equal(r.status, 0, `fexpod binfmt install: ${r.stderr}`);
            }
            else {
                t.diagnostic('fexpod binfmt install is not on this branch yet: using the stagePrefix stand-in');
                await (0, hook_host_js_1.standInBinfmtInstall)(stateDir, guests);
            }
            const state = (0, install_state_js_1.parseInstallState)((0, node_fs_1.readFileSync)(stateFile, 'utf8'), stateFile);
            for (const g of guests)
                strict_1.default.ok(state.registrations.some((r) => r.guest === g.name && r.prefix), `a prefix for ${g.name}`);
            await t.test('without the hook a foreign container fails (only the F-flag dynamic entries serve)', () => {
                const r = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', empty, '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
                strict_1.default.notEqual(r.status, 0, r.stdout);
            });
            // 2. The real install: default hooks dir, drop-in and build hook.
            const inst = (0, hook_host_js_1.fexpod)(['hook', 'install', ...hookArgs, '--json']);
            strict_1.default.equal(inst.status, 0, inst.stderr);
            const st = (0, hook_host_js_1.fexpod)(['hook', 'status', '--state', stateFile, '--json']);
            strict_1.default.equal(st.status, 0, st.stdout);
            strict_1.default.equal(JSON.parse(st.stdout).problems.length, 0, st.stdout);
            for (const g of guests) {
                for (const flavour of ['dynamic', 'static']) {
                    await t.test(`podman run --arch ${g.oci.architecture} (${flavour}) uname -m prints ${unameOf(g)}`, () => {
                        const img = images.get(g.name)?.[flavour] ?? '';
                        const r = (0, hook_host_js_1.podman)(['run', '--rm', '--arch', g.oci.architecture, img, 'uname', '-m']);
                        strict_1.default.equal(r.status, 0, `${r.stderr}\n${(0, node_fs_1.readFileSync)(log, 'utf8')}`);
                        strict_1.default.equal(r.stdout.trim(), unameOf(g));
                    });
                }
            }
            await t.test('the prefix is mounted read-only, nosuid, nodev at its own path', () => {
                const prefix = state.registrations.find((r) => r.guest === guest64.name)?.prefix ?? '';
                const r = (0, hook_host_js_1.podman)(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'cat', '/proc/self/mountinfo']);
                strict_1.default.equal(r.status, 0, r.stderr);
                const line = r.stdout.split('\n').find((l) => l.split(' ')[4] === prefix) ?? '';
                strict_1.default.match(line, /\bro\b/);
                strict_1.default.match(line, /nosuid/);
                strict_1.default.match(line, /nodev/);
            });
            await t.test('podman exec into a running foreign container', () => {
                const name = `fexpod-hook-exec-${process.pid}`;
                created.push(name);
                const run = (0, hook_host_js_1.podman)(['run', '-d', '--name', name, '--arch', guest64.oci.architecture, dyn64, 'sleep', '300']);
                strict_1.default.equal(run.status, 0, run.stderr);
                const ex = (0, hook_host_js_1.podman)(['exec', name, 'uname', '-m']);
                strict_1.default.equal(ex.status, 0, ex.stderr);
                strict_1.default.equal(ex.stdout.trim(), unameOf(guest64));
                (0, hook_host_js_1.podman)(['rm', '-f', '-t', '0', name]);
            });
            await t.test('a native container config passes through byte for byte (real podman, tee hooks around ours)', () => {
                const cap = (0, node_path_1.join)(dir, 'capture.d');
                (0, node_fs_1.mkdirSync)(cap);
                const hookJson = (0, node_fs_1.readFileSync)('/etc/fexpod/hooks.d/fexpod-precreate.json', 'utf8');
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cap, 'fexpod-precreate.json'), hookJson);
                const tee = (file) => JSON.stringify({ version: '1.0.0', hook: { path: '/usr/bin/tee', args: ['tee', file] }, when: { always: true }, stages: ['precreate'] });
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cap, '00-in.json'), tee((0, node_path_1.join)(dir, 'in.json')));
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cap, 'zz-out.json'), tee((0, node_path_1.join)(dir, 'out.json')));
                const ctr = (0, node_path_1.join)(dir, 'native-root');
                (0, node_fs_1.mkdirSync)((0, node_path_1.join)(ctr, 'bin'), { recursive: true });
                (0, node_fs_1.copyFileSync)('/bin/busybox', (0, node_path_1.join)(ctr, 'bin', 'busybox'));
                const tar = (0, node_path_1.join)(dir, 'native.tar');
                (0, node_child_process_1.execFileSync)('tar', ['-C', ctr, '-cf', tar, '.']);
                const imp = (0, hook_host_js_1.podman)(['import', '--change', 'CMD=["/bin/busybox","true"]', tar, nativeImage]);
                strict_1.default.equal(imp.status, 0, imp.stderr);
                const r = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', cap, nativeImage]);
                strict_1.default.equal(r.status, 0, r.stderr);
                const input = (0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'in.json'));
                const output = (0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'out.json'));
                strict_1.default.ok(input.length > 1000);
                strict_1.default.ok(output.equals(input), 'native config changed');
                // The foreign one changes only by our mount.
                const f = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', cap, '--arch', guest64.oci.architecture, dyn64, 'true']);
                strict_1.default.equal(f.status, 0, f.stderr);
                const fin = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'in.json'), 'utf8'));
                const fout = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'out.json'), 'utf8'));
                const added = fout.mounts.slice(fin.mounts.length);
                strict_1.default.equal(added.length, 1);
                fout.mounts = fin.mounts;
                strict_1.default.deepEqual(fout, fin);
            });
            await t.test('20 foreign containers started at once all succeed', async () => {
                const runs = await Promise.all(Array.from({ length: 20 }, () => (0, hook_host_js_1.podmanAsync)(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'uname', '-m'])));
                const bad = runs.filter((r) => r.status !== 0 || r.stdout.trim() !== unameOf(guest64));
                strict_1.default.equal(bad.length, 0, bad.map((b) => b.stderr).join('\n'));
            });
            await t.test('a flushed binfmt entry is re-registered by the hook', () => {
                const entry = state.registrations.find((r) => r.guest === guest64.name)?.entryName ?? '';
                (0, hook_host_js_1.setEntry)(entry, '-1');
                strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, entry)), false);
                const r = (0, hook_host_js_1.podman)(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
                strict_1.default.equal(r.status, 0, r.stderr);
                strict_1.default.equal(r.stdout.trim(), unameOf(guest64));
                strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, entry)), true);
            });
            await t.test('podman build --arch with a RUN step (createRuntime hook)', () => {
                const ctx = (0, node_path_1.join)(dir, 'build');
                (0, node_fs_1.mkdirSync)(ctx);
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(ctx, 'Containerfile'), `FROM ${dyn64}\nRUN uname -m > /built-arch && cat /built-arch\n`);
                const tag = `localhost/fexpod-hook-build:${process.pid}`;
                const r = (0, hook_host_js_1.podman)(['build', '--no-cache', '--arch', guest64.oci.architecture, '-t', tag, ctx], 300_000);
                (0, hook_host_js_1.podman)(['rmi', '-f', tag]);
                strict_1.default.equal(r.status, 0, `${r.stdout}\n${r.stderr}\n${(0, node_fs_1.readFileSync)(log, 'utf8')}`);
                strict_1.default.match(r.stdout, new RegExp(`^${unameOf(guest64)}$`, 'm'));
            });
            await t.test('attack images never break the container or the hook', async (tt) => {
                (0, attack_images_js_1.makeHostSentinel)(host);
                for (const a of (0, attack_images_js_1.attacks)(guest64)) {
                    await tt.test(a.name, () => {
                        const ref = (0, attack_images_js_1.buildAttackImage)(guest64, a);
                        created.push(`image:${ref}`);
                        const before = (0, node_fs_1.readFileSync)(log, 'utf8').length;
                        const withHook = (0, hook_host_js_1.podman)(['run', '--rm', '--arch', guest64.oci.architecture, ref]);
                        const logged = (0, node_fs_1.readFileSync)(log, 'utf8').slice(before);
                        strict_1.default.doesNotMatch(logged, /error:/, logged);
                        if (a.expect === 'works') {
                            strict_1.default.equal(withHook.status, 0, `${withHook.stderr}\n${logged}`);
                            strict_1.default.equal(withHook.stdout.trim(), a.stdout);
                            strict_1.default.match(logged, /foreign:/);
                        }
                        else {
                            const without = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', empty, '--arch', guest64.oci.architecture, ref]);
                            strict_1.default.notEqual(withHook.status, 0);
                            strict_1.default.equal(withHook.status, without.status, `${withHook.stderr} vs ${without.stderr}`);
                            strict_1.default.doesNotMatch(withHook.stderr, /hook/i);
                        }
                    });
                }
            });
            await t.test('CDI: the generated spec alone (no hooks) makes the foreign run work', () => {
                const spec = `/etc/cdi/fexpod-hook-test-${process.pid}.json`;
                created.push(`file:${spec}`);
                const g = (0, hook_host_js_1.fexpod)(['cdi', 'generate', '--state', stateFile, '--output', spec, '--json']);
                strict_1.default.equal(g.status, 0, g.stderr);
                const r = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', empty, '--device', `fexpod.io/emulator=${guest64.name}`, '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
                strict_1.default.equal(r.status, 0, r.stderr);
                strict_1.default.equal(r.stdout.trim(), unameOf(guest64));
            });
            await t.test('after fexpod hook uninstall the foreign run fails again', () => {
                const u = (0, hook_host_js_1.fexpod)(['hook', 'uninstall']);
                strict_1.default.equal(u.status, 0, u.stderr);
                const r = (0, hook_host_js_1.podman)(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
                strict_1.default.notEqual(r.status, 0, r.stdout);
            });
        }
        finally {
            (0, hook_host_js_1.fexpod)(['hook', 'uninstall']);
            for (const c of created) {
                if (c.startsWith('image:'))
                    (0, hook_host_js_1.podman)(['rmi', '-f', c.slice(6)]);
                else if (c.startsWith('file:'))
                    (0, node_fs_1.rmSync)(c.slice(5), { force: true });
                else
                    (0, hook_host_js_1.podman)(['rm', '-f', '-t', '0', c]);
            }
            (0, hook_host_js_1.podman)(['rmi', '-f', 'localhost/fexpod-hook-native:latest']);
            if ((0, hook_host_js_1.realBinfmtCommand)())
                (0, hook_host_js_1.fexpod)(['binfmt', 'uninstall', '--state-dir', stateDir]);
            (0, hook_host_js_1.binfmtRestore)(snapshot);
            (0, node_fs_1.rmSync)(attack_images_js_1.HOST_SENTINEL, { recursive: true, force: true });
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
});
