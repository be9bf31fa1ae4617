"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The builder image (containerfiles/fexpod.Containerfile), built for real with
 * podman from the local stand-in for Fedora's base (Debian 13 via debootstrap:
 * no registry is reachable here). Inside it, as the image's non-root user,
 * `fexpod build images/demo.toml` against the loopback demo repository must
 * give the same image as the same build on the host.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_zlib_1 = require("node:zlib");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const standin_base_js_1 = require("../../helpers/standin-base.js");
const hook_host_js_1 = require("../runtime-hook/hook-host.js");
const builder_image_js_1 = require("./builder-image.js");
const host = (0, foreign_image_js_1.hostArch)();
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('debootstrap'), (0, integration_js_1.isRoot)());
const EPOCH = '1700000000';
const sha256 = (b) => `sha256:${(0, node_crypto_1.createHash)('sha256').update(b).digest('hex')}`;
/** An OCI layout's config, gzip layer bytes, and manifest with the layer's digest/size set aside. */
function readImage(layout) {
    const blob = (d) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'blobs', 'sha256', d.slice('sha256:'.length)));
    const index = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse(blob(index.manifests[0]?.digest ?? '').toString());
    const layer = manifest.layers[0] ?? { digest: '', size: 0 };
    return {
        config: manifest.config,
        layer: blob(layer.digest),
        manifestSansLayer: { ...manifest, layers: manifest.layers.map((l) => ({ ...l, digest: '(compressed)', size: 0 })) },
    };
}
(0, node_test_1.test)(`builder image for ${host.oci.architecture} (stand-in Fedora base): non-root demo build inside has the host build's layer tar and config`, { ...req, timeout: 40 * 60_000 }, async (t) => {
    const base = (0, standin_base_js_1.standinBase)(host);
    t.diagnostic(`stand-in base ${base.ref} (${base.built ? 'debootstrapped now' : 'cached'})`);
    const tag = `localhost/fexpod-builder-test:${host.oci.architecture}-${process.pid}`;
    const dirs = [];
    const s = await (0, demo_build_js_1.demoSetup)();
    try {
        const b = (0, builder_image_js_1.buildBuilderImage)(host, base.ref, tag);
        t.diagnostic(`podman build: ${b.seconds.toFixed(0)} s (${b.output.includes('Using cache') ? 'package layers from podman\'s cache' : 'cold'}); image ${(0, builder_image_js_1.mib)((0, builder_image_js_1.imageSize)(tag))}`);
        await t.test('the image: entrypoint fexpod, user fexpod (uid 1000), cache volume, no build toolchain', () => {
            const cfg = JSON.parse((0, builder_image_js_1.podman)(['image', 'inspect', '--format', '{{json .Config}}', tag]).stdout);
            strict_1.default.equal(cfg.User, 'fexpod');
            strict_1.default.deepEqual(cfg.Entrypoint, ['fexpod']);
            strict_1.default.ok(cfg.Volumes && '/var/cache/fexpod' in cfg.Volumes, JSON.stringify(cfg.Volumes));
            strict_1.default.equal(cfg.WorkingDir, '/work');
            const v = (0, builder_image_js_1.podman)(['run', '--rm', tag, '--version']);
            strict_1.default.equal(v.status, 0, v.stderr);
            strict_1.default.match(v.stdout, /^fexpod \d+\.\d+\.\d+/);
            const who = (0, builder_image_js_1.podman)(['run', '--rm', '--entrypoint', 'id', tag, '-u']);
            strict_1.default.equal(who.stdout.trim(), '1000');
            const tools = (0, builder_image_js_1.podman)(['run', '--rm', '--entrypoint', 'sh', tag, '-c',
                'for c in node python3 mkfs.erofs mksquashfs fakeroot patchelf zstd xz bzip2 flock getconf; do command -v $c >/dev/null || echo "missing $c"; done;' +
                    'for c in npm npx tsc gcc; do command -v $c >/dev/null && echo "has $c"; done; ls -d /usr/lib/fexpod/node_modules/typescript 2>/dev/null; true']);
            strict_1.default.equal(tools.status, 0, tools.stderr);
            strict_1.default.equal(tools.stdout.trim(), '', tools.stdout);
        });
        await t.test('fexpod build images/demo.toml inside (non-root): the host build\'s layer tar, config and manifest; gzip bytes are the Node build\'s', async () => {
            const hostOut = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bi-host-'));
            const ctrOut = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bi-ctr-'));
            const cache = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bi-cache-'));
            dirs.push(hostOut, ctrOut, cache);
            (0, node_fs_1.chownSync)(ctrOut, 1000, 1000);
            const onHost = (0, demo_build_js_1.parseBuildJson)((await (0, demo_build_js_1.runFexpod)(['build', s.defFile, '--repo', s.repoArg, '--format', 'oci', '-o', hostOut, '--cache-dir', cache, '--source-date-epoch', EPOCH, '--json'])).stdout);
            // The lock the host build wrote next to demo.toml is used as is (--locked); the definition
            // dir is mounted read-only. Asynchronously: the demo repository is served by this process.
            const r = await (0, hook_host_js_1.podmanAsync)(['run', '--rm', '--network', 'host', '-v', `${s.dir}:${s.dir}:ro`, '-v', `${ctrOut}:/out`, tag,
                'build', s.defFile, '--repo', s.repoArg, '--locked', '--format', 'oci', '-o', '/out', '--source-date-epoch', EPOCH, '--json']);
            strict_1.default.equal(r.status, 0, r.stderr);
            const inside = (0, demo_build_js_1.parseBuildJson)(r.stdout);
            strict_1.default.equal(inside.packages, onHost.packages);
            strict_1.default.equal(inside.diffId, onHost.diffId, 'the layer tar differs');
            const a = readImage((0, node_path_1.join)(hostOut, 'demo.oci'));
            const b = readImage((0, node_path_1.join)(ctrOut, 'demo.oci'));
            strict_1.default.equal(b.config.digest, a.config.digest, 'the image config differs');
            strict_1.default.deepEqual(b.manifestSansLayer, a.manifestSansLayer, 'the manifest differs beyond the compressed layer');
            strict_1.default.equal(sha256((0, node_zlib_1.gunzipSync)(b.layer)), onHost.diffId, 'the layer inside decompresses to the host\'s tar');
            if (inside.manifestDigest === onHost.manifestDigest) {
                t.diagnostic(`same manifest digest ${onHost.manifestDigest}`);
            }
            else {
                // Known, reported: node:zlib's deflate output depends on the zlib Node was built with
                // (Node's bundled zlib on this host, Debian's system zlib 1.3.1 in the stand-in image).
                t.diagnostic(`manifest digest differs only by the gzip bytes of the layer: host ${onHost.manifestDigest} (zlib ${process.versions.zlib}), inside ${inside.manifestDigest}`);
            }
        });
    }
    finally {
        (0, builder_image_js_1.podman)(['rmi', '-f', tag]);
        await s.close();
        for (const d of dirs)
            (0, node_fs_1.rmSync)(d, { recursive: true, force: true });
    }
});
