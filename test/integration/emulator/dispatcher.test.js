"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The muvm dispatcher through the real kernel binfmt_misc, with recording
 * stand-ins for muvm and FEX (muvm, libkrun and a 16 KiB kernel do not exist
 * here) and a 16 KiB page size forced through the test-only host facts
 * (FEXPOD_TEST_HOST_FACTS).
 *
 * Under the binfmt test lock, the test registers the production dispatcher
 * script (dispatcherScript, flags PF as `fexpod binfmt install` does) for a
 * magic of this run's own, and runs files with that magic as an unprivileged
 * user: the kernel starts the dispatcher with the P layout, the dispatcher
 * runs the muvm stand-in, whose "guest" is a private user namespace with its
 * own binfmt_misc where the FEX stand-in is registered as FEX-x86_64, as
 * muvm-guest registers FEX. The FEX stand-in prints what the program got.
 * A stand-in for Fedora's binfmt-dispatcher (its documented main.rs logic)
 * shows the argv[0] bug of its issue #6 through the same kernel.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const promises_1 = require("node:timers/promises");
const host_override_js_1 = require("../../../src/emulator/host/host-override.js");
const muvm_js_1 = require("../../../src/emulator/microvm/muvm.js");
const dispatch_request_js_1 = require("../../../src/emulator/microvm/dispatch-request.js");
const dispatcher_script_js_1 = require("../../../src/emulator/microvm/dispatcher-script.js");
const binfmt_lock_js_1 = require("../../helpers/binfmt-lock.js");
const integration_js_1 = require("../../helpers/integration.js");
const standins_js_1 = require("../../helpers/microvm/standins.js");
const BINFMT = '/proc/sys/fs/binfmt_misc';
const NOBODY = 65534;
const ENTRY = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'hook', 'emulator', 'microvm', 'dispatch-main.js');
function run(file, args, o) {
    return new Promise((resolve, reject) => {
        const child = (0, node_child_process_1.spawn)(file, args, {
            ...(o.argv0 ? { argv0: o.argv0 } : {}),
            cwd: o.cwd ?? '/',
            env: o.env,
            ...(o.root ? {} : { uid: NOBODY, gid: NOBODY }),
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let fired = false;
        child.stdout.on('data', (d) => {
            stdout += d.toString();
            if (o.onOutput && !fired && stdout.includes(o.onOutput.text)) {
                fired = true;
                o.onOutput.then(child.pid ?? 0);
            }
        });
        child.stderr.on('data', (d) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
        child.stdin.end(o.input ?? '');
    });
}
const record = (r) => {
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    strict_1.default.ok(line, `no record on stdout; stderr:\n${r.stderr}`);
    return JSON.parse(line);
};
(0, node_test_1.test)('dispatcher through the real kernel binfmt_misc, with muvm and FEX stand-ins, on a stand-in 16 KiB host', (0, integration_js_1.integration)((0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('unshare'), (0, integration_js_1.fileExists)(`${BINFMT}/register`), (0, integration_js_1.fileExists)(ENTRY)), async (t) => {
    const S = (0, standins_js_1.makeStandIns)();
    const tag = (0, node_crypto_1.randomBytes)(4).toString('hex');
    const facts = (name, o) => {
        const p = (0, node_path_1.join)(S.dir, name);
        (0, node_fs_1.writeFileSync)(p, JSON.stringify({ testOnly: host_override_js_1.HOST_OVERRIDE_MARKER, arch: 'aarch64', ...o }));
        (0, node_fs_1.chmodSync)(p, 0o644);
        return p;
    };
    const f16k = facts('facts-16k.json', { pageSize: 16384, kvm: 'usable' });
    const home = (0, node_path_1.join)(S.dir, 'home');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.config', 'fex-emu'), { recursive: true });
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.local', 'share', 'fex-emu', 'RootFS'), { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(home, '.config', 'fex-emu', 'Config.json'), JSON.stringify({ Config: { RootFS: 'Test.erofs' } }));
    const rootfs = (0, node_path_1.join)(home, '.local', 'share', 'fex-emu', 'RootFS', 'Test.erofs');
    (0, node_fs_1.writeFileSync)(rootfs, 'an EroFS image stand-in');
    const work = (0, node_path_1.join)(S.dir, 'work dir');
    (0, node_fs_1.mkdirSync)(work);
    (0, node_fs_1.chmodSync)(work, 0o777);
    // The production dispatcher script, registered as `fexpod binfmt install` registers it (flags PF).
    const dispatcher = (0, node_path_1.join)(S.dir, 'fexpod-dispatch');
    (0, node_fs_1.writeFileSync)(dispatcher, (0, dispatcher_script_js_1.dispatcherScript)(process.execPath, ENTRY), { mode: 0o755 });
    (0, node_fs_1.chmodSync)(dispatcher, 0o755);
    // Fedora's binfmt-dispatcher (AsahiLinux/binfmt-dispatcher 0.1.x src/main.rs, use_muvm on a
    // non-4k host), reduced to what it does with the arguments: the binary (the resolved path
    // it reads from fd 3), then every argument the kernel passed, after `muvm --` and the
    // interpreter. It registers POCF; a script cannot be an O-flag interpreter, so this
    // stand-in registers PF and resolves the path fd 3 would name from its first argument.
    // Upstream also passes no -i, so a launch that joins a running VM has no stdio at all
    // (muvm commit a04c1ba); -i is added here only so that the test can read the argv.
    const fedoraDispatcher = (0, node_path_1.join)(S.dir, 'binfmt-dispatcher');
    (0, node_fs_1.writeFileSync)(fedoraDispatcher, '#!/bin/sh\nbinary=$(readlink -f "$1")\nexec muvm -i -- FEX "$binary" "$@"\n', { mode: 0o755 });
    (0, node_fs_1.chmodSync)(fedoraDispatcher, 0o755);
    const ours = `fexpod-t-dispatch-${tag}`;
    const fedora = `fexpod-t-binfmt-dispatcher-${tag}`;
    const fedoraMagic = `FXPDBD${tag}`;
    const prog = S.program('prog');
    const fedoraProg = S.program('fedora-prog', fedoraMagic);
    const base = {
        PATH: `${S.bin}:/usr/bin:/bin`,
        HOME: home,
        [host_override_js_1.HOST_OVERRIDE_ENV]: f16k,
        LANG: 'C',
        FOO: 'bar baz',
        EMPTY: '',
        GTK_IM_MODULE: 'ibus',
        DISPLAY: ':99',
        WAYLAND_DISPLAY: 'wayland-0',
    };
    await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
        try {
            (0, node_fs_1.writeFileSync)(`${BINFMT}/register`, `:${ours}:M::${S.magic64}::${dispatcher}:PF`);
            (0, node_fs_1.writeFileSync)(`${BINFMT}/register`, `:${fedora}:M::${fedoraMagic}::${fedoraDispatcher}:PF`);
            await t.test('argv[0] under P is what the caller passed; arguments muvm would eat (--help, -h) and empty ones arrive; cwd is the caller\'s', async () => {
                const args = ['record', 'a b', '--help', '-h', '', 'ü', '--', '-e'];
                const r = await run(prog, args, { argv0: 'custom-argv0', cwd: work, env: base });
                strict_1.default.equal(r.code, 0, r.stderr);
                const rec = record(r);
                strict_1.default.deepEqual(rec.argv, ['custom-argv0', ...args]);
                strict_1.default.equal(rec.cwd, work, 'the stand-in guest runs commands in "/": the dispatcher restored the cwd');
                const call = S.calls().at(-1);
                strict_1.default.ok(call);
                strict_1.default.equal(call.interactive, true);
                strict_1.default.equal(call.tty, false, 'stdin is a pipe: no -t');
                strict_1.default.deepEqual(call.images, [rootfs], 'the RootFS named in the user\'s FEX Config.json');
                strict_1.default.equal(call.command.length, 4, 'muvm sees one opaque request argument, never the program\'s arguments');
            });
            await t.test('a relative path, as a shell passes it: argv[0] stays "./prog"', async () => {
                const r = await run('./prog', ['record'], { argv0: './prog', cwd: S.dir, env: base });
                strict_1.default.equal(r.code, 0, r.stderr);
                strict_1.default.deepEqual(record(r).argv, ['./prog', 'record']);
            });
            await t.test('the environment is the caller\'s, except the display and session variables the microVM provides', async () => {
                const r = await run(prog, ['record'], { env: base });
                const env = record(r).env;
                const want = {};
                for (const [k, v] of Object.entries(base))
                    if (!dispatch_request_js_1.VM_OWNED_ENV.includes(k))
                        want[k] = v;
                Object.assign(want, { DISPLAY: ':1', GTK_IM_MODULE: 'xim', QT_IM_MODULE: 'xim', HK_SYSMEM: '1073741824', XDG_RUNTIME_DIR: '/run/user/guest-standin' });
                strict_1.default.deepEqual(env, Object.fromEntries(Object.entries(want).sort(([a], [b]) => (a < b ? -1 : 1))));
                strict_1.default.ok(!('MUVM_STANDIN_SERVER' in env), 'a variable of the guest server does not leak in');
                strict_1.default.ok(!S.calls().at(-1)?.envs.includes('DISPLAY'));
            });
            await t.test('stdin, stdout and stderr pass through', async () => {
                const input = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
                const r = await run(prog, ['cat'], { env: base, input });
                strict_1.default.equal(r.code, 0, r.stderr);
                strict_1.default.equal(r.stdout, input);
                strict_1.default.match(r.stderr, /cat: to stderr/);
            });
            await t.test('exit status passes through, also a death by signal (which muvm reports as 0)', async () => {
                const seven = await run(prog, ['record', '7'], { env: base });
                strict_1.default.equal(seven.code, 7);
                const died = await run(prog, ['die', 'SIGUSR2'], { env: base });
                strict_1.default.equal(died.signal, 'SIGUSR2', `code ${died.code}: ${died.stderr}`);
            });
            await t.test('a signal sent to the program\'s pid reaches it inside the VM (by a second muvm launch)', async () => {
                const before = S.calls().length;
                const r = await run(prog, ['wait'], {
                    env: base,
                    onOutput: { text: 'ready\n', then: (pid) => void (0, promises_1.setTimeout)(300).then(() => process.kill(pid, 'SIGTERM')) },
                });
                strict_1.default.match(r.stdout, /ready\ngot SIGTERM\n/);
                strict_1.default.equal(r.signal, 'SIGTERM', r.stderr);
                const forward = S.calls().slice(before).find((c) => c.command.includes('--fexpod-guest-signal'));
                strict_1.default.ok(forward, 'the signal travelled through muvm');
                strict_1.default.equal(forward.interactive, false);
            });
            await t.test('64 KiB pages (stand-in) take the same route', async () => {
                const r = await run(prog, ['record'], { env: { ...base, [host_override_js_1.HOST_OVERRIDE_ENV]: facts('facts-64k.json', { pageSize: 65536, kvm: 'usable' }) } });
                strict_1.default.equal(r.code, 0, r.stderr);
                strict_1.default.deepEqual(record(r).argv, [prog, 'record']);
            });
            const refusals = [
                { name: 'as root', env: base, root: true, reason: /muvm refuses to run as root/, fix: /as your own user/ },
                { name: 'without /dev/kvm', env: { ...base, [host_override_js_1.HOST_OVERRIDE_ENV]: facts('facts-nokvm.json', { pageSize: 16384, kvm: 'absent' }) }, reason: /\/dev\/kvm does not exist/, fix: /modprobe kvm/ },
                { name: 'with /dev/kvm not accessible', env: { ...base, [host_override_js_1.HOST_OVERRIDE_ENV]: facts('facts-kvm.json', { pageSize: 16384, kvm: 'inaccessible' }) }, reason: /\/dev\/kvm is not accessible to this user/, fix: /usermod -aG kvm/ },
                { name: 'without muvm', env: { ...base, PATH: '/usr/bin:/bin' }, reason: /muvm is not installed/, fix: /dnf install muvm/ },
            ];
            if (!(0, node_fs_1.existsSync)(muvm_js_1.MUVM_DEFAULT_ROOTFS)) {
                refusals.push({ name: 'without a RootFS image', env: { ...base, HOME: (0, node_path_1.join)(S.dir, 'nohome') }, reason: /no FEX RootFS image/, fix: /fexpod rootfs install/ });
            }
            for (const c of refusals) {
                await t.test(`a clear message and exit status 126 ${c.name}`, async () => {
                    const calls = S.calls().length;
                    const r = await run(prog, ['record'], { env: c.env, ...(c.root ? { root: true } : {}) });
                    strict_1.default.equal(r.code, 126, r.stderr);
                    strict_1.default.match(r.stderr, new RegExp(`fexpod-dispatch: cannot run ${prog}: ${c.reason.source}`));
                    strict_1.default.match(r.stderr, new RegExp(`fix: .*${c.fix.source}`));
                    strict_1.default.equal(r.stdout, '');
                    strict_1.default.equal(S.calls().length, calls, 'muvm was not started');
                });
            }
            await t.test('Fedora\'s binfmt-dispatcher logic (stand-in) duplicates argv[0] under P (its issue #6); ours does not', async () => {
                const args = ['record', 'x'];
                const theirs = await run(fedoraProg, args, { argv0: 'custom-argv0', env: base });
                strict_1.default.deepEqual(record(theirs).argv, [fedoraProg, fedoraProg, 'custom-argv0', ...args]);
                const mine = await run(prog, args, { argv0: 'custom-argv0', env: base });
                strict_1.default.deepEqual(record(mine).argv, ['custom-argv0', ...args]);
            });
        }
        finally {
            for (const n of [ours, fedora])
                if ((0, node_fs_1.existsSync)(`${BINFMT}/${n}`))
                    (0, node_fs_1.writeFileSync)(`${BINFMT}/${n}`, '-1');
        }
    });
    (0, node_fs_1.rmSync)(S.dir, { recursive: true, force: true });
});
