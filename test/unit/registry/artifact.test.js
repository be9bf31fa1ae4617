"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const artifact_js_1 = require("../../../src/publish/artifact.js");
const referrers_js_1 = require("../../../src/publish/referrers.js");
const hash_js_1 = require("../../../src/common/hash.js");
const oci_js_1 = require("../../../src/registry/oci.js");
const D = `sha256:${'b'.repeat(64)}`;
(0, node_test_1.test)('the empty config descriptor is sha256 of "{}"', () => {
    strict_1.default.equal((0, hash_js_1.sha256Digest)('{}'), oci_js_1.EMPTY_DIGEST);
});
(0, node_test_1.test)('a RootFS artifact manifest: our artifactType, the empty config, the file name as title; same input, same bytes', () => {
    const input = { role: 'rootfs', kind: 'erofs', path: '/out/default.erofs', digest: D, size: 4096, xxh3: '0123456789abcdef', sourceDateEpoch: 1_700_000_000, arch: 'x86_64' };
    const a = (0, artifact_js_1.planFileArtifact)(input);
    const b = (0, artifact_js_1.planFileArtifact)({ ...input });
    strict_1.default.deepEqual(a.bytes, b.bytes);
    const m = JSON.parse(a.bytes.toString());
    strict_1.default.equal(m['artifactType'], artifact_js_1.ARTIFACT_TYPES.rootfs);
    strict_1.default.deepEqual(m['config'], { mediaType: 'application/vnd.oci.empty.v1+json', digest: oci_js_1.EMPTY_DIGEST, size: 2 });
    strict_1.default.deepEqual(m['layers'], [{ mediaType: artifact_js_1.FS_MEDIA_TYPES.erofs, digest: D, size: 4096, annotations: { 'org.opencontainers.image.title': 'default.erofs', 'io.fexpod.xxh3': '0123456789abcdef' } }]);
    strict_1.default.equal(m['annotations']['org.opencontainers.image.created'], '2023-11-14T22:13:20Z');
    strict_1.default.equal((0, artifact_js_1.planFileArtifact)({ ...input, role: 'overlay' }).artifactType, artifact_js_1.ARTIFACT_TYPES.overlay);
    strict_1.default.notEqual((0, artifact_js_1.planFileArtifact)({ ...input, sourceDateEpoch: 1 }).digest, a.digest);
});
(0, node_test_1.test)('an SBOM referrer names its subject; the fallback tag is sha256-HEX', () => {
    const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 100, annotations: { x: 'y' } };
    const { manifest } = (0, artifact_js_1.planSbomReferrer)({ fileName: '/out/x.spdx.json', bytes: Buffer.from('{"spdxVersion":"SPDX-2.3"}'), subject });
    const m = JSON.parse(manifest.bytes.toString());
    strict_1.default.equal(m['artifactType'], 'application/spdx+json');
    strict_1.default.deepEqual(m['subject'], { mediaType: subject.mediaType, digest: D, size: 100 });
    strict_1.default.equal(m['layers'][0].annotations['org.opencontainers.image.title'], 'x.spdx.json');
    strict_1.default.equal((0, referrers_js_1.fallbackTag)(D), `sha256-${'b'.repeat(64)}`);
});
(0, node_test_1.test)('detectFsKind reads the EroFS and SquashFS magics', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-magic-'));
    try {
        const erofs = Buffer.alloc(2048);
        erofs.writeUInt32LE(0xe0f5e1e2, 1024);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'a'), erofs);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'b'), Buffer.concat([Buffer.from('hsqs'), Buffer.alloc(100)]));
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'c'), 'neither');
        strict_1.default.equal(await (0, artifact_js_1.detectFsKind)((0, node_path_1.join)(dir, 'a')), 'erofs');
        strict_1.default.equal(await (0, artifact_js_1.detectFsKind)((0, node_path_1.join)(dir, 'b')), 'squashfs');
        strict_1.default.equal(await (0, artifact_js_1.detectFsKind)((0, node_path_1.join)(dir, 'c')), undefined);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
