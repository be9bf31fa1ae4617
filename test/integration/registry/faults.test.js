"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const log_js_1 = require("../../../src/common/log.js");
const process_runner_js_1 = require("../../../src/common/process-runner.js");
const output_plan_js_1 = require("../../../src/builder/outputs/output-plan.js");
const outputs_js_1 = require("../../../src/builder/steps/outputs.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const integration_js_1 = require("../../helpers/integration.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const registry_js_1 = require("../../helpers/registry.js");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.onPath)('skopeo'), (0, integration_js_1.isRoot)());
(0, node_test_1.test)('a fault proxy (dropped connections mid-upload, 500, 429) still ends with a complete, correct image; no manifest points at a missing blob', req, async () => {
    const reg = await (0, registry_js_1.startRegistry)();
    const injected = [];
    const fault = (method, path, n) => {
        let f;
        if (method === 'PATCH' && (n === 1 || n === 3))
            f = 'drop-mid-body'; // chunks 2 and 4 of the layer: resumed
        else if (method === 'PUT' && path.includes('/blobs/uploads/') && n === 0)
            f = 'drop-mid-body';
        else if (method === 'HEAD' && path.includes('/blobs/') && n === 0)
            f = 'status-500';
        else if (method === 'POST' && n === 1)
            f = 'status-500';
        else if (method === 'PUT' && path.includes('/manifests/') && n === 0)
            f = 'status-429';
        else if (method === 'GET' && path.includes('/blobs/uploads/') && n === 0)
            f = 'status-429';
        if (f)
            injected.push(`${f} ${method} ${path.replace(/sha256:[0-9a-f]{64}/, 'D')}`);
        return f;
    };
    const proxy = await (0, registry_js_1.startProxy)(reg.host, fault);
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-faults-'));
    const repo = `fex/faults-${process.pid}`;
    try {
        // 5 MiB of incompressible content: a layer of 5+ chunks of 1 MiB
        const entries = [...(0, sample_tree_js_1.sampleTree)(), { path: 'usr/share/noise.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: sample_tree_js_1.SAMPLE_EPOCH, content: (0, tree_js_1.bufferContent)((0, node_crypto_1.randomBytes)(5 << 20)) }];
        const r = await (0, outputs_js_1.writeOutputs)({ entries, formats: ['oci'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('noisy'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: sample_tree_js_1.SAMPLE_EPOCH, image: { refName: 'noisy:1', createdBy: 'fexpod test' } }, { runner: process_runner_js_1.processRunner, privileged: true, pageSize: 4096, env: process.env, log: log_js_1.silentLogger });
        const layout = (0, node_path_1.join)(dir, 'noisy.oci');
        const out = await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', '--verbose', '--chunk-size', '1', '--jobs', '2', layout, `${proxy.host}/${repo}:1`, '--json']);
        const pushed = JSON.parse(out.stdout);
        strict_1.default.equal(pushed.digest, r.manifestDigest);
        for (const kind of ['drop-mid-body PATCH', 'drop-mid-body PUT', 'status-500 HEAD', 'status-500 POST', 'status-429 PUT', 'status-429 GET']) {
            strict_1.default.ok(injected.some((i) => i.startsWith(kind)), `fault "${kind}" happened (${injected.join('; ')})`);
        }
        strict_1.default.match(out.stderr, /asking .* for the upload status/, 'a dropped chunk is resumed from the registry\'s upload status');
        const sessions = proxy.requests.filter((x) => x.method === 'POST' && x.status === 202).length;
        strict_1.default.equal(sessions, 2, 'one upload session per blob (layer, config): resumed, never restarted');
        // the registry holds exactly the layout: same digest, every blob there and correct
        const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}:1`])).stdout);
        strict_1.default.equal(info.Digest, r.manifestDigest);
        const manifest = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'blobs', 'sha256', r.manifestDigest.slice(7)), 'utf8'));
        for (const d of [manifest.config, ...manifest.layers]) {
            const res = await fetch(`http://${reg.host}/v2/${repo}/blobs/${d.digest}`, { method: 'HEAD' });
            strict_1.default.equal(res.status, 200, `blob ${d.digest} is in the registry`);
            strict_1.default.equal(Number(res.headers.get('content-length')), d.size);
        }
        const pulled = JSON.parse((await (0, demo_build_js_1.runFexpod)(['pull', '--tls-verify=false', `${reg.host}/${repo}:1`, '-o', (0, node_path_1.join)(dir, 'back.oci'), '--json'])).stdout);
        strict_1.default.equal(pulled.digest, r.manifestDigest, 'pulled back, every blob verified');
        const layer = manifest.layers[0];
        strict_1.default.deepEqual((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'back.oci', 'blobs', 'sha256', layer.digest.slice(7))), (0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'blobs', 'sha256', layer.digest.slice(7))));
    }
    finally {
        await proxy.close();
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('a connection dropped after half a chunk reached the registry (which then cancels the upload) ends in a new upload session and a correct image', req, async () => {
    const reg = await (0, registry_js_1.startRegistry)();
    const proxy = await (0, registry_js_1.startProxy)(reg.host, (method, _path, n) => (method === 'PATCH' && n === 1 ? 'forward-half-then-drop' : undefined));
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-faults2-'));
    const repo = `fex/faults2-${process.pid}`;
    try {
        const entries = [...(0, sample_tree_js_1.sampleTree)(), { path: 'usr/share/noise.bin', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: sample_tree_js_1.SAMPLE_EPOCH, content: (0, tree_js_1.bufferContent)((0, node_crypto_1.randomBytes)(3 << 20)) }];
        const r = await (0, outputs_js_1.writeOutputs)({ entries, formats: ['oci'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('noisy'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: sample_tree_js_1.SAMPLE_EPOCH, image: { refName: 'noisy:1', createdBy: 'fexpod test' } }, { runner: process_runner_js_1.processRunner, privileged: true, pageSize: 4096, env: process.env, log: log_js_1.silentLogger });
        const out = await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', '--verbose', '--chunk-size', '1', (0, node_path_1.join)(dir, 'noisy.oci'), `${proxy.host}/${repo}:1`, '--json']);
        strict_1.default.equal(JSON.parse(out.stdout).digest, r.manifestDigest);
        strict_1.default.match(out.stderr, /session lost, starting a new one/);
        const sessions = proxy.requests.filter((x) => x.method === 'POST' && x.status === 202).length;
        strict_1.default.equal(sessions, 3, 'layer twice (the first session was cancelled by the registry), config once');
        const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}:1`])).stdout);
        strict_1.default.equal(info.Digest, r.manifestDigest);
        await (0, demo_build_js_1.runFexpod)(['pull', '--tls-verify=false', `${reg.host}/${repo}:1`, '-o', (0, node_path_1.join)(dir, 'back.oci')]);
    }
    finally {
        await proxy.close();
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
