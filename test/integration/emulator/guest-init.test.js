"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The in-guest step for real, as far as this machine allows: a krun microVM
 * cannot start here (no libkrun, no aarch64 KVM), but what the step relies on
 * is a binfmt_misc instance of its own, and kernel ≥ 6.7 gives every user
 * namespace one. So: stage the emulator (here the dynamic QEMU for a foreign
 * architecture, playing FEX's part) with fexpod-guest-init into a prefix,
 * bind-mount the prefix read-only into a root holding only a foreign static
 * busybox, and run the step there as the container's first process in a new
 * user + mount + pid namespace. It mounts that namespace's binfmt_misc,
 * registers the emulator from the injected prefix, and the foreign shell then
 * runs. Controls: the same namespace without the step cannot run the shell
 * (the instance starts empty, the host's entries do not apply), and in the
 * host's own user namespace the step never registers (the host's binfmt_misc
 * is untouched) and runs the program through the emulator instead.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const binfmt_plan_js_1 = require("../../../src/emulator/binfmt/binfmt-plan.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
const emulator_prefix_js_1 = require("../../../src/emulator/prefix/emulator-prefix.js");
const kernel_version_js_1 = require("../../../src/emulator/host/kernel-version.js");
const guest_init_js_1 = require("../../../src/emulator/microvm/guest-init.js");
const prefix_deps_js_1 = require("../../../src/emulator/prefix/prefix-deps.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const node_os_2 = require("node:os");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const guest = (0, foreign_image_js_1.foreignArches)()[0];
if (!guest)
    throw new Error('no foreign architecture for this host');
const QEMU = `/usr/bin/qemu-${guest.qemu}`;
const GUEST_INIT = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'native', 'fexpod-guest-init');
const UNAME = { aarch64: /^aarch64$/m, arm: /^armv7l$/m, x86_64: /^x86_64$/m, i386: /^i[3-6]86$/m };
const kernel = (0, kernel_version_js_1.parseKernelRelease)((0, node_os_2.release)());
const perUserns = { what: 'kernel ≥ 6.7 (binfmt_misc per user namespace)', ok: kernel !== undefined && (0, kernel_version_js_1.hasPerUsernsBinfmt)(kernel) };
/** Runs `argv` as the first process of a chroot that sees only `root` and the prefix (read-only, nosuid, nodev). */
async function inNamespace(opts, argv) {
    const ns = opts.userns ? ['--user', '--map-root-user', '--mount', '--pid', '--fork'] : ['--mount'];
    const script = [
        'set -e',
        'root=$1; prefix=$2; shift 2',
        'mount --bind "$prefix" "$root$prefix"',
        'mount -o remount,bind,ro,nosuid,nodev "$root$prefix"',
        ...(opts.userns ? ['mount -t proc proc "$root/proc"'] : []),
        ...(opts.binfmt ? ['mount -t binfmt_misc binfmt_misc "$root/proc/sys/fs/binfmt_misc"'] : []),
        'exec chroot "$root" "$@"',
    ].join('\n');
    try {
        const r = await run('unshare', [...ns, '--propagation', 'private', 'sh', '-c', script, 'sh', opts.root, opts.prefix, ...argv], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
    }
    catch (err) {
        const e = err;
        return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
}
(0, node_test_1.test)(`in-guest step: fexpod-guest-init registers the staged ${guest.name} emulator in a user namespace's own binfmt_misc, then the foreign program runs`, (0, integration_js_1.integration)((0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('unshare'), (0, integration_js_1.onPath)('chroot'), (0, integration_js_1.onPath)('patchelf'), (0, integration_js_1.onPath)('dpkg-deb'), (0, integration_js_1.fileExists)(QEMU), (0, integration_js_1.fileExists)(GUEST_INIT), perUserns), async () => {
    const state = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-guest-init-state-'));
    const root = (0, foreign_image_js_1.buildRootfs)(guest, 'static');
    try {
        const staged = await (0, emulator_prefix_js_1.stagePrefix)(QEMU, { stateDir: state, extraBinaries: [GUEST_INIT] }, (0, prefix_deps_js_1.nodePrefixDeps)());
        const prefix = staged.prefix;
        strict_1.default.ok(prefix, `${QEMU} is the dynamic build, so it is staged`);
        const init = staged.extra['fexpod-guest-init'];
        strict_1.default.equal(init, `${prefix}/bin/fexpod-guest-init`, 'the step lives in the prefix, with the prefix\'s loader');
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, prefix), { recursive: true });
        (0, node_fs_1.chmodSync)(root, 0o755);
        const rule = (0, binfmt_plan_js_1.buildRule)(guest, 'qemu-user', staged.interpreter, 'POF');
        const entries = [{ guest: guest.name, prefix, interpreter: staged.interpreter, registration: (0, binfmt_rule_js_1.formatRegistration)(rule), guestInit: init }];
        // The same first step the hook writes into a krun container's process.args.
        const step = (0, guest_init_js_1.firstStep)(entries, ['/bin/sh', '-c', `cat /proc/sys/fs/binfmt_misc/${rule.name}; echo "entries: $(ls /proc/sys/fs/binfmt_misc | tr '\\n' ' ')"; exec -a uname /bin/busybox -m`], '/bin/sh');
        strict_1.default.equal(step.how, 'register');
        const before = (0, node_fs_1.readdirSync)('/proc/sys/fs/binfmt_misc').sort();
        const ok = await inNamespace({ userns: true, root, prefix }, step.args);
        strict_1.default.equal(ok.code, 0, ok.stderr);
        strict_1.default.match(ok.stdout, new RegExp(`^interpreter ${staged.interpreter}$`, 'm'), 'registered from the injected prefix');
        strict_1.default.match(ok.stdout, /^flags: POF$/m);
        strict_1.default.match(ok.stdout, new RegExp(`^entries: ${rule.name} register status $`, 'm'), 'the namespace\'s instance holds only our entry');
        strict_1.default.match(ok.stdout, UNAME[guest.name] ?? /./, 'the foreign busybox ran (argv[0] "uname" reached it through P)');
        const control = await inNamespace({ userns: true, root, prefix, binfmt: true }, ['/bin/sh', '-c', 'true']);
        strict_1.default.notEqual(control.code, 0, 'without the step, the foreign shell cannot run in that namespace');
        strict_1.default.match(control.stderr, /Exec format error/);
        const host = await inNamespace({ userns: false, root, prefix }, (0, guest_init_js_1.firstStep)(entries, ['uname', '-m'], '/bin/uname').args);
        strict_1.default.equal(host.code, 0, host.stderr);
        strict_1.default.match(host.stderr, /not in a krun microVM nor in a user namespace of its own/);
        strict_1.default.match(host.stdout, UNAME[guest.name] ?? /./, 'run through the emulator instead');
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)('/proc/sys/fs/binfmt_misc').sort(), before, 'the host\'s binfmt_misc is untouched');
    }
    finally {
        (0, node_fs_1.rmSync)(state, { recursive: true, force: true });
        if ((0, node_fs_1.existsSync)(root))
            (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
    }
});
