"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CONTAINERFILE = void 0;
exports.podman = podman;
exports.buildBuilderImage = buildBuilderImage;
exports.imageId = imageId;
exports.imageSize = imageSize;
exports.mib = mib;
/**
 * Building containerfiles/fexpod.Containerfile in tests: from the local
 * stand-in base (test/helpers/standin-base.ts), with a fresh REVISION so the
 * image's smoke RUN step runs every time (the package layers come from
 * podman's cache after the first run on a machine).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_crypto_1 = require("node:crypto");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const standin_base_js_1 = require("../../helpers/standin-base.js");
exports.CONTAINERFILE = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'containerfiles', 'fexpod.Containerfile');
/** Where this host keeps the CA bundle npm needs behind a TLS-intercepting proxy (handed over as a build secret). */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
function podman(args, timeout = 30 * 60_000) {
    return (0, node_child_process_1.spawnSync)('podman', args, { encoding: 'utf8', timeout, maxBuffer: 256 << 20 });
}
function buildBuilderImage(arch, base, tag, extra = []) {
    const args = [
        'build', '--platform', `linux/${arch.oci.architecture}${arch.oci.variant ? `/${arch.oci.variant}` : ''}`,
        '--build-arg', `BASE=${base}`, '--build-arg', `REVISION=test-${(0, node_crypto_1.randomBytes)(6).toString('hex')}`,
        // Podman 4.3 (buildah 1.28) sets BUILDPLATFORM to the *target* platform: a foreign build
        // names the host's base by image ID, so the first stage compiles natively (see the Containerfile).
        ...(arch.name === (0, foreign_image_js_1.hostArch)().name ? [] : ['--build-arg', `BUILD_BASE=${imageId((0, standin_base_js_1.standinRef)((0, foreign_image_js_1.hostArch)()))}`]),
        ...((0, node_fs_1.existsSync)(CA_BUNDLE) ? ['--secret', `id=ca-certificates,src=${CA_BUNDLE}`] : []),
        ...extra, '-f', exports.CONTAINERFILE, '-t', tag, (0, integration_js_1.repoRoot)(),
    ];
    const t0 = Date.now();
    const r = podman(args);
    const seconds = (Date.now() - t0) / 1000;
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0)
        throw new Error(`podman ${args.join(' ')} failed (${r.status ?? r.signal}):\n${output.slice(-6000)}`);
    return { tag, seconds, output };
}
function imageId(ref) {
    const r = podman(['image', 'inspect', '--format', '{{.Id}}', ref]);
    if (r.status !== 0)
        throw new Error(`podman image inspect ${ref}: ${r.stderr}`);
    return r.stdout.trim();
}
/** Bytes of the image as podman stores it (uncompressed layers). */
function imageSize(ref) {
    return Number(podman(['image', 'inspect', '--format', '{{.Size}}', ref]).stdout.trim());
}
function mib(bytes) {
    return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
