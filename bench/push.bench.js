"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod push` against `skopeo copy`, the tool a user would otherwise run
 * (`skopeo copy oci:LAYOUT:REF docker://…`), pushing the same OCI layout to
 * the same kind of registry: Debian's docker-registry on loopback, a fresh
 * one (empty storage) for every cold run so neither tool finds a blob there.
 *
 *   cold      the whole image uploaded                     (target ≤ 0.8×)
 *   re-push   the same image again, nothing changed        (target ≤ 0.1×)
 *
 * The layout is the sample tree plus FEXPOD_BENCH_MB (default 96) MiB of
 * files, half random, half text, in one layer, like a RootFS layer. Both
 * tools run as CLI processes (their start-up counts). Median of
 * FEXPOD_BENCH_RUNS (default 5). Needs docker-registry and skopeo; prints
 * figures, asserts nothing.
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const log_js_1 = require("../src/common/log.js");
const process_runner_js_1 = require("../src/common/process-runner.js");
const output_plan_js_1 = require("../src/builder/outputs/output-plan.js");
const outputs_js_1 = require("../src/builder/steps/outputs.js");
const tree_js_1 = require("../src/builder/tree/tree.js");
const connect_js_1 = require("../src/registry/connect.js");
const reference_js_1 = require("../src/registry/reference.js");
const oci_source_js_1 = require("../src/publish/oci-source.js");
const publish_js_1 = require("../src/publish/publish.js");
const sample_tree_js_1 = require("../test/helpers/sample-tree.js");
const registry_js_1 = require("../test/helpers/registry.js");
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '5');
const MB = Number(process.env['FEXPOD_BENCH_MB'] ?? '96');
const cli = (0, node_path_1.join)(new URL('../src/cli.js', import.meta.url).pathname);
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
function timed(cmd, args) {
    const t0 = process.hrtime.bigint();
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
    return s;
}
function noiseTree() {
    const entries = [...(0, sample_tree_js_1.sampleTree)(), { path: 'usr/share/bench', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: sample_tree_js_1.SAMPLE_EPOCH }];
    const words = 'fexpod registry push layer blob manifest digest chunk upload resume '.repeat(1 << 12);
    for (let i = 0; i < MB; i++) {
        const data = i % 2 === 0 ? (0, node_crypto_1.randomBytes)(1 << 20) : Buffer.from(words.slice(0, 1 << 20));
        entries.push({ path: `usr/share/bench/f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: sample_tree_js_1.SAMPLE_EPOCH, content: (0, tree_js_1.bufferContent)(data) });
    }
    return entries;
}
const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-push-'));
try {
    await (0, outputs_js_1.writeOutputs)({ entries: noiseTree(), formats: ['oci'], outDir: work, names: (0, output_plan_js_1.defaultOutputNames)('bench'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: sample_tree_js_1.SAMPLE_EPOCH, image: { refName: 'bench:1', createdBy: 'fexpod bench' } }, { runner: process_runner_js_1.processRunner, privileged: process.getuid?.() === 0, pageSize: 4096, env: process.env, log: log_js_1.silentLogger });
    const layout = (0, node_path_1.join)(work, 'bench.oci');
    const size = Number((0, node_child_process_1.spawnSync)('du', ['-sb', layout], { encoding: 'utf8' }).stdout.split('\t')[0]);
    (0, node_fs_1.statSync)(layout);
    const cold = { fexpod: [], skopeo: [] };
    const again = { fexpod: [], skopeo: [] };
    const inProcess = [];
    for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? ['fexpod', 'skopeo'] : ['skopeo', 'fexpod'];
        for (const tool of order) {
            const reg = await (0, registry_js_1.startRegistry)();
            try {
                const dest = `${reg.host}/bench/image:${i}`;
                const push = () => tool === 'fexpod'
                    ? timed(process.execPath, [cli, 'push', '--tls-verify=false', layout, dest])
                    : timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:bench:1`, `docker://${dest}`]);
                cold[tool].push(push());
                again[tool].push(push());
                if (tool === 'fexpod') {
                    // the same re-push as a library call: fexpod's own work, without Node's start-up
                    const ref = (0, reference_js_1.parseReference)(dest);
                    const client = await (0, connect_js_1.connectRegistry)(ref, { tlsVerify: false }, { env: {}, home: work, uid: 0, log: log_js_1.silentLogger, now: Date.now });
                    const src = await (0, oci_source_js_1.openLayout)(layout, work);
                    const t0 = process.hrtime.bigint();
                    const r = await (0, publish_js_1.publish)(client, { ref, layouts: [src] }, { jobs: 4, chunkSize: 64 << 20, now: Date.now, sleep: async () => { }, random: Math.random });
                    inProcess.push(Number(process.hrtime.bigint() - t0) / 1e9);
                    if (r.changed)
                        throw new Error('the re-push changed something');
                    client.close();
                }
            }
            finally {
                await reg.close();
            }
        }
    }
    const f = (s) => `${(s * 1000).toFixed(0)} ms`;
    const mcf = median(cold.fexpod);
    const mcs = median(cold.skopeo);
    const maf = median(again.fexpod);
    const mas = median(again.skopeo);
    process.stdout.write(`push of a ${(size / 1048576).toFixed(1)} MiB OCI layout to docker-registry on loopback, median of ${RUNS}\n`);
    process.stdout.write(`  cold     fexpod push ${f(mcf)} (${(size / 1048576 / mcf).toFixed(0)} MiB/s)   skopeo copy ${f(mcs)} (${(size / 1048576 / mcs).toFixed(0)} MiB/s)   ratio ${(mcf / mcs).toFixed(2)} (target ≤ 0.8)\n`);
    process.stdout.write(`  re-push  fexpod push ${f(maf)}   skopeo copy ${f(mas)}   ratio ${(maf / mas).toFixed(2)} (target ≤ 0.1); against skopeo's cold push ${(maf / mcs).toFixed(3)}\n`);
    const node = median(Array.from({ length: RUNS }, () => timed(process.execPath, ['-e', '0'])));
    process.stdout.write(`  re-push inside one process (no start-up): ${f(median(inProcess))}; Node's own start-up here: ${f(node)}\n`);
    process.stdout.write(`  runs: fexpod cold ${cold.fexpod.map(f).join(' ')}, skopeo cold ${cold.skopeo.map(f).join(' ')}; fexpod again ${again.fexpod.map(f).join(' ')}, skopeo again ${again.skopeo.map(f).join(' ')}\n`);
}
finally {
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
}
