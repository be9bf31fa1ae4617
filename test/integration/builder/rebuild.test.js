"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Instant rebuilds and their guards: an unchanged build reuses its verified
 * outputs; a damaged output is noticed (re-hashed) and rebuilt, with every
 * package taken from the extraction cache; the parallel gzip layer is the
 * same with one worker and with several.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const process_runner_js_1 = require("../../../src/common/process-runner.js");
const output_plan_js_1 = require("../../../src/builder/outputs/output-plan.js");
const outputs_js_1 = require("../../../src/builder/steps/outputs.js");
const integration_js_1 = require("../../helpers/integration.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.isRoot)());
(0, node_test_1.test)('rebuild: unchanged inputs reuse the verified outputs; a damaged output is rebuilt from the extraction cache', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const work = (0, demo_build_js_1.tempDir)('rebuild');
    const build = (...extra) => (0, demo_build_js_1.runFexpod)(['build', demo.defFile, '--repo', demo.repoArg, '--format', 'oci,erofs,sbom', '-o', (0, node_path_1.join)(work, 'out'), '--cache-dir', (0, node_path_1.join)(work, 'cache'), '--json', '--verbose', ...extra]);
    try {
        const first = await build();
        const a = (0, demo_build_js_1.parseBuildJson)(first.stdout);
        strict_1.default.match(first.stderr, /extract: 5 packages extracted, 0 reused/);
        const second = await build();
        const b = JSON.parse(second.stdout);
        strict_1.default.equal(b.reused, true);
        strict_1.default.equal(b.manifestDigest, a.manifestDigest);
        strict_1.default.deepEqual(b.outputs, a.outputs);
        strict_1.default.match(second.stderr, /reuse: 8 output files verified/);
        strict_1.default.doesNotMatch(second.stderr, /"step":"fetch/);
        // one byte of the EroFS image changes: noticed, and everything is made again
        const erofs = a.outputs.find((o) => o.kind === 'erofs')?.path ?? '';
        const fd = (0, node_fs_1.openSync)(erofs, 'r+');
        (0, node_fs_1.writeSync)(fd, Buffer.from([0x5a]), 0, 1, 4096);
        (0, node_fs_1.closeSync)(fd);
        const third = await build();
        const c = JSON.parse(third.stdout);
        strict_1.default.equal(c.reused, undefined);
        strict_1.default.match(third.stderr, /reuse: demo\.erofs changed/);
        strict_1.default.match(third.stderr, /extract: 0 packages extracted, 5 reused/);
        strict_1.default.deepEqual(c.outputs.map((o) => [o.kind, o.digest]), a.outputs.map((o) => [o.kind, o.digest]));
        // --rebuild builds even so
        const fourth = JSON.parse((await build('--rebuild')).stdout);
        strict_1.default.equal(fourth.reused, undefined);
        strict_1.default.equal(fourth.manifestDigest, a.manifestDigest);
    }
    finally {
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        await demo.close();
    }
});
for (const compression of ['gzip', 'zstd', 'zstd:chunked']) {
    (0, node_test_1.test)(`${compression} layer: identical bytes with 1 and with 3 compression workers`, async () => {
        const digests = [];
        for (const workers of [1, 3]) {
            const dir = (0, demo_build_js_1.tempDir)('workers');
            try {
                const r = await (0, outputs_js_1.writeOutputs)({
                    entries: (0, sample_tree_js_1.sampleTree)(), formats: ['oci'], outDir: dir, names: (0, output_plan_js_1.defaultOutputNames)('w'), arch: (0, sample_tree_js_1.hostArch)(), sourceDateEpoch: 1_700_000_000,
                    image: { refName: 'w:1', createdBy: 'test' }, layer: { compression },
                }, { runner: process_runner_js_1.processRunner, privileged: false, pageSize: 4096, env: process.env, log: log_js_1.silentLogger, workers });
                digests.push(`${r.layer?.digest} ${r.manifestDigest}`);
            }
            finally {
                (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
            }
        }
        strict_1.default.equal(digests[0], digests[1]);
    });
}
