"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.onPath)('ldconfig'), (0, integration_js_1.isRoot)());
(0, node_test_1.test)('overlay profile: an EroFS overlay (stand-in GL driver) on the demo RootFS holds only what it adds, and stacks with overlayfs', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const work = (0, demo_build_js_1.tempDir)('build-overlay');
    const mounts = [];
    try {
        // base = the demo definition next to it (demoSetup wrote it with the right keys)
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(demo.dir, 'demo-overlay.toml'), [
            'name = "demo-overlay"', 'release = 42', 'arches = ["x86_64"]', 'profile = "overlay"', 'base = "demo.toml"', 'packages = ["demo-gl"]',
            '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
            '[outputs]', 'formats = ["erofs", "sbom"]', 'erofs_name = "demo-overlay.erofs"', '',
        ].join('\n'));
        const common = ['--repo', demo.repoArg, '--cache-dir', (0, node_path_1.join)(work, 'cache'), '--json'];
        const base = (0, demo_build_js_1.parseBuildJson)((await (0, demo_build_js_1.runFexpod)(['build', demo.defFile, '--format', 'erofs', '-o', (0, node_path_1.join)(work, 'base'), ...common])).stdout);
        const ovl = (0, demo_build_js_1.parseBuildJson)((await (0, demo_build_js_1.runFexpod)(['build', (0, node_path_1.join)(demo.dir, 'demo-overlay.toml'), '-o', (0, node_path_1.join)(work, 'ovl'), ...common])).stdout);
        strict_1.default.equal(base.outputs.length, 1);
        await (0, sample_tree_js_1.withLoopMount)((0, node_path_1.join)(work, 'ovl', 'demo-overlay.erofs'), 'erofs', async (ovlMnt) => {
            const listed = [...(0, tree_listing_js_1.listDirectory)(ovlMnt).keys()].sort();
            strict_1.default.deepEqual(listed, [
                'etc', 'etc/ld.so.cache', 'etc/ld.so.conf.d', 'etc/ld.so.conf.d/demo-gl.conf',
                'usr', 'usr/lib64', 'usr/lib64/dri', 'usr/lib64/dri/libdemo_dri.so', 'usr/lib64/dri/libdemo_dri.so.1', 'usr/lib64/dri/libz.so.1',
            ]);
            await (0, sample_tree_js_1.withLoopMount)((0, node_path_1.join)(work, 'base', 'demo.erofs'), 'erofs', async (baseMnt) => {
                const merged = (0, node_path_1.join)(work, 'merged');
                (0, node_fs_1.mkdirSync)(merged);
                (0, node_child_process_1.execFileSync)('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${ovlMnt}:${baseMnt}`, merged]);
                mounts.push(merged);
                const files = (0, tree_listing_js_1.listDirectory)(merged);
                strict_1.default.ok(files.has('usr/bin/busybox') && files.has('usr/lib64/dri/libdemo_dri.so.1'));
                // the overlay's ld.so.cache knows the new library (glibc's ldconfig reads it)
                const cache = (0, node_child_process_1.execFileSync)('ldconfig', ['-p', '-C', (0, node_path_1.join)(merged, 'etc', 'ld.so.cache')], { encoding: 'utf8' });
                strict_1.default.match(cache, /libz\.so\.1 \(libc6,x86-64\) => \/usr\/lib64\/dri\/libz\.so\.1/);
                strict_1.default.equal((0, tree_listing_js_1.listDirectory)(merged).get('usr/lib64/dri/libz.so.1')?.target, 'libdemo_dri.so.1');
            });
        });
        strict_1.default.ok(ovl.outputs.some((o) => o.kind === 'sbom'));
    }
    finally {
        for (const m of mounts)
            (0, node_child_process_1.execFileSync)('umount', [m]);
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        await demo.close();
    }
});
