"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * What the Podman hook costs.
 *  1. Native containers: median `podman run --rm` of a native container with
 *     the precreate hook installed vs without it (target ratio ≤ 1.05).
 *     Runs alternate with and without, so that load drifts hit both sides.
 *  2. Foreign containers: the hook's own time on a real captured config
 *     (corpus rootful-arm64-uname.json pointed at a rootfs with a foreign ELF),
 *     against bare `node` startup, so the share of Node itself is visible.
 * Needs root and podman; prints figures, asserts nothing.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../src/common/arch.js");
const install_state_js_1 = require("../src/emulator/binfmt/install-state.js");
const hook_command_js_1 = require("../src/runtime-hook/install/hook-command.js");
const rootfs_fixture_js_1 = require("../test/unit/runtime-hook/rootfs-fixture.js");
const repo = new URL('../../', import.meta.url).pathname;
const cli = (0, node_path_1.join)(repo, 'dist', 'src', 'cli.js');
const hookMain = (0, hook_command_js_1.defaultHookScript)();
const corpus = process.env['FEXPOD_CORPUS'] ?? (0, node_path_1.join)(repo, 'test', 'fixtures', 'corpus');
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '15');
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
function timed(cmd, args, opts = {}) {
    const t0 = process.hrtime.bigint();
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { input: opts.input, env: opts.env ?? process.env, stdio: ['pipe', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
    return ms;
}
const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-bench-'));
try {
    const host = arch_js_1.Arch.fromNode(process.arch);
    const canPodman = process.getuid?.() === 0 && (0, node_child_process_1.spawnSync)('podman', ['--version']).status === 0;
    // 2. The hook's own time, foreign path and native path, on a captured config.
    const guest = host.name === 'x86_64' ? arch_js_1.Arch.of('aarch64') : arch_js_1.Arch.of('x86_64');
    const root = (0, node_path_1.join)(dir, 'rootfs');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, 'bin'), { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(root, 'bin', 'uname'), (0, rootfs_fixture_js_1.elfHeader)(guest));
    (0, node_fs_1.chmodSync)((0, node_path_1.join)(root, 'bin', 'uname'), 0o755);
    const nroot = (0, node_path_1.join)(dir, 'native-rootfs');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(nroot, 'bin'), { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(nroot, 'bin', 'uname'), (0, rootfs_fixture_js_1.elfHeader)(host));
    (0, node_fs_1.chmodSync)((0, node_path_1.join)(nroot, 'bin', 'uname'), 0o755);
    const capture = (0, node_fs_1.readFileSync)((0, node_path_1.join)(corpus, 'podman-configs', 'rootful-arm64-uname.json'), 'utf8');
    const origRoot = JSON.stringify(JSON.parse(capture).root.path);
    const foreignCfg = Buffer.from(capture.replace(origRoot, JSON.stringify(root)));
    const nativeCfg = Buffer.from(capture.replace(origRoot, JSON.stringify(nroot)));
    // An entry that is present and enabled, so the hook only reads binfmt_misc (never writes it here).
    const present = (0, node_fs_1.readdirSync)('/proc/sys/fs/binfmt_misc').find((n) => n !== 'register' && n !== 'status' && (0, node_fs_1.readFileSync)(`/proc/sys/fs/binfmt_misc/${n}`, 'utf8').startsWith('enabled'));
    const state = (0, node_path_1.join)(dir, 'binfmt-state.json');
    const prefix = (0, node_path_1.join)(dir, 'prefix');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(prefix, 'bin'), { recursive: true });
    (0, node_fs_1.writeFileSync)(state, (0, install_state_js_1.formatInstallState)({
        version: 1,
        registrations: [{ guest: guest.name, emulator: 'qemu-user', entryName: present ?? 'fexpod-bench-none', registration: ':fexpod-bench-none:M::\\x7f:\\xff:/nonexistent:F', interpreter: `${prefix}/bin/qemu`, prefix }],
        disabled: [],
        persisted: [],
    }));
    const hookArgs = [hookMain, 'precreate', '--state', state, '--log', (0, node_path_1.join)(dir, 'hook.log')];
    const env = {};
    for (let i = 0; i < 3; i++)
        timed(process.execPath, hookArgs, { input: foreignCfg, env });
    const tNode = [];
    const tNative = [];
    const tForeign = [];
    for (let i = 0; i < 20; i++) {
        tNode.push(timed(process.execPath, ['-e', ''], { env }));
        tNative.push(timed(process.execPath, hookArgs, { input: nativeCfg, env }));
        tForeign.push(timed(process.execPath, hookArgs, { input: foreignCfg, env }));
    }
    const out = (0, node_child_process_1.spawnSync)(process.execPath, hookArgs, { input: foreignCfg, env: {} }).stdout.toString();
    const edited = out !== foreignCfg.toString();
    console.log(`hook process ${hookMain}, median of 20 (empty environment, as Podman runs it):`);
    console.log(`  bare node startup      ${median(tNode).toFixed(1)} ms`);
    console.log(`  hook, native config    ${median(tNative).toFixed(1)} ms  (+${(median(tNative) - median(tNode)).toFixed(1)} ms over bare node)`);
    console.log(`  hook, foreign config   ${median(tForeign).toFixed(1)} ms  (+${(median(tForeign) - median(tNode)).toFixed(1)} ms over bare node)${edited ? '' : '  [binfmt entry missing: spec not edited]'}`);
    console.log(`hook's added time for a foreign container: ${median(tForeign).toFixed(1)} ms`);
    // 1. podman run of a native container, with vs without the hook.
    if (!canPodman) {
        console.log('podman run comparison skipped: needs root and podman');
    }
    else {
        const img = 'localhost/fexpod-hook-bench-native:latest';
        const ctr = (0, node_path_1.join)(dir, 'img');
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(ctr, 'bin'), { recursive: true });
        (0, node_fs_1.copyFileSync)('/bin/busybox', (0, node_path_1.join)(ctr, 'bin', 'busybox'));
        (0, node_child_process_1.execFileSync)('tar', ['-C', ctr, '-cf', (0, node_path_1.join)(dir, 'img.tar'), '.']);
        (0, node_child_process_1.execFileSync)('podman', ['import', '--change', 'CMD=["/bin/busybox","true"]', (0, node_path_1.join)(dir, 'img.tar'), img], { stdio: 'ignore' });
        const hooks = (0, node_path_1.join)(dir, 'hooks.d');
        const none = (0, node_path_1.join)(dir, 'none.d');
        (0, node_fs_1.mkdirSync)(none);
        (0, node_child_process_1.execFileSync)(process.execPath, [cli, 'hook', 'install', '--hooks-dir', hooks, '--conf-dir', (0, node_path_1.join)(dir, 'conf.d'), '--no-build-hook', '--state', state, '--log', (0, node_path_1.join)(dir, 'hook.log')], { stdio: 'ignore' });
        // The floor of any precreate hook: Podman's own hook machinery with /bin/cat as the hook.
        const cat = (0, node_path_1.join)(dir, 'cat.d');
        (0, node_fs_1.mkdirSync)(cat);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(cat, 'cat.json'), JSON.stringify({ version: '1.0.0', hook: { path: '/bin/cat', args: ['cat'] }, when: { always: true }, stages: ['precreate'] }));
        const run = (hd) => timed('podman', ['run', '--rm', '--hooks-dir', hd, img]);
        for (let i = 0; i < 3; i++) {
            run(none);
            run(hooks);
            run(cat);
        }
        const without = [];
        const withHook = [];
        const withCat = [];
        for (let i = 0; i < RUNS; i++) {
            without.push(run(none));
            withHook.push(run(hooks));
            withCat.push(run(cat));
        }
        (0, node_child_process_1.execFileSync)('podman', ['rmi', '-f', img], { stdio: 'ignore' });
        const a = median(without);
        const b = median(withHook);
        console.log(`podman run --rm (native busybox), median of ${RUNS}, alternating:`);
        console.log(`  without hook  ${a.toFixed(1)} ms`);
        console.log(`  with hook     ${b.toFixed(1)} ms`);
        console.log(`  with /bin/cat as precreate hook (floor of any hook)  ${median(withCat).toFixed(1)} ms, ratio ${(median(withCat) / a).toFixed(3)}`);
        console.log(`  ratio with/without: ${(b / a).toFixed(3)} (target <= 1.05)`);
    }
}
finally {
    (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
}
