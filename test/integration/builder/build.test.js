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
const node_zlib_1 = require("node:zlib");
const integration_js_1 = require("../../helpers/integration.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('xxhsum'), (0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.onPath)('mksquashfs'), (0, integration_js_1.onPath)('fakeroot'), (0, integration_js_1.isRoot)());
function layerTarOf(layout) {
    const index = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'index.json'), 'utf8'));
    const blob = (d) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'blobs', 'sha256', d.replace('sha256:', '')));
    const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString());
    return (0, node_zlib_1.gunzipSync)(blob(manifest.layers[0]?.digest ?? ''));
}
(0, node_test_1.test)('fexpod build images/demo.toml from a loopback repo: lock written, container runs, EroFS and SquashFS trees equal the OCI layer', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const work = (0, demo_build_js_1.tempDir)('build');
    const tag = 'localhost/demo:latest';
    try {
        const { stdout, stderr } = await (0, demo_build_js_1.runFexpod)(['build', demo.defFile, '--repo', demo.repoArg, '--output', (0, node_path_1.join)(work, 'out'), '--cache-dir', (0, node_path_1.join)(work, 'cache'), '--json']);
        const r = (0, demo_build_js_1.parseBuildJson)(stdout);
        strict_1.default.equal(r.packages, 5);
        strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(demo.dir, 'demo.lock.json')), 'the lock is written next to the definition');
        strict_1.default.match(stderr, /"step":"profile rootfs"/);
        (0, node_child_process_1.execFileSync)('podman', ['load', '-q', '-i', (0, node_path_1.join)(work, 'out', 'demo.oci.tar')]);
        const run = (0, node_child_process_1.execFileSync)('podman', ['run', '--rm', tag, '/bin/sh', '-c',
            'uname -m; cat /usr/share/demo/hello.txt; stat -c "%a %u:%g" /usr/libexec/demo/suid-helper /var/lib/demo/score; test -s /etc/ld.so.cache && echo cache'], { encoding: 'utf8' });
        strict_1.default.deepEqual(run.split('\n'), [
            (0, node_child_process_1.execFileSync)('uname', ['-m'], { encoding: 'utf8' }).trim(),
            'hello from the fexpod demo image',
            '755 0:0', // setuid stripped by the rootfs profile
            '664 12:20', // owner names mapped through the tree's own passwd/group
            'cache',
            '',
        ]);
        const layer = await (0, tree_listing_js_1.listTar)(layerTarOf((0, node_path_1.join)(work, 'out', 'demo.oci')));
        for (const gone of ['etc/passwd', 'etc/shadow', 'etc/hosts', 'etc/hostname', 'home', 'boot', 'tmp', 'root', 'var/run', 'var/tmp'])
            strict_1.default.ok(!layer.has(gone), gone);
        for (const kept of ['etc/os-release', 'etc/ld.so.conf', 'etc/ld.so.cache', 'etc/alternatives', 'proc', 'usr/bin/busybox'])
            strict_1.default.ok(layer.has(kept), kept);
        await (0, sample_tree_js_1.withLoopMount)((0, node_path_1.join)(work, 'out', 'demo.erofs'), 'erofs', async (mnt) => strict_1.default.deepEqual((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(mnt)), (0, tree_listing_js_1.normalized)(layer)));
        await (0, sample_tree_js_1.withLoopMount)((0, node_path_1.join)(work, 'out', 'demo.sqfs'), 'squashfs', async (mnt) => strict_1.default.deepEqual((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(mnt)), (0, tree_listing_js_1.normalized)(layer)));
        const index = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(work, 'out', 'RootFS_links.json'), 'utf8'));
        strict_1.default.deepEqual(Object.keys(index.v1).sort(), ['demo 42 (EroFS)', 'demo 42 (SquashFS)']);
        strict_1.default.equal(index.v1['demo 42 (EroFS)']?.URL, 'demo.erofs');
        // XXH3-64 as the reference implementation computes it (xxhsum -H3)
        for (const [name, file] of [['demo 42 (EroFS)', 'demo.erofs'], ['demo 42 (SquashFS)', 'demo.sqfs']]) {
            const ref = (0, node_child_process_1.execFileSync)('xxhsum', ['-H3', (0, node_path_1.join)(work, 'out', file)], { encoding: 'utf8' });
            strict_1.default.equal(`XXH3 (${(0, node_path_1.join)(work, 'out', file)}) = ${index.v1[name]?.Hash}\n`, ref);
        }
        const sbom = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(work, 'out', 'demo.spdx.json'), 'utf8'));
        strict_1.default.deepEqual(sbom.packages.map((p) => p.name).sort(), ['basesystem', 'demo', 'demo-busybox', 'demo-filesystem', 'filesystem', 'setup']);
        strict_1.default.ok(sbom.packages.filter((p) => p.name !== 'demo').every((p) => p.downloadLocation.startsWith(demo.mirrors.mirrorUrl(0))));
    }
    finally {
        try {
            (0, node_child_process_1.execFileSync)('podman', ['rmi', '-f', tag], { stdio: 'ignore' });
        }
        catch { /* not loaded */ }
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        await demo.close();
    }
});
(0, node_test_1.test)('fexpod build as an unprivileged user (uid 65534, no caps, own cache): OCI, EroFS and SquashFS byte-identical to a root build', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const rootWork = (0, demo_build_js_1.tempDir)('build-root');
    const userWork = (0, demo_build_js_1.tempDir)('build-user', 0o755);
    (0, node_fs_1.chownSync)(userWork, 65534, 65534);
    try {
        const base = ['build', demo.defFile, '--repo', demo.repoArg, '--format', 'oci,erofs,squashfs', '--json'];
        // one lock for both (the user cannot write next to the definition)
        await (0, demo_build_js_1.runFexpod)(['lock', demo.defFile, '--repo', demo.repoArg]);
        const asRoot = (0, demo_build_js_1.parseBuildJson)((await (0, demo_build_js_1.runFexpod)([...base, '--locked', '-o', (0, node_path_1.join)(rootWork, 'out'), '--cache-dir', (0, node_path_1.join)(rootWork, 'cache')])).stdout);
        const asUser = (0, demo_build_js_1.parseBuildJson)((await (0, demo_build_js_1.runFexpod)([...base, '--locked', '-o', (0, node_path_1.join)(userWork, 'out'), '--cache-dir', (0, node_path_1.join)(userWork, 'cache')], {
            user: 65534, env: { HOME: userWork }, cwd: userWork,
        })).stdout);
        strict_1.default.equal(asUser.manifestDigest, asRoot.manifestDigest);
        strict_1.default.deepEqual(asUser.outputs.map((o) => [o.kind, o.digest]), asRoot.outputs.map((o) => [o.kind, o.digest]));
    }
    finally {
        (0, node_fs_1.rmSync)(rootWork, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(userWork, { recursive: true, force: true });
        await demo.close();
    }
});
(0, node_test_1.test)('--locked without a lock fails with the command that makes one', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const work = (0, demo_build_js_1.tempDir)('build-locked');
    try {
        await strict_1.default.rejects((0, demo_build_js_1.runFexpod)(['build', demo.defFile, '--repo', demo.repoArg, '--locked', '-o', (0, node_path_1.join)(work, 'out'), '--cache-dir', (0, node_path_1.join)(work, 'cache')]), /no lock file[\s\S]*fexpod lock/);
        strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(work, 'out')), 'no partial output');
    }
    finally {
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        await demo.close();
    }
});
