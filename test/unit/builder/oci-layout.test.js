"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_zlib_1 = require("node:zlib");
const arch_js_1 = require("../../../src/common/arch.js");
const canonical_json_js_1 = require("../../../src/common/canonical-json.js");
const hash_js_1 = require("../../../src/common/hash.js");
const oci_layout_js_1 = require("../../../src/builder/outputs/oci-layout.js");
const tar = new Uint8Array(2048).fill(7);
const settings = { sourceDateEpoch: 1_700_000_000, refName: 'demo:42', createdBy: 'fexpod build demo.toml', cmd: ['/bin/sh'] };
const archCases = [
    { arch: 'x86_64', architecture: 'amd64', variant: undefined },
    { arch: 'i686', architecture: '386', variant: undefined },
    { arch: 'aarch64', architecture: 'arm64', variant: 'v8' },
    { arch: 'armhf', architecture: 'arm', variant: 'v7' },
];
for (const c of archCases) {
    (0, node_test_1.test)(`config and index platform for ${c.arch}`, () => {
        const plan = (0, oci_layout_js_1.planOciImage)(tar, { ...settings, arch: arch_js_1.Arch.parse(c.arch) });
        const config = JSON.parse(Buffer.from(plan.blobs.get(plan.config.digest) ?? []).toString());
        strict_1.default.equal(config['architecture'], c.architecture);
        strict_1.default.equal(config['variant'], c.variant);
        strict_1.default.equal(config['os'], 'linux');
        strict_1.default.equal(config['created'], '2023-11-14T22:13:20Z');
        strict_1.default.deepEqual(config['rootfs'], { type: 'layers', diff_ids: [(0, hash_js_1.sha256Digest)(tar)] });
        const index = JSON.parse(Buffer.from(plan.indexJson).toString());
        strict_1.default.equal(index.manifests[0]?.platform.architecture, c.architecture);
        strict_1.default.equal(index.manifests[0]?.annotations['org.opencontainers.image.ref.name'], 'demo:42');
    });
}
(0, node_test_1.test)('the plan is a pure function of the layer and settings (same bytes twice)', () => {
    const a = (0, oci_layout_js_1.planOciImage)(tar, { ...settings, arch: arch_js_1.Arch.of('x86_64') });
    const b = (0, oci_layout_js_1.planOciImage)(Uint8Array.from(tar), { ...settings, arch: arch_js_1.Arch.of('x86_64') });
    strict_1.default.equal(a.manifest.digest, b.manifest.digest);
    strict_1.default.deepEqual((0, oci_layout_js_1.layoutFiles)(a).map((f) => f.path), (0, oci_layout_js_1.layoutFiles)(b).map((f) => f.path));
});
(0, node_test_1.test)('gzip layer: fixed header (mtime 0, no name, OS=3) and round-trips', () => {
    const gz = (0, oci_layout_js_1.gzipLayer)(tar);
    strict_1.default.deepEqual([...gz.subarray(0, 10)], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]); // XFL 0 at level 4
    strict_1.default.deepEqual(new Uint8Array((0, node_zlib_1.gunzipSync)(gz)), tar);
});
(0, node_test_1.test)('oci-layout file and canonical JSON', () => {
    strict_1.default.equal(oci_layout_js_1.OCI_LAYOUT_FILE, '{"imageLayoutVersion":"1.0.0"}');
    strict_1.default.equal((0, canonical_json_js_1.canonicalJson)({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
    strict_1.default.equal((0, canonical_json_js_1.rfc3339)(0), '1970-01-01T00:00:00Z');
});
(0, node_test_1.test)('manifest lists the gzip layer and the config', () => {
    const plan = (0, oci_layout_js_1.planOciImage)(tar, { ...settings, arch: arch_js_1.Arch.of('x86_64'), annotations: { 'org.opencontainers.image.title': 'demo' } });
    const m = JSON.parse(Buffer.from(plan.blobs.get(plan.manifest.digest) ?? []).toString());
    strict_1.default.equal(m['mediaType'], 'application/vnd.oci.image.manifest.v1+json');
    strict_1.default.deepEqual(m['annotations'], { 'org.opencontainers.image.created': '2023-11-14T22:13:20Z', 'org.opencontainers.image.title': 'demo' });
    strict_1.default.equal(m['layers'][0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
});
