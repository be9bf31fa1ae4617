"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.onPath)('mksquashfs'), (0, integration_js_1.isRoot)());
for (const compression of ['gzip', 'zstd', 'zstd:chunked'])
    (0, node_test_1.test)(`two builds (${compression} layer) from the same lock in different dirs, umask 022/077, TZ UTC/Asia/Tokyo: identical manifest, EroFS, SquashFS, archive, SBOM`, req, async () => {
        const demo = await (0, demo_build_js_1.demoSetup)();
        const dirs = [(0, demo_build_js_1.tempDir)('repro-a'), (0, demo_build_js_1.tempDir)('repro-bb')];
        const runs = [{ umask: '022', tz: 'UTC' }, { umask: '077', tz: 'Asia/Tokyo' }];
        try {
            await (0, demo_build_js_1.runFexpod)(['lock', demo.defFile, '--repo', demo.repoArg]);
            const results = [];
            for (const [i, r] of runs.entries()) {
                const d = dirs[i] ?? '';
                const { stdout } = await (0, demo_build_js_1.runFexpod)(['build', demo.defFile, '--locked', '--repo', demo.repoArg, '--compression', compression, '--format', 'oci,oci-archive,erofs,squashfs,sbom', '-o', (0, node_path_1.join)(d, 'nested', 'out'), '--cache-dir', (0, node_path_1.join)(d, 'cache'), '--json'], { cwd: d, umask: r.umask, env: { TZ: r.tz } });
                results.push((0, demo_build_js_1.parseBuildJson)(stdout));
            }
            const [a, b] = results;
            strict_1.default.ok(a && b);
            strict_1.default.equal(a.diffId, b.diffId);
            strict_1.default.equal(a.manifestDigest, b.manifestDigest);
            strict_1.default.equal(a.outputs.length, 5);
            strict_1.default.deepEqual(a.outputs.map((o) => [o.kind, o.digest]), b.outputs.map((o) => [o.kind, o.digest]));
        }
        finally {
            for (const d of dirs)
                (0, node_fs_1.rmSync)(d, { recursive: true, force: true });
            await demo.close();
        }
    });
