import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSbom, rpmPurl, sbomJson, type SbomPackage } from '../../../src/builder/outputs/sbom.js';

const pkgs: SbomPackage[] = [
  { name: 'glibc', epoch: 0, version: '2.40', release: '1.fc42', arch: 'x86_64', sha256: 'a'.repeat(64), location: 'https://example.invalid/glibc.rpm', license: 'LGPL-2.1-or-later', vendor: 'Fedora Project' },
  { name: 'bash', epoch: 0, version: '5.2.37', release: '1.fc42', arch: 'x86_64', sha256: 'b'.repeat(64) },
  { name: 'shadow-utils', epoch: 2, version: '4.17', release: '1.fc42', arch: 'i686', sha256: 'c'.repeat(64) },
];
const input = { imageName: 'fex-rootfs', imageDigest: 'sha256:' + 'd'.repeat(64), sourceDateEpoch: 1_700_000_000, distro: { id: 'fedora', release: '42' }, packages: pkgs, toolVersion: '0.1.0' };

const purlCases = [
  { pkg: pkgs[0], want: 'pkg:rpm/fedora/glibc@2.40-1.fc42?arch=x86_64&distro=fedora-42' },
  { pkg: pkgs[2], want: 'pkg:rpm/fedora/shadow-utils@4.17-1.fc42?arch=i686&epoch=2&distro=fedora-42' },
];
for (const c of purlCases) test(`purl ${c.want}`, () => assert.equal(rpmPurl(c.pkg!, input.distro), c.want));

test('SPDX 2.3 document: required fields, one package per RPM, DESCRIBES the image', () => {
  const doc = buildSbom(input) as Record<string, unknown> & { packages: Record<string, unknown>[]; relationships: Record<string, string>[]; creationInfo: { created: string; creators: string[] } };
  for (const k of ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo']) assert.ok(k in doc, k);
  assert.equal(doc['spdxVersion'], 'SPDX-2.3');
  assert.equal(doc['dataLicense'], 'CC0-1.0');
  assert.equal(doc.creationInfo.created, '2023-11-14T22:13:20Z');
  assert.equal(doc.packages.length, 4);
  const ids = new Set<string>();
  for (const p of doc.packages) {
    for (const k of ['SPDXID', 'name', 'downloadLocation']) assert.ok(k in p, `${String(p['name'])}: ${k}`);
    assert.match(String(p['SPDXID']), /^SPDXRef-[A-Za-z0-9.-]+$/);
    ids.add(String(p['SPDXID']));
  }
  assert.equal(ids.size, 4);
  const shadow = doc.packages.find((p) => p['name'] === 'shadow-utils');
  assert.equal(shadow?.['versionInfo'], '2:4.17-1.fc42');
  assert.deepEqual(shadow?.['checksums'], [{ algorithm: 'SHA256', checksumValue: 'c'.repeat(64) }]);
  assert.ok(doc.relationships.some((r) => r['spdxElementId'] === 'SPDXRef-DOCUMENT' && r['relationshipType'] === 'DESCRIBES'));
  for (const r of doc.relationships) assert.ok(ids.has(r['relatedSpdxElement'] ?? ''));
});

test('deterministic: package order does not matter, namespace follows the image digest', () => {
  assert.equal(sbomJson(input), sbomJson({ ...input, packages: [...pkgs].reverse() }));
  assert.notEqual(sbomJson(input), sbomJson({ ...input, imageDigest: 'sha256:' + 'e'.repeat(64) }));
});
