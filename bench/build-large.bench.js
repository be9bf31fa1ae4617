"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * fexpod build on the large set (bench/large-set.ts: ≥ 50 packages, a ≥ 400 MB
 * tree of real binaries) against the pipeline a user would otherwise script,
 * side by side in one run, from the same loopback repository, cold caches:
 *
 *   scripted: dnf --installroot → tar → podman import → skopeo copy to oci: → mkfs.erofs -zlz4hc
 *   fexpod:   fexpod build --format oci,erofs, gzip layer (parallel) and zstd layer
 *   no-op:    the same fexpod build again (same lock, same outputs): verified reuse
 *   RSS:      fexpod's peak RSS (GNU time) at 1x and at 2x the tree
 *
 * Targets (issue 9): gzip ≤ 0.5x, zstd ≤ 0.25x the scripted pipeline; no-op
 * ≤ 0.1x the cold build; peak RSS ≤ 300 MB and within 10 % at twice the tree.
 * FEXPOD_BENCH_RUNS (default 3). Needs root, dnf, podman, skopeo, rpmbuild.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const large_set_js_1 = require("./large-set.js");
const repoRoot = new URL('../../', import.meta.url).pathname;
const cli = (0, node_path_1.join)(repoRoot, 'dist', 'src', 'cli.js');
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '3');
function run(cmd, args) {
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
    return r.stdout + r.stderr;
}
/** Wall ms, CPU s (user+sys incl. children) and peak RSS KiB (largest process) under GNU time. */
function timed(cmd, args) {
    const t0 = process.hrtime.bigint();
    const out = run('/usr/bin/time', ['-f', 'fexpod-bench-time %U %S %M', cmd, ...args]);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const m = /fexpod-bench-time ([\d.]+) ([\d.]+) (\d+)/.exec(out);
    return { ms, cpu: Number(m?.[1] ?? 0) + Number(m?.[2] ?? 0), rssKb: Number(m?.[3] ?? 0) };
}
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
function fexpod(s, d, compression, extra = []) {
    return timed(process.execPath, [cli, 'build', s.def, '--repo', `demo=${s.url}`, '--format', 'oci,erofs', '--compression', compression, '-o', (0, node_path_1.join)(d, 'out'), '--cache-dir', (0, node_path_1.join)(d, 'cache'), '--lock', (0, node_path_1.join)(d, 'lock.json'), ...extra]);
}
function scripted(s, d, names, i) {
    const root = (0, node_path_1.join)(d, 'root');
    (0, node_fs_1.mkdirSync)(root, { recursive: true });
    const image = `localhost/fexpod-bench-large-${process.pid}:run${i}`;
    const t0 = process.hrtime.bigint();
    let cpu = 0;
    cpu += timed('dnf', ['-y', '-q', `--installroot=${root}`, '--releasever=42', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${(0, node_path_1.join)(d, 'cache')}`,
        '--setopt=install_weak_deps=False', '--setopt=tsflags=nodocs', `--repofrompath=demo,${s.url}`, '--repo=demo', '--nogpgcheck',
        'install', 'basesystem', 'demo-busybox', ...names]).cpu;
    cpu += timed('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', (0, node_path_1.join)(d, 'layer.tar'), '.']).cpu;
    cpu += timed('podman', ['import', '-q', (0, node_path_1.join)(d, 'layer.tar'), image]).cpu;
    cpu += timed('skopeo', ['copy', '-q', `containers-storage:${image}`, `oci:${(0, node_path_1.join)(d, 'oci')}:large`]).cpu;
    cpu += timed('mkfs.erofs', ['--quiet', '-zlz4hc', (0, node_path_1.join)(d, 'large.erofs'), root]).cpu;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    (0, node_child_process_1.spawnSync)('podman', ['rmi', '-f', image], { stdio: 'ignore' });
    return { ms, cpu };
}
function treeBytes(d) {
    const out = run('du', ['-sb', (0, node_path_1.join)(d, 'root')]);
    return Number(out.split(/\s/)[0]);
}
const set1 = (0, large_set_js_1.largeSet)(1);
const set2 = (0, large_set_js_1.largeSet)(2);
const port = 21000 + (process.pid % 20000);
const s1 = (0, large_set_js_1.serve)(set1, port, ['basesystem', 'demo-busybox', ...set1.names]);
const s2 = (0, large_set_js_1.serve)(set2, port + 1, ['basesystem', 'demo-busybox', ...set2.names]);
const line = (label, ms, cpu, extra = '') => process.stdout.write(`  ${label.padEnd(58)} wall ${(ms / 1000).toFixed(2).padStart(6)} s  CPU ${cpu.toFixed(2).padStart(6)} s${extra}\n`);
try {
    const peer = [], peerCpu = [];
    const gz = [], gzCpu = [], zs = [], zsCpu = [], noop = [];
    let rss1 = 0, rss2 = 0, tree = 0;
    for (let i = -1; i < RUNS; i++) { // run -1: warm-up (page cache, podman storage), not counted
        const d = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-large-run-'));
        try {
            const p = scripted(s1, (0, node_path_1.join)(d, 'peer'), set1.names, i);
            if (i === 0)
                tree = treeBytes((0, node_path_1.join)(d, 'peer'));
            (0, node_fs_1.rmSync)((0, node_path_1.join)(d, 'peer'), { recursive: true, force: true });
            const g = fexpod(s1, (0, node_path_1.join)(d, 'gz'), 'gzip');
            const n = fexpod(s1, (0, node_path_1.join)(d, 'gz'), 'gzip');
            (0, node_fs_1.rmSync)((0, node_path_1.join)(d, 'gz'), { recursive: true, force: true });
            const z = fexpod(s1, (0, node_path_1.join)(d, 'zs'), 'zstd');
            (0, node_fs_1.rmSync)((0, node_path_1.join)(d, 'zs'), { recursive: true, force: true });
            if (i < 0)
                continue;
            peer.push(p.ms);
            peerCpu.push(p.cpu);
            gz.push(g.ms);
            gzCpu.push(g.cpu);
            zs.push(z.ms);
            zsCpu.push(z.cpu);
            noop.push(n.ms);
            rss1 = Math.max(rss1, g.rssKb, z.rssKb);
        }
        finally {
            (0, node_fs_1.rmSync)(d, { recursive: true, force: true });
        }
    }
    const d2 = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-large-2x-'));
    try {
        rss2 = fexpod(s2, d2, 'gzip').rssKb;
    }
    finally {
        (0, node_fs_1.rmSync)(d2, { recursive: true, force: true });
    }
    const [pm, gm, zm, nm] = [median(peer), median(gz), median(zs), median(noop)];
    process.stdout.write(`build set "large" (${set1.names.length} packages + 4 base, ${(set1.bytes / 1e6).toFixed(0)} MB of host binaries, tree ${(tree / 1e6).toFixed(0)} MB; OCI layout + EroFS; cold caches; ${RUNS} runs, median; load ${(0, node_fs_1.readFileSync)('/proc/loadavg', 'utf8').split(' ')[0]})\n`);
    line('dnf --installroot + tar + podman import + skopeo + mkfs.erofs', pm, median(peerCpu));
    line('fexpod build --compression gzip', gm, median(gzCpu), `   ratio ${(gm / pm).toFixed(2)}x (target <= 0.5x)`);
    line('fexpod build --compression zstd', zm, median(zsCpu), `   ratio ${(zm / pm).toFixed(2)}x (target <= 0.25x)`);
    line('fexpod build again (no-op: outputs verified, reused)', nm, 0, `   ratio ${(nm / gm).toFixed(2)}x of cold (target <= 0.1x)`);
    process.stdout.write(`  fexpod peak RSS: ${(rss1 / 1024).toFixed(0)} MiB at 1x (target <= 300), ${(rss2 / 1024).toFixed(0)} MiB at 2x (${(set2.bytes / 1e6).toFixed(0)} MB of binaries): ${(((rss2 - rss1) / rss1) * 100).toFixed(0)} % (target within 10 %)\n`);
}
finally {
    s1.close();
    s2.close();
}
