"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * What the binfmt registration costs: running a foreign static busybox
 * through the kernel (binfmt_misc → fexpod's entry → the staged, patched
 * dynamic QEMU) versus running the same QEMU by hand (`qemu-<arch> busybox true`),
 * which is what a user would otherwise type. Target: ratio ≤ 1.02.
 *
 * Uses the real global binfmt_misc under the shared test lock, with a temp
 * state dir, and uninstalls (restoring the previous entries) at the end.
 * Needs root, qemu-user, patchelf.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const binfmt_lock_js_1 = require("../test/helpers/binfmt-lock.js");
const foreign_image_js_1 = require("../test/helpers/foreign-image.js");
const integration_js_1 = require("../test/helpers/integration.js");
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? 300);
const guest = (0, foreign_image_js_1.foreignArches)()[0];
if (!guest)
    throw new Error('no foreign architecture for this host');
const cli = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
const env = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
    const tmp = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmt-bench-'));
    const stateDir = (0, node_path_1.join)(tmp, 'state');
    try {
        const [deb] = (0, foreign_image_js_1.debianPackages)(guest, ['busybox-static']);
        (0, node_child_process_1.execFileSync)('dpkg-deb', ['-x', deb ?? '', (0, node_path_1.join)(tmp, 'x')]);
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(tmp, 'bin'));
        const busybox = (0, node_path_1.join)(tmp, 'bin', 'busybox');
        (0, node_fs_1.copyFileSync)((0, node_path_1.join)(tmp, 'x', 'bin', 'busybox'), busybox);
        (0, node_child_process_1.execFileSync)('chmod', ['755', busybox]);
        const out = (0, node_child_process_1.execFileSync)(process.execPath, [cli, 'binfmt', 'install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir, '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        const installed = JSON.parse(out.toString()).installed[0];
        process.stderr.write(`registered ${installed.entryName} -> ${installed.interpreter}\n`);
        // Interleaved runs (A B, B A, A B, …): load drifting on a shared machine
        // hits both commands alike, which back-to-back batches do not.
        const viaBinfmt = [];
        const direct = [];
        const time = (file, args) => {
            const t0 = process.hrtime.bigint();
            const r = (0, node_child_process_1.spawnSync)(file, args, { stdio: 'ignore', env });
            const dt = Number(process.hrtime.bigint() - t0) / 1e6;
            if (r.status !== 0)
                throw new Error(`${file} ${args.join(' ')} exited ${r.status ?? r.signal}`);
            return dt;
        };
        const runVia = () => time(busybox, ['true']);
        const runDirect = () => time(`/usr/bin/qemu-${guest.qemu}`, [busybox, 'true']);
        for (let i = 0; i < 20; i++)
            (runVia(), runDirect());
        for (let i = 0; i < RUNS; i++) {
            if (i % 2 === 0)
                (viaBinfmt.push(runVia()), direct.push(runDirect()));
            else
                (direct.push(runDirect()), viaBinfmt.push(runVia()));
        }
        const median = (xs) => {
            const s = [...xs].sort((a, b) => a - b);
            const m = s.length >> 1;
            return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
        };
        const a = median(viaBinfmt);
        const b = median(direct);
        const ratio = a / b;
        process.stdout.write(`binfmt: ${guest.name} busybox true, ${RUNS} interleaved runs each\n` +
            `  via binfmt_misc (staged qemu-user, F flag): median ${a.toFixed(2)} ms\n` +
            `  qemu-${guest.qemu} busybox true (by hand):     median ${b.toFixed(2)} ms\n` +
            `  ratio binfmt/direct: ${ratio.toFixed(3)} (target <= 1.02)\n`);
    }
    finally {
        try {
            (0, node_child_process_1.execFileSync)(process.execPath, [cli, 'binfmt', 'uninstall', '--state-dir', stateDir], { env, stdio: ['ignore', 'ignore', 'inherit'] });
        }
        finally {
            (0, node_fs_1.rmSync)(tmp, { recursive: true, force: true });
        }
    }
});
