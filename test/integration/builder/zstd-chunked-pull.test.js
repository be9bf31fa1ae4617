"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * zstd:chunked end to end: fexpod writes two images that differ in one file
 * as zstd:chunked OCI layouts, skopeo pushes them to the real registry
 * (Debian's docker-registry on loopback, behind a byte-counting proxy), Podman
 * pulls both into a private store with partial pulls enabled and runs the
 * second. The second pull must fetch a small part of its layer: the TOC and
 * the changed file, by HTTP range requests.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_util_1 = require("node:util");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const process_runner_js_1 = require("../../../src/common/process-runner.js");
const output_plan_js_1 = require("../../../src/builder/outputs/output-plan.js");
const outputs_js_1 = require("../../../src/builder/steps/outputs.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const integration_js_1 = require("../../helpers/integration.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const sample_tree_js_2 = require("../../helpers/sample-tree.js");
const local_registry_js_1 = require("../../helpers/local-registry.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('skopeo'), (0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.isRoot)());
const SDE = 1_700_000_000;
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
async function image(dir, extra) {
    const result = await (0, outputs_js_1.writeOutputs)({
        entries: [...(0, sample_tree_js_2.sampleTree)(), ...extra], formats: ['oci'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('chunked'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: SDE,
        image: { refName: 'chunked:latest', createdBy: 'fexpod test', cmd: ['/bin/sh'] },
        layer: { compression: 'zstd:chunked' },
    }, { runner: process_runner_js_1.processRunner, privileged: true, pageSize: 4096, env: process.env, log: log_js_1.silentLogger });
    return { layout: (0, node_path_1.join)(dir, 'chunked.oci'), layerSize: result.layer?.size ?? 0 };
}
(0, node_test_1.test)('zstd:chunked: pushed with skopeo, Podman pulls the second image partially and runs it', req, async (t) => {
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-chunked-'));
    const registry = await (0, local_registry_js_1.startRegistry)();
    const store = (0, local_registry_js_1.partialPullStore)();
    // async: the counting proxy runs in this process and must keep serving
    const podman = async (args) => (await run('podman', ['--cgroup-manager', 'cgroupfs', '--runtime', 'runc', ...args], { env: store.env, maxBuffer: 16 << 20 })).stdout;
    try {
        // 4 MB that both images share (random: does not compress), and one file that differs
        const shared = (0, node_crypto_1.randomBytes)(4 << 20);
        const file = (path, data) => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: SDE, content: (0, tree_js_1.bufferContent)(data) });
        const dir = { path: 'usr/lib64', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: SDE };
        const a = await image((0, node_path_1.join)(work, 'a'), [dir, file('usr/lib64/shared.bin', shared), file('usr/share/release.txt', Buffer.from('release 1\n'))]);
        const b = await image((0, node_path_1.join)(work, 'b'), [dir, file('usr/lib64/shared.bin', shared), file('usr/share/release.txt', Buffer.from('release 2\n'))]);
        const manifest = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(b.layout, 'index.json'), 'utf8'));
        strict_1.default.ok(manifest.manifests[0]);
        for (const [name, img] of [['1', a], ['2', b]]) {
            await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${img.layout}:chunked:latest`, `docker://${registry.host}/fexpod/chunked:${name}`]);
        }
        registry.reset();
        await podman(['pull', '-q', '--tls-verify=false', `${registry.host}/fexpod/chunked:1`]);
        const first = registry.blobBytes();
        registry.reset();
        await podman(['pull', '-q', '--tls-verify=false', `${registry.host}/fexpod/chunked:2`]);
        const second = registry.blobBytes();
        const out = await podman(['run', '--rm', `${registry.host}/fexpod/chunked:2`, '/bin/sh', '-c', 'cat /usr/share/release.txt; sha256sum /usr/lib64/shared.bin | cut -c1-16']);
        const sha = (0, node_child_process_1.execFileSync)('sha256sum', { input: shared }).toString().slice(0, 16);
        strict_1.default.equal(out, `release 2\n${sha}\n`);
        t.diagnostic(`first pull: ${first} blob bytes; second pull: ${second} of a ${b.layerSize}-byte layer`);
        strict_1.default.ok(first > 4 << 20, `first pull fetched ${first} bytes (the whole content)`);
        strict_1.default.ok(second < b.layerSize / 4, `second pull fetched ${second} bytes of a ${b.layerSize}-byte layer: partial`);
    }
    finally {
        store.close();
        await registry.close();
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
    }
});
