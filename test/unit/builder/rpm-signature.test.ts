/**
 * Header signatures of real packages (test/fixtures/rpm, origins in its README):
 * - a v3 RSA/SHA256 signature by a 4096-bit key whose hash starts with 0x0f75, i.e. smaller than
 *   the signature's bit count (the case a parser that takes the bit count from the hash prefix
 *   truncates), made with GnuPG 1.4 --force-v3-sigs as Fedora signed for years;
 * - rpm's own hello-2.0-1 signed v3 by its 2048-bit test key;
 * - rpm's own hello-2.0-1 signed by an RSA key (v4, twice) and an ML-DSA-87+Ed448 key (OpenPGP
 *   v6), which fexpod cannot check: that one is skipped and named, the RSA one decides.
 * `rpm -K` says OK for each with the same keys (test/integration/builder/verify-oracle.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRpmHeaders } from '../../../src/builder/rpm-header.js';
import { readKeys, verifyHeaderSignature } from '../../../src/builder/rpm-signature.js';
import { repoRoot } from '../../helpers/integration.js';

const fixture = (f: string) => join(repoRoot(), 'test', 'fixtures', 'rpm', f);
const keys = (...files: string[]) => readKeys(files.map((f) => ({ name: f, data: new Uint8Array(readFileSync(fixture(f))) })));

async function verify(pkg: string, keyFiles: string[]) {
  const b = new Uint8Array(readFileSync(fixture(pkg)));
  return verifyHeaderSignature(b, parseRpmHeaders(b), await keys(...keyFiles));
}

const good = [
  { name: 'v3 RSA/SHA256, 4096-bit key, hash prefix 0x0f75 (< the 4095-bit MPI)', pkg: 'hello-2.0-1.x86_64-v3-rsa4096.rpm', key: 'fexpod-v3-rsa4096-test.asc', keyId: '13a0bf62d3e76ce4', skipped: 0 },
  { name: 'v3 RSA/SHA256, 2048-bit key (rpm\'s test package)', pkg: 'hello-2.0-1.x86_64-v3-signed.rpm', key: 'rpm.org-rsa-2048-test.pub', keyId: '4344591e1964c5fc', skipped: 0 },
  { name: 'v4 RSA next to a v6 ML-DSA-87+Ed448 signature', pkg: 'hello-2.0-1.x86_64-signed-mldsa87.rpm', key: 'rpm.org-rsa-2048-test.pub', keyId: '4344591e1964c5fc', skipped: 1 },
] as const;

for (const c of good) {
  test(`verifies: ${c.name}`, async () => {
    const r = await verify(c.pkg, [c.key]);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.keyId, c.keyId);
    assert.equal(r.skipped.length, c.skipped);
  });
}

test('the skipped ML-DSA signature is named: version, algorithm and signer fingerprint', async () => {
  const r = await verify('hello-2.0-1.x86_64-signed-mldsa87.rpm', ['rpm.org-rsa-2048-test.pub']);
  // The issuer fingerprint subpacket names the signing subkey (rpm -Kv, knowing the key, prints
  // its primary key aed05458…).
  assert.deepEqual(r.skipped, ['OpenPGP v6 ML-DSA-87+Ed448/SHA512 signature by key db11ab41d7ae9cd3c65ad3d2088c1f5486bdc33375f5d94f9743f8973635f35e (an algorithm fexpod cannot check)']);
});

test('only signatures fexpod cannot check or by untrusted keys: "no-key", naming the key and the skipped one', async () => {
  const r = await verify('hello-2.0-1.x86_64-signed-mldsa87.rpm', ['fexpod-v3-rsa4096-test.asc']);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.reason, 'no-key');
  assert.match(r.ok ? '' : r.detail, /key ID 4344591e1964c5fc/);
  assert.equal(r.skipped.length, 1);
});

test('a v3 signature checked against the wrong 4096-bit key is "no-key", not a crash', async () => {
  const r = await verify('hello-2.0-1.x86_64-v3-rsa4096.rpm', ['rpm.org-rsa-2048-test.pub']);
  assert.equal(r.ok ? '' : r.reason, 'no-key');
});

test('a v3 signature over a flipped header byte is a bad signature', async () => {
  const b = new Uint8Array(readFileSync(fixture('hello-2.0-1.x86_64-v3-rsa4096.rpm')));
  const h = parseRpmHeaders(b);
  const at = h.ranges.header.end - 3;
  b[at] = b[at]! ^ 0x01;
  const r = await verifyHeaderSignature(b, parseRpmHeaders(b), await keys('fexpod-v3-rsa4096-test.asc'));
  assert.equal(r.ok ? '' : r.reason, 'bad-signature');
});
