"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The hook's microVM route through real Podman (runc) on a stand-in 16 KiB
 * host: the page size, crun's +LIBKRUN and a usable /dev/kvm come from the
 * test-only host facts in the hook JSON's env (FEXPOD_TEST_HOST_FACTS); crun's
 * krun handler and libkrun do not exist here, and runc ignores the
 * run.oci.handler annotation. So each container runs on this kernel, with the
 * exact config the hook wrote (captured by tee hooks around it): the first
 * step, fexpod-guest-init from the staged prefix, then decides as it would in
 * the guest. The emulator is the dynamic QEMU for a foreign architecture,
 * playing FEX's part. Nothing here changes the host's binfmt_misc, and the
 * hooks directory is passed with --hooks-dir, so no lock is needed.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const binfmt_plan_js_1 = require("../../../src/emulator/binfmt/binfmt-plan.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
const emulator_prefix_js_1 = require("../../../src/emulator/prefix/emulator-prefix.js");
const host_override_js_1 = require("../../../src/emulator/host/host-override.js");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const prefix_deps_js_1 = require("../../../src/emulator/prefix/prefix-deps.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const hook_host_js_1 = require("./hook-host.js");
const guest = (0, foreign_image_js_1.foreignArches)()[0];
if (!guest)
    throw new Error('no foreign architecture for this host');
const QEMU = `/usr/bin/qemu-${guest.qemu}`;
const GUEST_INIT = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'native', 'fexpod-guest-init');
const HOOK = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'hook', 'runtime-hook', 'hook-main.js');
const UNAME = guest.name === 'arm' ? 'armv7l' : guest.name;
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.isRoot)(), (0, integration_js_1.fileExists)(QEMU), (0, integration_js_1.fileExists)(GUEST_INIT), (0, integration_js_1.fileExists)(HOOK), (0, integration_js_1.onPath)('patchelf'));
(0, node_test_1.test)('hook on a stand-in 16 KiB host through real podman: krun handler and the in-guest step', { ...req, timeout: 15 * 60_000 }, async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-microvm-it-'));
    (0, node_fs_1.chmodSync)(dir, 0o755);
    const log = (0, node_path_1.join)(dir, 'hook.log');
    const tag = (0, node_crypto_1.randomBytes)(4).toString('hex');
    const nativeImage = `localhost/fexpod-microvm-native-${tag}:latest`;
    try {
        const staged = await (0, emulator_prefix_js_1.stagePrefix)(QEMU, { stateDir: dir, extraBinaries: [GUEST_INIT] }, (0, prefix_deps_js_1.nodePrefixDeps)());
        const prefix = staged.prefix ?? '';
        const guestInit = staged.extra['fexpod-guest-init'] ?? '';
        const rule = (0, binfmt_plan_js_1.buildRule)(guest, 'qemu-user', staged.interpreter, 'POF');
        const state = {
            version: 1, registrations: [], disabled: [], persisted: [],
            microvm: [{ guest: guest.name, prefix, interpreter: staged.interpreter, registration: (0, binfmt_rule_js_1.formatRegistration)(rule), guestInit }],
        };
        const stateFile = (0, node_path_1.join)(dir, 'binfmt-state.json');
        (0, node_fs_1.writeFileSync)(stateFile, (0, install_state_js_1.formatInstallState)(state));
        /** A hooks dir: tee the config in, fexpod's hook with these host facts, tee the config out. */
        const hooksDir = (name, facts) => {
            const d = (0, node_path_1.join)(dir, name);
            (0, node_fs_1.mkdirSync)(d);
            const factsFile = (0, node_path_1.join)(dir, `${name}.facts.json`); // not in the hooks dir: Podman parses every file there
            (0, node_fs_1.writeFileSync)(factsFile, JSON.stringify({ testOnly: host_override_js_1.HOST_OVERRIDE_MARKER, ...facts }));
            const capture = (f) => (0, node_path_1.join)(dir, `${name}.${f}`); // also outside the hooks dir
            const tee = (file) => ({ version: '1.0.0', hook: { path: '/usr/bin/tee', args: ['tee', capture(file)] }, when: { always: true }, stages: ['precreate'] });
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(d, '00-in.json'), JSON.stringify(tee('in.json')));
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(d, '50-fexpod-precreate.json'), JSON.stringify({
                version: '1.0.0',
                hook: { path: process.execPath, args: ['node', HOOK, 'precreate', '--state', stateFile, '--log', log], env: [`${host_override_js_1.HOST_OVERRIDE_ENV}=${factsFile}`] },
                when: { always: true },
                stages: ['precreate'],
            }));
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(d, 'zz-out.json'), JSON.stringify(tee('out.json')));
            return { dir: d, capture, config: (f) => JSON.parse((0, node_fs_1.readFileSync)(capture(f), 'utf8')) };
        };
        const krun = hooksDir('krun.d', { pageSize: 16384, crunFeatures: ['SYSTEMD', 'SELINUX', 'LIBKRUN'], kvm: 'usable' });
        const noKrun = hooksDir('no-krun.d', { pageSize: 16384, crunFeatures: ['SYSTEMD', 'SELINUX'], kvm: 'usable' });
        const image = (0, foreign_image_js_1.podmanImage)(guest, 'static');
        await t.test('a foreign container: krun handler, the prefix mounted read-only, fexpod-guest-init first; under runc it is in the host\'s user namespace, never registers, and runs the command through the emulator', () => {
            const r = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', krun.dir, image, 'uname', '-m']);
            strict_1.default.equal(r.status, 0, r.stderr);
            strict_1.default.equal(r.stdout.trim(), UNAME);
            strict_1.default.match(r.stderr, /fexpod-guest-init: binfmt_misc: not in a krun microVM nor in a user namespace of its own/);
            const before = krun.config('in.json');
            const after = krun.config('out.json');
            strict_1.default.equal(after.annotations['run.oci.handler'], 'krun');
            strict_1.default.deepEqual(after.process.args, [guestInit, '--register', state.microvm?.[0]?.registration, '--interpreter', staged.interpreter, '--', 'uname', '-m']);
            strict_1.default.deepEqual(after.mounts.slice(before.mounts.length), [{ destination: prefix, source: prefix, type: 'bind', options: ['bind', 'ro', 'nosuid', 'nodev'] }]);
            delete after.annotations['run.oci.handler'];
            for (const k of ['args', 'env'])
                after.process[k] = before.process[k];
            after.mounts = before.mounts;
            strict_1.default.deepEqual(after, before, 'nothing else in the config changed');
        });
        await t.test('a container with its own user namespace: the step registers the emulator from the injected prefix in that namespace\'s binfmt_misc, and the foreign shell runs', () => {
            const r = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', krun.dir, '--uidmap', '0:200000:65536', '--gidmap', '0:200000:65536', '--cap-add', 'SYS_ADMIN', image,
                'sh', '-c', `cat /proc/sys/fs/binfmt_misc/${rule.name}; uname -m`]);
            strict_1.default.equal(r.status, 0, r.stderr);
            strict_1.default.match(r.stdout, new RegExp(`^interpreter ${staged.interpreter}$`, 'm'));
            strict_1.default.match(r.stdout, new RegExp(`^${UNAME}$`, 'm'));
            strict_1.default.doesNotMatch(r.stderr, /fexpod-guest-init/, 'registered, no fallback');
        });
        await t.test('crun without +LIBKRUN: the container fails at create time and the hook names the missing piece', () => {
            const name = `fexpod-microvm-refused-${tag}`;
            const r = (0, hook_host_js_1.podman)(['run', '--rm', '--name', name, '--hooks-dir', noKrun.dir, image, 'uname', '-m']);
            (0, hook_host_js_1.podman)(['rm', '-f', '-t', '0', name]);
            strict_1.default.notEqual(r.status, 0);
            strict_1.default.equal(r.stdout, '', 'the command never ran');
            strict_1.default.match(r.stderr, /exit status 3/, 'Podman drops hook stderr and shows the exit status');
            const lines = (0, node_fs_1.readFileSync)(log, 'utf8');
            strict_1.default.match(lines, /refusing this container: .* is aarch64|refusing this container: .* is arm/);
            strict_1.default.match(lines, /crun is built without \+LIBKRUN/);
            strict_1.default.match(lines, /fix: sudo dnf install crun-krun/);
        });
        await t.test('a native container on the same host passes through byte for byte', () => {
            const root = (0, node_path_1.join)(dir, 'native-root');
            (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, 'bin'), { recursive: true });
            (0, node_fs_1.copyFileSync)('/bin/busybox', (0, node_path_1.join)(root, 'bin', 'busybox'));
            const tar = (0, node_path_1.join)(dir, 'native.tar');
            (0, node_child_process_1.execFileSync)('tar', ['-C', root, '-cf', tar, '.']);
            strict_1.default.equal((0, hook_host_js_1.podman)(['import', '--change', 'CMD=["/bin/busybox","true"]', tar, nativeImage]).status, 0);
            const r = (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', krun.dir, nativeImage]);
            strict_1.default.equal(r.status, 0, r.stderr);
            strict_1.default.ok((0, node_fs_1.readFileSync)(krun.capture('out.json')).equals((0, node_fs_1.readFileSync)(krun.capture('in.json'))));
        });
    }
    finally {
        (0, hook_host_js_1.podman)(['rmi', '-f', nativeImage]);
        for (const d of (0, node_fs_1.readdirSync)(dir))
            if (d === 'prefix')
                (0, node_child_process_1.execFileSync)('chmod', ['-R', 'u+w', (0, node_path_1.join)(dir, d)]);
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
