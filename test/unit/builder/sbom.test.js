"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const sbom_js_1 = require("../../../src/builder/outputs/sbom.js");
const pkgs = [
    { name: 'glibc', epoch: 0, version: '2.40', release: '1.fc42', arch: 'x86_64', sha256: 'a'.repeat(64), location: 'https://example.invalid/glibc.rpm', license: 'LGPL-2.1-or-later', vendor: 'Fedora Project' },
    { name: 'bash', epoch: 0, version: '5.2.37', release: '1.fc42', arch: 'x86_64', sha256: 'b'.repeat(64) },
    { name: 'shadow-utils', epoch: 2, version: '4.17', release: '1.fc42', arch: 'i686', sha256: 'c'.repeat(64) },
];
const input = { imageName: 'fex-rootfs', imageDigest: 'sha256:' + 'd'.repeat(64), sourceDateEpoch: 1_700_000_000, distro: { id: 'fedora', release: '42' }, packages: pkgs, toolVersion: '0.1.0' };
const purlCases = [
    { pkg: pkgs[0], want: 'pkg:rpm/fedora/glibc@2.40-1.fc42?arch=x86_64&distro=fedora-42' },
    { pkg: pkgs[2], want: 'pkg:rpm/fedora/shadow-utils@4.17-1.fc42?arch=i686&epoch=2&distro=fedora-42' },
];
for (const c of purlCases)
    (0, node_test_1.test)(`purl ${c.want}`, () => strict_1.default.equal((0, sbom_js_1.rpmPurl)(c.pkg, input.distro), c.want));
(0, node_test_1.test)('SPDX 2.3 document: required fields, one package per RPM, DESCRIBES the image', () => {
    const doc = (0, sbom_js_1.buildSbom)(input);
    for (const k of ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo'])
        strict_1.default.ok(k in doc, k);
    strict_1.default.equal(doc['spdxVersion'], 'SPDX-2.3');
    strict_1.default.equal(doc['dataLicense'], 'CC0-1.0');
    strict_1.default.equal(doc.creationInfo.created, '2023-11-14T22:13:20Z');
    strict_1.default.equal(doc.packages.length, 4);
    const ids = new Set();
    for (const p of doc.packages) {
        for (const k of ['SPDXID', 'name', 'downloadLocation'])
            strict_1.default.ok(k in p, `${String(p['name'])}: ${k}`);
        strict_1.default.match(String(p['SPDXID']), /^SPDXRef-[A-Za-z0-9.-]+$/);
        ids.add(String(p['SPDXID']));
    }
    strict_1.default.equal(ids.size, 4);
    const shadow = doc.packages.find((p) => p['name'] === 'shadow-utils');
    strict_1.default.equal(shadow?.['versionInfo'], '2:4.17-1.fc42');
    strict_1.default.deepEqual(shadow?.['checksums'], [{ algorithm: 'SHA256', checksumValue: 'c'.repeat(64) }]);
    strict_1.default.ok(doc.relationships.some((r) => r['spdxElementId'] === 'SPDXRef-DOCUMENT' && r['relationshipType'] === 'DESCRIBES'));
    for (const r of doc.relationships)
        strict_1.default.ok(ids.has(r['relatedSpdxElement'] ?? ''));
});
(0, node_test_1.test)('deterministic: package order does not matter, namespace follows the image digest', () => {
    strict_1.default.equal((0, sbom_js_1.sbomJson)(input), (0, sbom_js_1.sbomJson)({ ...input, packages: [...pkgs].reverse() }));
    strict_1.default.notEqual((0, sbom_js_1.sbomJson)(input), (0, sbom_js_1.sbomJson)({ ...input, imageDigest: 'sha256:' + 'e'.repeat(64) }));
});
