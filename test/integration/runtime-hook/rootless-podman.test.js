"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Issue 13's acceptance, on the real thing: a fresh unprivileged user with
 * subuid/subgid ranges, rootless Podman 4.3 (runc, --network none), the
 * kernel's per-user-namespace binfmt_misc (≥ 6.7), and the host's own arm64
 * and arm entries disabled — so only what fexpod registers in Podman's
 * private instance can run a foreign binary. No root is involved in any
 * fexpod or podman command; root only makes the user, disables and restores
 * the host entries (under the binfmt test lock) and builds the image tars.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const kernel_version_js_1 = require("../../../src/emulator/host/kernel-version.js");
const binfmt_lock_js_1 = require("../../helpers/binfmt-lock.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const readable_checkout_js_1 = require("../../helpers/readable-checkout.js");
const test_user_js_1 = require("../../helpers/test-user.js");
const hook_host_js_1 = require("./hook-host.js");
const host = (0, foreign_image_js_1.hostArch)();
const [guest64 = arch_js_1.Arch.of('aarch64'), guest32 = arch_js_1.Arch.of('arm')] = (0, foreign_image_js_1.foreignArches)(host);
const req = (0, integration_js_1.integration)((0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('runuser'), (0, integration_js_1.onPath)('useradd'), (0, integration_js_1.onPath)('newuidmap'), (0, integration_js_1.fileExists)(`${hook_host_js_1.BINFMT}/register`), (0, integration_js_1.fileExists)(`/usr/bin/qemu-${guest64.qemu}`), (0, integration_js_1.fileExists)(`/usr/bin/qemu-${guest64.qemu}-static`), { what: 'Linux ≥ 6.7 (per-user-namespace binfmt_misc)', ok: (0, kernel_version_js_1.hasPerUsernsBinfmt)((0, kernel_version_js_1.parseKernelRelease)((0, node_os_1.release)())) });
const unameOf = (a) => (a.name === 'arm' ? 'armv7l' : a.name);
/** Debian's and Fedora's own entries for our guests: disabled so that only fexpod's can serve. */
const hostEntries = [guest64, guest32].map((g) => `qemu-${g.qemu}`);
const RUN = ['run', '--rm', '--network', 'none'];
/** Every file of the host's binfmt_misc, names and contents. */
function binfmtBytes() {
    return (0, node_fs_1.readdirSync)(hook_host_js_1.BINFMT)
        .sort()
        .map((n) => (n === 'register' ? n : `${n}\n${(0, node_fs_1.readFileSync)((0, node_path_1.join)(hook_host_js_1.BINFMT, n), 'utf8')}`))
        .join('\n--\n');
}
/** Paths under a home, without Podman's own storage and caches (they change with every run). */
function homeListing(home) {
    const out = [];
    const walk = (d) => {
        for (const e of (0, node_fs_1.readdirSync)(d, { withFileTypes: true })) {
            const p = (0, node_path_1.join)(d, e.name);
            const rel = (0, node_path_1.relative)(home, p);
            if (rel === '.local/share/containers' || rel === '.cache')
                continue;
            out.push(`${rel}${e.isDirectory() ? '/' : ''}`);
            if (e.isDirectory())
                walk(p);
        }
    };
    walk(home);
    return out.sort();
}
/** Imports a rootfs built by root into the user's own storage. */
function importAsUser(u, arch, flavour) {
    const ref = `localhost/fexpod-rootless-${flavour}:${arch.oci.architecture}${arch.oci.variant ? `-${arch.oci.variant}` : ''}`;
    const root = (0, foreign_image_js_1.buildRootfs)(arch, flavour);
    const tar = (0, node_path_1.join)(u.shared, `${flavour}-${arch.name}.tar`);
    try {
        (0, node_child_process_1.execFileSync)('tar', ['-C', root, '-cf', tar, '.']);
        (0, node_fs_1.chmodSync)(tar, 0o644);
    }
    finally {
        (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
    }
    const args = ['import', '--arch', arch.oci.architecture, ...(arch.oci.variant ? ['--variant', arch.oci.variant] : [])];
    const r = u.run(['podman', ...args, '--change', 'ENV=PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', '--change', 'CMD=["/bin/sh"]', tar, ref]);
    strict_1.default.equal(r.status, 0, `podman import as ${u.name}: ${r.stderr}`);
    (0, node_fs_1.rmSync)(tar);
    return ref;
}
function userNs(u) {
    const r = u.run(['podman', 'unshare', 'readlink', '/proc/self/ns/user']);
    strict_1.default.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
}
(0, node_test_1.test)('rootless Podman runs foreign containers through its private binfmt_misc, with no root setup', { ...req, timeout: 20 * 60_000 }, async (t) => {
    await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
        const before = binfmtBytes();
        const snapshot = (0, hook_host_js_1.binfmtSnapshot)();
        let u;
        let checkout;
        try {
            for (const e of hostEntries)
                (0, hook_host_js_1.setEntry)(e, '0');
            const hostDisabled = binfmtBytes();
            u = (0, test_user_js_1.createTestUser)();
            const user = u;
            checkout = (0, readable_checkout_js_1.readableCheckout)((p) => user.run(['test', '-r', p]).status === 0);
            const cli = checkout.cli;
            const fexpod = (args) => user.run([process.execPath, cli, ...args]);
            const podman = (args) => user.run(['podman', ...args]);
            const log = (0, node_path_1.join)(user.home, '.local', 'state', 'fexpod', 'hook.log');
            const logText = () => {
                try {
                    return (0, node_fs_1.readFileSync)(log, 'utf8');
                }
                catch {
                    return '(no hook log)';
                }
            };
            const dyn = importAsUser(user, guest64, 'dynamic');
            const stat = importAsUser(user, guest64, 'static');
            const stat32 = importAsUser(user, guest32, 'static');
            const ctr = (0, node_path_1.join)(user.shared, 'native-root');
            (0, node_fs_1.mkdirSync)((0, node_path_1.join)(ctr, 'bin'), { recursive: true });
            (0, node_fs_1.copyFileSync)('/bin/busybox', (0, node_path_1.join)(ctr, 'bin', 'busybox'));
            (0, node_child_process_1.execFileSync)('tar', ['-C', ctr, '-cf', (0, node_path_1.join)(user.shared, 'native.tar'), '.']);
            (0, node_fs_1.chmodSync)((0, node_path_1.join)(user.shared, 'native.tar'), 0o644);
            const native = 'localhost/fexpod-rootless-native:latest';
            strict_1.default.equal(podman(['import', '--change', 'CMD=["/bin/busybox","true"]', (0, node_path_1.join)(user.shared, 'native.tar'), native]).status, 0);
            const homeBefore = homeListing(user.home);
            await t.test('without fexpod the foreign container fails (the host entries are off)', () => {
                const r = podman([...RUN, '--arch', guest64.oci.architecture, stat, 'uname', '-m']);
                strict_1.default.notEqual(r.status, 0, r.stdout);
            });
            const doctor = () => {
                const r = fexpod(['doctor', '--json']);
                return JSON.parse(r.stdout);
            };
            await t.test('fexpod doctor as that user: the rootless route is available, not set up yet', () => {
                const d = doctor();
                strict_1.default.equal(d.rootlessRoute.available, true, JSON.stringify(d.rootlessRoute.checks, null, 2));
                strict_1.default.equal(d.rootlessRoute.installed, false);
            });
            await t.test('fexpod hook install --user (dynamic qemu-user) writes only under the home directory', () => {
                const r = fexpod(['hook', 'install', '--user', '--emulator', 'qemu-user', '--json']);
                strict_1.default.equal(r.status, 0, r.stderr);
                const doc = JSON.parse(r.stdout);
                for (const p of doc.written)
                    strict_1.default.ok(p.startsWith(`${user.home}/`), p);
                strict_1.default.deepEqual(doc.emulators.map((e) => e.guest).sort(), [guest64.name, guest32.name].sort());
                for (const e of doc.emulators)
                    strict_1.default.ok(e.prefix?.startsWith(`${user.home}/.local/share/fexpod/prefix/`), e.prefix);
                const st = fexpod(['hook', 'status', '--user']);
                strict_1.default.equal(st.status, 0, st.stdout);
            });
            for (const [img, arch] of [[dyn, guest64], [stat, guest64], [stat32, guest32]]) {
                await t.test(`podman run --arch ${arch.oci.architecture} ${img} uname -m prints ${unameOf(arch)} (dynamic QEMU from the user prefix)`, () => {
                    const r = podman([...RUN, '--arch', arch.oci.architecture, img, 'uname', '-m']);
                    strict_1.default.equal(r.status, 0, `${r.stderr}\n${logText()}`);
                    strict_1.default.equal(r.stdout.trim(), unameOf(arch));
                });
            }
            await t.test('the registration lives in Podman\'s namespace: binfmt status --user sees it', () => {
                const r = fexpod(['binfmt', 'status', '--user', '--json']);
                strict_1.default.equal(r.status, 0, r.stderr);
                const doc = JSON.parse(r.stdout);
                strict_1.default.equal(doc.namespace.instance, 'private');
                strict_1.default.equal(doc.namespace.entries[`fexpod-qemu-user-${guest64.name}`], 'enabled');
                strict_1.default.match(logText(), /made the private binfmt_misc instance of Podman's user namespace/);
            });
            await t.test('fexpod doctor as that user: the route in use, nothing blocks', () => {
                const d = doctor();
                strict_1.default.equal(d.rootlessRoute.installed, true);
                strict_1.default.deepEqual(d.advice.filter((a) => a.blocking), []);
                strict_1.default.equal(d.healthy, true);
            });
            await t.test('podman exec into a running foreign container', () => {
                const name = `fexpod-rootless-exec-${process.pid}`;
                const run = podman(['run', '-d', '--network', 'none', '--name', name, '--arch', guest64.oci.architecture, dyn, 'sleep', '300']);
                strict_1.default.equal(run.status, 0, run.stderr);
                try {
                    const ex = podman(['exec', name, 'uname', '-m']);
                    strict_1.default.equal(ex.status, 0, ex.stderr);
                    strict_1.default.equal(ex.stdout.trim(), unameOf(guest64));
                }
                finally {
                    podman(['rm', '-f', '-t', '0', name]);
                }
            });
            await t.test('after podman system migrate (a new user namespace) the next foreign container works', () => {
                const ns0 = userNs(user);
                strict_1.default.equal(podman(['system', 'migrate']).status, 0);
                strict_1.default.notEqual(userNs(user), ns0, 'migrate made a new user namespace');
                const r = podman([...RUN, '--arch', guest64.oci.architecture, dyn, 'uname', '-m']);
                strict_1.default.equal(r.status, 0, `${r.stderr}\n${logText()}`);
                strict_1.default.equal(r.stdout.trim(), unameOf(guest64));
            });
            await t.test('10 foreign containers started at once in a fresh namespace all succeed; the instance is made once', async () => {
                strict_1.default.equal(podman(['system', 'migrate']).status, 0);
                const made = (logText().match(/made the private binfmt_misc instance/g) ?? []).length;
                const runs = await Promise.all(Array.from({ length: 10 }, () => user.runAsync(['podman', ...RUN, '--arch', guest64.oci.architecture, dyn, 'uname', '-m'])));
                const bad = runs.filter((r) => r.status !== 0 || r.stdout.trim() !== unameOf(guest64));
                strict_1.default.equal(bad.length, 0, bad.map((b) => b.stderr).join('\n') + logText());
                strict_1.default.equal((logText().match(/made the private binfmt_misc instance/g) ?? []).length, made + 1);
                const mounts = podman(['unshare', 'grep', '-c', ` ${hook_host_js_1.BINFMT} `, '/proc/self/mountinfo']);
                const hostMounts = (0, node_fs_1.readFileSync)('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(` ${hook_host_js_1.BINFMT} `)).length;
                strict_1.default.equal(Number(mounts.stdout.trim()), hostMounts + 1, 'one private mount on top of the host\'s');
            });
            await t.test('a native container of that user passes through byte for byte', () => {
                const cap = (0, node_path_1.join)(user.shared, 'capture.d');
                (0, node_fs_1.mkdirSync)(cap);
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cap, 'fexpod-precreate.json'), (0, node_fs_1.readFileSync)((0, node_path_1.join)(user.home, '.config', 'fexpod', 'hooks.d', 'fexpod-precreate.json')));
                const tee = (file) => JSON.stringify({ version: '1.0.0', hook: { path: '/usr/bin/tee', args: ['tee', file] }, when: { always: true }, stages: ['precreate'] });
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cap, '00-in.json'), tee((0, node_path_1.join)(user.shared, 'in.json')));
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cap, 'zz-out.json'), tee((0, node_path_1.join)(user.shared, 'out.json')));
                const r = podman([...RUN, '--hooks-dir', cap, native]);
                strict_1.default.equal(r.status, 0, r.stderr);
                const input = (0, node_fs_1.readFileSync)((0, node_path_1.join)(user.shared, 'in.json'));
                strict_1.default.ok(input.length > 1000);
                strict_1.default.ok((0, node_fs_1.readFileSync)((0, node_path_1.join)(user.shared, 'out.json')).equals(input), 'native config changed');
            });
            await t.test('with the static QEMU (fexpod hook install --user --emulator qemu-user-static)', () => {
                // In the live namespace: the dynamic entry is taken out, the static one registered by the next start.
                const r = fexpod(['hook', 'install', '--user', '--guest', guest64.name, '--emulator', 'qemu-user-static', '--json']);
                strict_1.default.equal(r.status, 0, r.stderr);
                strict_1.default.deepEqual(JSON.parse(r.stdout).entriesReplaced, [`fexpod-qemu-user-${guest64.name}`]);
                for (const img of [dyn, stat]) {
                    // No prefix is mounted for a static emulator: only the static QEMU can be running this.
                    const run = podman([...RUN, '--arch', guest64.oci.architecture, img, 'sh', '-c', 'uname -m; grep -c /fexpod/prefix/ /proc/self/mountinfo || true']);
                    strict_1.default.equal(run.status, 0, `${run.stderr}\n${logText()}`);
                    strict_1.default.deepEqual(run.stdout.trim().split('\n'), [unameOf(guest64), '0']);
                }
                strict_1.default.match(logText(), new RegExp(`qemu-user-static via fexpod-qemu-user-static-${guest64.name}`));
                const live = podman(['unshare', 'ls', hook_host_js_1.BINFMT]);
                strict_1.default.doesNotMatch(live.stdout, new RegExp(`^fexpod-qemu-user-${guest64.name}$`, 'm'));
            });
            await t.test('the host\'s binfmt_misc is byte-for-byte unchanged', () => {
                strict_1.default.equal(binfmtBytes(), hostDisabled);
            });
            await t.test('fexpod hook uninstall --user removes every file it wrote, and the live entries', () => {
                const r = fexpod(['hook', 'uninstall', '--user']);
                strict_1.default.equal(r.status, 0, r.stderr);
                strict_1.default.deepEqual(homeListing(user.home), homeBefore);
                const left = podman(['unshare', 'ls', hook_host_js_1.BINFMT]);
                strict_1.default.equal(left.status, 0, left.stderr);
                strict_1.default.doesNotMatch(left.stdout, /fexpod/);
                const after = podman([...RUN, '--arch', guest64.oci.architecture, stat, 'uname', '-m']);
                strict_1.default.notEqual(after.status, 0, 'nothing serves the foreign container any more');
            });
        }
        finally {
            u?.remove();
            checkout?.cleanup();
            (0, hook_host_js_1.binfmtRestore)(snapshot);
            const now = binfmtBytes();
            if (now !== before) {
                t.diagnostic(`binfmt_misc differs after restore:\n${now}\n--- before ---\n${before}`);
                strict_1.default.equal(now, before);
            }
        }
    });
});
