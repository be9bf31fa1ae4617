"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const registry_js_1 = require("../../helpers/registry.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.onPath)('mksquashfs'), (0, integration_js_1.onPath)('fakeroot'), (0, integration_js_1.onPath)('setpriv'), (0, integration_js_1.isRoot)());
const sha = (b) => `sha256:${(0, node_crypto_1.createHash)('sha256').update(b).digest('hex')}`;
(0, node_test_1.test)('build --push publishes the image, the EroFS/SquashFS artifacts with SBOM referrers and a FEX index of blob URLs; rootfs install takes the EroFS; extract of the sysroot image equals build --format dir', req, async () => {
    const demo = await (0, demo_build_js_1.demoSetup)();
    const reg = await (0, registry_js_1.startRegistry)();
    const work = (0, demo_build_js_1.tempDir)('build-push', 0o755);
    const repo = `fex/demo-${process.pid}`;
    try {
        const common = ['--repo', demo.repoArg, '--cache-dir', (0, node_path_1.join)(work, 'cache'), '--source-date-epoch', '1700000000'];
        const out = (0, node_path_1.join)(work, 'out');
        const r = JSON.parse((await (0, demo_build_js_1.runFexpod)(['build', demo.defFile, ...common, '-o', out, '--push', `${reg.host}/${repo}:42`, '--tls-verify=false', '--json'])).stdout);
        const [image, erofs, squashfs] = r.pushed;
        strict_1.default.equal(image.reference, `${reg.host}/${repo}:42`);
        strict_1.default.equal(image.digest, r.manifestDigest);
        strict_1.default.equal(erofs.reference, `${reg.host}/${repo}:42-erofs`);
        strict_1.default.equal(erofs.artifact.digest, r.outputs.find((o) => o.kind === 'erofs').digest);
        strict_1.default.equal(squashfs.reference, `${reg.host}/${repo}:42-squashfs`);
        for (const p of r.pushed)
            strict_1.default.equal(p.referrers[0].artifactType, 'application/spdx+json', `${p.reference}: SBOM attached`);
        // FEXRootFSFetcher's index, pointing at the blobs: the same Hash as the build's index, URLs that serve the file
        const built = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(out, 'RootFS_links.json'), 'utf8')).v1;
        const published = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(out, 'RootFS_links.registry.json'), 'utf8')).v1;
        strict_1.default.deepEqual(Object.keys(published).sort(), Object.keys(built).sort());
        for (const [name, e] of Object.entries(published)) {
            strict_1.default.equal(e['Hash'], built[name].Hash);
            strict_1.default.equal(e['DistroVersion'], '42');
            const body = new Uint8Array(await (await fetch(e['URL'] ?? '')).arrayBuffer());
            strict_1.default.equal(sha(body), e['Type'] === 'erofs' ? erofs.artifact.digest : squashfs.artifact.digest, `${e['URL']} serves the file`);
        }
        const home = (0, node_path_1.join)(work, 'home');
        (0, node_fs_1.mkdirSync)(home);
        const inst = JSON.parse((await (0, demo_build_js_1.runFexpod)(['rootfs', 'install', '--user', '--tls-verify=false', erofs.reference, '--json'], { env: { HOME: home, XDG_DATA_HOME: '', XDG_CONFIG_HOME: '', XDG_STATE_HOME: '' } })).stdout);
        strict_1.default.equal(sha((0, node_fs_1.readFileSync)(inst.path)), erofs.artifact.digest);
        strict_1.default.equal(inst.path, (0, node_path_1.join)(home, '.local', 'share', 'fex-emu', 'RootFS', 'demo.erofs'));
        // the sysroot: extract (from the registry, as root; from the layout, as nobody) = build --format dir
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(demo.dir, 'sysroot.toml'), [
            'name = "demo-sysroot"', 'release = 42', 'arches = ["x86_64"]', 'profile = "sysroot"', 'packages = ["demo-busybox", "demo-gl"]',
            '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
            '[profile_options]', 'require = ["usr/bin/busybox"]', '[outputs]', 'formats = ["oci", "dir"]', '',
        ].join('\n'));
        const s = JSON.parse((await (0, demo_build_js_1.runFexpod)(['build', (0, node_path_1.join)(demo.dir, 'sysroot.toml'), ...common, '-o', out, '--json'])).stdout);
        const layout = s.outputs.find((o) => o.kind === 'oci').path;
        const dirOut = s.outputs.find((o) => o.kind === 'dir').path;
        await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', layout, `${reg.host}/${repo}-sysroot:42`]);
        const extracted = (0, node_path_1.join)(work, 'extracted');
        const x = JSON.parse((await (0, demo_build_js_1.runFexpod)(['extract', '--tls-verify=false', `${reg.host}/${repo}-sysroot:42`, extracted, '--json'])).stdout);
        strict_1.default.equal(x.digest, s.manifestDigest);
        const want = (0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(dirOut, true));
        strict_1.default.ok(Object.keys(want).length > 10);
        strict_1.default.deepEqual((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(extracted, true)), want, 'extract == build --format dir (names, types, modes, owners, targets, contents, mtimes)');
        const userOut = (0, node_path_1.join)(work, 'as-user');
        (0, node_fs_1.mkdirSync)(userOut);
        (0, node_fs_1.chmodSync)(userOut, 0o777);
        await (0, demo_build_js_1.runFexpod)(['extract', layout, (0, node_path_1.join)(userOut, 'sysroot')], { user: 65534 });
        const noOwner = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { ...v, uid: 0, gid: 0 }]));
        strict_1.default.deepEqual(noOwner((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)((0, node_path_1.join)(userOut, 'sysroot'), true))), noOwner(want), 'as a normal user: the same tree (owners are the user\'s)');
    }
    finally {
        await reg.close();
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
        await demo.close();
    }
});
