"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod binfmt` against the real kernel binfmt_misc (global instance), as
 * root, under the shared binfmt test lock. Each test first makes the host
 * look like a stock Debian host (Debian's qemu-user-static entry for the guest
 * registered from /usr/lib/binfmt.d), and puts every entry back in finally.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const binfmt_lock_js_1 = require("../../helpers/binfmt-lock.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const BINFMT = '/proc/sys/fs/binfmt_misc';
const CLI = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
/** What `uname -m` says under QEMU for each guest. */
const UNAME = { aarch64: /^aarch64$/, arm: /^armv7l$/, x86_64: /^x86_64$/, i386: /^i[3-6]86$/ };
function snapshot() {
    const out = {};
    for (const n of (0, node_fs_1.readdirSync)(BINFMT).sort())
        if (n !== 'register')
            out[n] = (0, node_fs_1.readFileSync)((0, node_path_1.join)(BINFMT, n), 'utf8');
    return out;
}
function writeBinfmt(name, text) {
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(BINFMT, name), text);
}
/** Registers Debian's qemu-user-static entry for the guest if absent (enables it if disabled); returns its name if we added it. */
function stockDebian(guest) {
    const conf = `/usr/lib/binfmt.d/qemu-${guest.qemu}.conf`;
    const name = `qemu-${guest.qemu}`;
    if ((0, node_fs_1.existsSync)((0, node_path_1.join)(BINFMT, name))) {
        // Left disabled by an earlier run that was killed: stock again (restore() disables it again).
        if (!(0, node_fs_1.readFileSync)((0, node_path_1.join)(BINFMT, name), 'utf8').startsWith('enabled'))
            writeBinfmt(name, '1');
        return undefined;
    }
    const line = (0, node_fs_1.readFileSync)(conf, 'utf8').split('\n').find((l) => l.startsWith(':'));
    strict_1.default.ok(line, `${conf} has a rule`);
    writeBinfmt('register', line);
    return name;
}
/** Puts binfmt_misc back to `want` as far as fexpod could have changed it. */
function restore(want, added) {
    for (const n of (0, node_fs_1.readdirSync)(BINFMT)) {
        if ((n.startsWith('fexpod-') || n.endsWith('.fexpod-new')) && !(n in want))
            writeBinfmt(n, '-1');
    }
    for (const [n, text] of Object.entries(want)) {
        if (n === 'status' || !(0, node_fs_1.existsSync)((0, node_path_1.join)(BINFMT, n)))
            continue;
        const enabled = text.startsWith('enabled');
        if ((0, node_fs_1.readFileSync)((0, node_path_1.join)(BINFMT, n), 'utf8').startsWith('enabled') !== enabled)
            writeBinfmt(n, enabled ? '1' : '0');
    }
    if (added && (0, node_fs_1.existsSync)((0, node_path_1.join)(BINFMT, added)))
        writeBinfmt(added, '-1');
}
async function fexpod(args) {
    return run(process.execPath, [CLI, 'binfmt', ...args], { env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, maxBuffer: 1 << 24 });
}
/** A root filesystem holding only the guest's static busybox. */
function busyboxRootfs(guest, dir) {
    const [deb] = (0, foreign_image_js_1.debianPackages)(guest, ['busybox-static']);
    const x = (0, node_path_1.join)(dir, 'x');
    (0, node_child_process_1.execFileSync)('dpkg-deb', ['-x', deb ?? '', x]);
    const root = (0, node_path_1.join)(dir, 'rootfs');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, 'bin'), { recursive: true });
    (0, node_fs_1.copyFileSync)((0, node_path_1.join)(x, 'bin', 'busybox'), (0, node_path_1.join)(root, 'bin', 'busybox'));
    (0, node_child_process_1.execFileSync)('chmod', ['755', (0, node_path_1.join)(root, 'bin', 'busybox')]);
    return root;
}
/**
 * Runs `uname -m` chrooted into `root` in a fresh mount namespace, where the
 * prefix (when given) is bind-mounted read-only at its own path and nothing
 * else of the host is visible. With the prefix, the guest busybox shell execs
 * busybox with argv[0] "uname" (`exec -a`): busybox picks its applet from
 * argv[0], so "aarch64" also proves the P flag reaches QEMU intact.
 */
async function unameInChroot(root, prefix) {
    const script = prefix
        ? `mkdir -p "$1$2" && mount --bind -o ro "$2" "$1$2" && mount -o remount,bind,ro "$1$2" && exec chroot "$1" /bin/busybox sh -c 'exec -a uname /bin/busybox -m'`
        : `exec chroot "$1" /bin/busybox uname -m`;
    const { stdout } = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', root, prefix ?? ''], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    return stdout.trim();
}
const guests = (0, foreign_image_js_1.foreignArches)();
const needs = (g) => [(0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('unshare'), (0, integration_js_1.onPath)('chroot'), (0, integration_js_1.onPath)('patchelf'), (0, integration_js_1.onPath)('dpkg-deb'), (0, integration_js_1.onPath)('flock'), (0, integration_js_1.fileExists)(`/usr/bin/qemu-${g.qemu}`), (0, integration_js_1.fileExists)(`/usr/lib/binfmt.d/qemu-${g.qemu}.conf`), (0, integration_js_1.fileExists)(BINFMT + '/register')];
for (const guest of guests) {
    (0, node_test_1.test)(`binfmt install --guest ${guest.name} --emulator qemu-user: staged dynamic QEMU runs a static ${guest.debian} busybox (argv[0] kept by P) in a chroot that sees only the prefix; uninstall restores every entry`, (0, integration_js_1.integration)(...needs(guest)), async () => {
        await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
            const original = snapshot();
            const added = stockDebian(guest);
            const tmp = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), `fexpod-binfmt-it-${guest.name}-`));
            try {
                const before = snapshot();
                const debianEntry = `qemu-${guest.qemu}`;
                strict_1.default.match(before[debianEntry] ?? '', /^enabled/);
                const stateDir = (0, node_path_1.join)(tmp, 'state');
                const etc = (0, node_path_1.join)(tmp, 'etc', 'binfmt.d');
                const { stdout } = await fexpod(['install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir, '--persist', '--persist-dir', etc, '--json']);
                const r = JSON.parse(stdout);
                const g = r.installed[0];
                strict_1.default.ok(g);
                strict_1.default.equal(g.entryName, `fexpod-qemu-user-${guest.name}`);
                strict_1.default.equal(g.flags, 'POF');
                strict_1.default.ok(g.prefix && g.interpreter.startsWith(g.prefix + '/'), 'dynamic qemu is staged in a prefix');
                strict_1.default.deepEqual(g.disabled, [debianEntry]);
                const live = (0, node_fs_1.readFileSync)((0, node_path_1.join)(BINFMT, g.entryName), 'utf8');
                strict_1.default.match(live, /^enabled\ninterpreter .*\nflags: POF\n/);
                strict_1.default.match((0, node_fs_1.readFileSync)((0, node_path_1.join)(BINFMT, debianEntry), 'utf8'), /^disabled/);
                // systemd-binfmt would now load ours and not Debian's.
                strict_1.default.ok((0, node_fs_1.readFileSync)((0, node_path_1.join)(etc, `fexpod-qemu-user-${guest.name}.conf`), 'utf8').includes(`:${g.entryName}:M:0:`));
                strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(etc, `${debianEntry}.conf`)), '/dev/null');
                const root = busyboxRootfs(guest, tmp);
                strict_1.default.match(await unameInChroot(root, g.prefix), UNAME[guest.name] ?? /./);
                // Without the prefix the pinned (F) dynamic qemu finds no loader: the prefix is what makes it work.
                await strict_1.default.rejects(unameInChroot(root, undefined), (err) => /No such file or directory/.test(err.stderr ?? ''));
                const st = JSON.parse((await fexpod(['status', '--state-dir', stateDir, '--json'])).stdout);
                const ours = st.entries.find((e) => e.name === g.entryName);
                strict_1.default.equal(ours?.role, 'fexpod');
                strict_1.default.deepEqual(ours?.arches, [guest.name]);
                strict_1.default.equal(st.entries.find((e) => e.name === debianEntry)?.role, 'conflict-disabled-by-fexpod');
                const u = JSON.parse((await fexpod(['uninstall', '--state-dir', stateDir, '--json'])).stdout);
                strict_1.default.deepEqual(u.removed, [g.entryName]);
                strict_1.default.equal(u.stateRemoved, true);
                strict_1.default.deepEqual(snapshot(), before, 'every binfmt_misc file is back as it was');
                strict_1.default.deepEqual((0, node_fs_1.readdirSync)(etc), []);
                strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(stateDir, 'binfmt-state.json')), false);
            }
            finally {
                restore(original, added);
                (0, node_fs_1.rmSync)(tmp, { recursive: true, force: true });
            }
            strict_1.default.deepEqual(snapshot(), original);
        });
    });
}
const g0 = guests[0];
if (g0) {
    (0, node_test_1.test)(`two concurrent "binfmt install --guest ${g0.name}" both succeed and leave one correct entry`, (0, integration_js_1.integration)(...needs(g0)), async () => {
        await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
            const original = snapshot();
            const added = stockDebian(g0);
            const tmp = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-race-'));
            try {
                const before = snapshot();
                const stateDir = (0, node_path_1.join)(tmp, 'state');
                const args = ['install', '--guest', g0.name, '--emulator', 'qemu-user', '--state-dir', stateDir, '--json'];
                const [a, b] = await Promise.all([fexpod(args), fexpod(args)]);
                const ra = JSON.parse(a.stdout);
                const rb = JSON.parse(b.stdout);
                strict_1.default.deepEqual([ra.installed[0]?.outcome, rb.installed[0]?.outcome].sort(), ['registered', 'unchanged']);
                strict_1.default.equal(ra.installed[0]?.interpreter, rb.installed[0]?.interpreter);
                const ours = (0, node_fs_1.readdirSync)(BINFMT).filter((n) => n.startsWith('fexpod-'));
                strict_1.default.deepEqual(ours, [`fexpod-qemu-user-${g0.name}`]);
                const state = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(stateDir, 'binfmt-state.json'), 'utf8'));
                strict_1.default.equal(state.registrations.length, 1);
                strict_1.default.deepEqual(state.disabled.map((d) => [d.entryName, d.wasEnabled]), [[`qemu-${g0.qemu}`, true]]);
                await fexpod(['uninstall', '--state-dir', stateDir]);
                strict_1.default.deepEqual(snapshot(), before);
            }
            finally {
                restore(original, added);
                (0, node_fs_1.rmSync)(tmp, { recursive: true, force: true });
            }
            strict_1.default.deepEqual(snapshot(), original);
        });
    });
}
