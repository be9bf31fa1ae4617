"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * zstd:chunked partial pull, measured: two fexpod builds of the large set that
 * differ in one package (B adds large-059 to A) are pushed as zstd:chunked
 * with skopeo to Debian's docker-registry on loopback; Podman (this host's
 * 4.3, a private store with enable_partial_images) pulls A, then B. A counting
 * proxy in front of the registry gives the blob bytes each pull fetched; the
 * reference is B's whole layer (what a gzip or plain zstd pull fetches).
 * Needs root, podman, skopeo, docker-registry.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const local_registry_js_1 = require("../test/helpers/local-registry.js");
const large_set_js_1 = require("./large-set.js");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const repoRoot = new URL('../../', import.meta.url).pathname;
const cli = (0, node_path_1.join)(repoRoot, 'dist', 'src', 'cli.js');
const set = (0, large_set_js_1.largeSet)(1);
const base = ['basesystem', 'demo-busybox'];
const names = set.names.slice(0, -1);
const port = 23000 + (process.pid % 20000);
const a = (0, large_set_js_1.serve)(set, port, [...base, ...names]);
const b = (0, large_set_js_1.serve)(set, port + 1, [...base, ...set.names]);
const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-pull-'));
const registry = await (0, local_registry_js_1.startRegistry)();
const store = (0, local_registry_js_1.partialPullStore)();
const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
try {
    const layers = [];
    for (const [tag, s] of [['a', a], ['b', b]]) {
        const { stdout } = await run(process.execPath, [cli, 'build', s.def, '--repo', `demo=${s.url}`, '--format', 'oci', '--compression', 'zstd:chunked', '-o', (0, node_path_1.join)(work, tag), '--cache-dir', (0, node_path_1.join)(work, 'cache'), '--lock', (0, node_path_1.join)(work, `${tag}.lock.json`), '--json'], { maxBuffer: 64 << 20 });
        layers.push(JSON.parse(stdout).layer.size);
        await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${(0, node_path_1.join)(work, tag, 'demo.oci')}:demo:latest`, `docker://${registry.host}/fexpod/large:${tag}`]);
    }
    const pull = async (tag) => {
        registry.reset();
        await run('podman', ['pull', '-q', '--tls-verify=false', `${registry.host}/fexpod/large:${tag}`], { env: store.env, maxBuffer: 16 << 20 });
        return { bytes: registry.blobBytes(), requests: registry.blobRequests() };
    };
    const first = await pull('a');
    const second = await pull('b');
    process.stdout.write(`zstd:chunked partial pull (Podman ${(0, node_child_process_1.spawnSync)('podman', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ').pop()}, partial pulls on, registry on loopback)\n` +
        `  image A (${names.length + 2} packages): layer ${mb(layers[0] ?? 0)}, first pull fetched ${mb(first.bytes)} in ${first.requests} blob requests\n` +
        `  image B (A + large-059): layer ${mb(layers[1] ?? 0)}, second pull fetched ${mb(second.bytes)} in ${second.requests} blob requests\n` +
        `  second pull / whole layer (what a gzip or zstd pull fetches): ${(((second.bytes) / (layers[1] ?? 1)) * 100).toFixed(1)} %\n`);
}
finally {
    store.close();
    await registry.close();
    a.close();
    b.close();
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
}
