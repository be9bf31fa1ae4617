"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_zlib_1 = require("node:zlib");
const integration_js_1 = require("../../helpers/integration.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.isRoot)());
(0, node_test_1.test)('sysroot profile through fexpod build: absolute symlinks made relative, docs dropped, missing requirement named', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const work = (0, demo_build_js_1.tempDir)('build-sysroot');
    try {
        const def = (require) => [
            'name = "demo-sysroot"', 'release = 42', 'arches = ["x86_64"]', 'profile = "sysroot"', 'packages = ["demo-busybox", "demo-gl"]',
            '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
            '[profile_options]', `require = ${JSON.stringify(require)}`,
            '[outputs]', 'formats = ["oci"]', '',
        ].join('\n');
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(demo.dir, 'sysroot.toml'), def(['usr/bin/busybox', 'usr/lib64/dri/libdemo_dri.so.1']));
        const common = ['--repo', demo.repoArg, '--cache-dir', (0, node_path_1.join)(work, 'cache'), '--json'];
        const r = (0, demo_build_js_1.parseBuildJson)((await (0, demo_build_js_1.runFexpod)(['build', (0, node_path_1.join)(demo.dir, 'sysroot.toml'), '-o', (0, node_path_1.join)(work, 'out'), ...common])).stdout);
        const layout = (0, node_path_1.join)(work, 'out', 'demo-sysroot.oci');
        const blob = (dg) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'blobs', 'sha256', dg.replace('sha256:', '')));
        const manifest = JSON.parse(blob(r.manifestDigest).toString());
        const tree = await (0, tree_listing_js_1.listTar)((0, node_zlib_1.gunzipSync)(blob(manifest.layers[0]?.digest ?? '')));
        strict_1.default.equal(tree.get('usr/sbin/ifconfig')?.target, '../bin/busybox', 'was /usr/bin/busybox');
        for (const [p, l] of tree)
            if (l.type === 'symlink')
                strict_1.default.ok(!l.target?.startsWith('/'), `${p} -> ${l.target}`);
        strict_1.default.equal(tree.get('usr/lib64/dri/libz.so.1')?.target, 'libdemo_dri.so.1');
        strict_1.default.ok(!tree.has('etc/ld.so.cache'), 'a sysroot gets no ld.so.cache');
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(demo.dir, 'sysroot.toml'), def(['usr/lib/gcc/*/*/crtbegin.o']));
        await strict_1.default.rejects((0, demo_build_js_1.runFexpod)(['build', (0, node_path_1.join)(demo.dir, 'sysroot.toml'), '-o', (0, node_path_1.join)(work, 'out2'), ...common]), /sysroot is incomplete: nothing matches usr\/lib\/gcc\/\*\/\*\/crtbegin\.o[\s\S]*gcc for crtbegin\.o/);
    }
    finally {
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        await demo.close();
    }
});
