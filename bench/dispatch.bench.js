"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * What the muvm dispatcher adds to every x86 program started on a non-4k
 * host: the dispatcher (started as the kernel starts it, with the P-flag
 * arguments) running a muvm that returns at once, versus that muvm typed by
 * hand (`muvm -i -- FEX prog`), which is what a user would otherwise do. muvm
 * and FEX cannot run here, so both sides use the same do-nothing muvm
 * stand-in: the difference is the dispatcher's own cost (Node start-up, the
 * host facts, the request). A real muvm launch (a vsock round trip into the VM,
 * FEX's own start, or booting the VM on the first launch) comes on top of both
 * sides and is not measured. No target in the issue; the figure is printed.
 *
 * Runs as an unprivileged user (the dispatcher refuses root, as muvm does),
 * with the test-only host facts (16 KiB pages, an aarch64 host).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const host_override_js_1 = require("../src/emulator/host/host-override.js");
const dispatcher_script_js_1 = require("../src/emulator/microvm/dispatcher-script.js");
const integration_js_1 = require("../test/helpers/integration.js");
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? 100);
const NOBODY = 65534;
const tmp = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-dispatch-bench-'));
try {
    (0, node_fs_1.chmodSync)(tmp, 0o755);
    const bin = (0, node_path_1.join)(tmp, 'bin');
    (0, node_fs_1.mkdirSync)(bin);
    for (const name of ['muvm', 'FEX', 'FEXServer'])
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(bin, name), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const home = (0, node_path_1.join)(tmp, 'home');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.config', 'fex-emu'), { recursive: true });
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.local', 'share', 'fex-emu', 'RootFS'), { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(home, '.config', 'fex-emu', 'Config.json'), JSON.stringify({ Config: { RootFS: 'B.erofs' } }));
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(home, '.local', 'share', 'fex-emu', 'RootFS', 'B.erofs'), '');
    const facts = (0, node_path_1.join)(tmp, 'facts.json');
    (0, node_fs_1.writeFileSync)(facts, JSON.stringify({ testOnly: host_override_js_1.HOST_OVERRIDE_MARKER, arch: 'aarch64', pageSize: 16384, kvm: 'usable' }));
    const dispatcher = (0, node_path_1.join)(tmp, 'fexpod-dispatch');
    (0, node_fs_1.writeFileSync)(dispatcher, (0, dispatcher_script_js_1.dispatcherScript)(process.execPath, (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'hook', 'emulator', 'microvm', 'dispatch-main.js')), { mode: 0o755 });
    const prog = (0, node_path_1.join)(tmp, 'prog');
    (0, node_fs_1.writeFileSync)(prog, 'x86 program stand-in\n', { mode: 0o755 });
    const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, [host_override_js_1.HOST_OVERRIDE_ENV]: facts };
    const time = (file, args) => {
        const t0 = process.hrtime.bigint();
        const r = (0, node_child_process_1.spawnSync)(file, args, { stdio: 'ignore', env, uid: NOBODY, gid: NOBODY });
        const dt = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.status !== 0)
            throw new Error(`${file} exited ${r.status ?? r.signal}`);
        return dt;
    };
    const viaDispatcher = () => time(dispatcher, [prog, 'prog', '--flag']);
    const byHand = () => time((0, node_path_1.join)(bin, 'muvm'), ['-i', '--', 'FEX', prog, '--flag']);
    const nodeAlone = () => time(process.execPath, ['-e', '0']);
    const a = [];
    const b = [];
    const c = [];
    for (let i = 0; i < 5; i++)
        (viaDispatcher(), byHand(), nodeAlone());
    for (let i = 0; i < RUNS; i++) {
        if (i % 2 === 0)
            (a.push(viaDispatcher()), b.push(byHand()), c.push(nodeAlone()));
        else
            (c.push(nodeAlone()), b.push(byHand()), a.push(viaDispatcher()));
    }
    const median = (xs) => {
        const s = [...xs].sort((x, y) => x - y);
        const m = s.length >> 1;
        return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
    };
    const ma = median(a);
    const mb = median(b);
    process.stdout.write(`dispatch: ${RUNS} interleaved runs each, muvm and FEX are do-nothing stand-ins\n` +
        `  via fexpod's dispatcher (as binfmt_misc starts it): median ${ma.toFixed(1)} ms\n` +
        `  muvm -i -- FEX prog (by hand):                     median ${mb.toFixed(1)} ms\n` +
        `  node -e 0 (Node's own start-up, for scale):         median ${median(c).toFixed(1)} ms\n` +
        `  the dispatcher adds ${(ma - mb).toFixed(1)} ms per program start (ratio ${(ma / mb).toFixed(1)} against a muvm that does nothing)\n`);
}
finally {
    (0, node_fs_1.rmSync)(tmp, { recursive: true, force: true });
}
