"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Resolve + verified download on the large set (bench/large-set.ts, 64
 * packages, ~180 MB of RPMs): `fexpod lock --fetch` against `dnf install
 * --downloadonly`, both cold (fresh cache, fresh metadata), from the same
 * loopback repository. The bench packages are unsigned: gpgcheck is off on
 * both sides (both still check every package's sha256). Target (issue 9):
 * ≤ 0.7×. FEXPOD_BENCH_RUNS (default 3).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const large_set_js_1 = require("./large-set.js");
const repoRoot = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '3');
function timed(cmd, args) {
    return new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const c = (0, node_child_process_1.spawn)(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d) => (err += d.toString()));
        c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-800)}`))));
    });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const set = (0, large_set_js_1.largeSet)(1);
const packages = ['basesystem', 'demo-busybox', ...set.names];
const s = (0, large_set_js_1.serve)(set, 25000 + (process.pid % 20000), packages);
const ours = [];
const theirs = [];
try {
    for (let i = -1; i < RUNS; i++) {
        const d = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-resolve-large-'));
        try {
            const a = await timed(process.execPath, [(0, node_path_1.join)(repoRoot, 'dist', 'src', 'cli.js'), 'lock', s.def, '--repo', `demo=${s.url}`, '--fetch', '--cache-dir', (0, node_path_1.join)(d, 'cache'), '--output', (0, node_path_1.join)(d, 'lock.json')]);
            const b = await timed('dnf', [
                '-q', '-y', '--installroot', (0, node_path_1.join)(d, 'root'), '--releasever', '42', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${(0, node_path_1.join)(d, 'dnfcache')}`,
                '--setopt=install_weak_deps=False', '--noplugins', `--repofrompath=demo,${s.url}`, '--repo=demo', '--nogpgcheck',
                'install', '--downloadonly', '--downloaddir', (0, node_path_1.join)(d, 'dl'), ...packages,
            ]);
            if (i >= 0) {
                ours.push(a);
                theirs.push(b);
            }
        }
        finally {
            (0, node_fs_1.rmSync)(d, { recursive: true, force: true });
        }
    }
}
finally {
    s.close();
}
const [a, b] = [median(ours), median(theirs)];
process.stdout.write(`resolve + download, large set (${packages.length} requested packages, cold cache, ${RUNS} runs, loopback HTTP)\n` +
    `  fexpod lock --fetch:          median ${a.toFixed(0)} ms (${ours.map((x) => x.toFixed(0)).join(' ')})\n` +
    `  dnf install --downloadonly:   median ${b.toFixed(0)} ms (${theirs.map((x) => x.toFixed(0)).join(' ')})\n` +
    `  ratio fexpod/dnf: ${(a / b).toFixed(2)} (target <= 0.7)\n`);
