/**
 * Header signatures of real packages (test/fixtures/rpm: fexpod's own fexpod-sigtest, signed by
 * make-fixtures.mjs with throwaway keys; see its README):
 * - v3 RSA/SHA256 signatures by a 4096- and a 2048-bit key whose hash starts with 0x04c9, i.e.
 *   smaller than the signature's bit count (the case a parser that takes the bit count from the
 *   hash prefix truncates), made with GnuPG 1.4 --force-v3-sigs as Fedora signed for years;
 * - RSA v4 next to an ML-DSA-87+Ed448 (OpenPGP v6) signature in rpm 6's OPENPGP tag, the v6 one
 *   first: fexpod cannot check it, so it is skipped and named, and the RSA one decides.
 * `rpm -K` says OK for each with the same keys (test/integration/builder/verify-oracle.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRpmHeaders } from '../../../src/builder/rpm/rpm-header.js';
import { readKeys, verifyHeaderSignature } from '../../../src/builder/rpm/rpm-signature.js';
import { repoRoot } from '../../helpers/integration.js';

const fixture = (f: string) => join(repoRoot(), 'test', 'fixtures', 'rpm', f);
const keys = (...files: string[]) => readKeys(files.map((f) => ({ name: f, data: new Uint8Array(readFileSync(fixture(f))) })));

async function verify(pkg: string, keyFiles: string[]) {
  const b = new Uint8Array(readFileSync(fixture(pkg)));
  return verifyHeaderSignature(b, parseRpmHeaders(b), await keys(...keyFiles));
}

const V3_4096 = 'fexpod-sigtest-1.0-1.noarch.v3-rsa4096.rpm';
const V3_2048 = 'fexpod-sigtest-1.0-1.noarch.v3-rsa2048.rpm';
const MLDSA = 'fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm';
const KEY_4096 = 'fexpod-rsa4096-test.asc';
const KEY_2048 = 'fexpod-rsa2048-test.asc';

const good = [
  { name: 'v3 RSA/SHA256, 4096-bit key, hash prefix 0x04c9 (< the 4096-bit MPI)', pkg: V3_4096, key: KEY_4096, keyId: 'e173b83235014ae2', skipped: 0 },
  { name: 'v3 RSA/SHA256, 2048-bit key, hash prefix 0x04c9 (< the 2045-bit MPI)', pkg: V3_2048, key: KEY_2048, keyId: 'cdbde83a93a8bfe2', skipped: 0 },
  { name: 'v4 RSA after a v6 ML-DSA-87+Ed448 signature', pkg: MLDSA, key: KEY_2048, keyId: 'cdbde83a93a8bfe2', skipped: 1 },
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
  const r = await verify(MLDSA, [KEY_2048]);
  // The issuer fingerprint subpacket names the signing key (fexpod-mldsa87-test.asc).
  assert.deepEqual(r.skipped, ['OpenPGP v6 ML-DSA-87+Ed448/SHA512 signature by key cd3720fca602293b439cebd5396659d12fc95ba4218e5366db8f2b9b758a1f22 (an algorithm fexpod cannot check)']);
});

test('only signatures fexpod cannot check or by untrusted keys: "no-key", naming the key and the skipped one', async () => {
  const r = await verify(MLDSA, [KEY_4096]);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.reason, 'no-key');
  assert.match(r.ok ? '' : r.detail, /key ID cdbde83a93a8bfe2/);
  assert.equal(r.skipped.length, 1);
});

test('a v3 signature checked against the wrong 4096-bit key is "no-key", not a crash', async () => {
  const r = await verify(V3_4096, [KEY_2048]);
  assert.equal(r.ok ? '' : r.reason, 'no-key');
});

test('a v3 signature over a flipped header byte is a bad signature', async () => {
  const b = new Uint8Array(readFileSync(fixture(V3_4096)));
  const h = parseRpmHeaders(b);
  const at = h.ranges.header.end - 3;
  b[at] = b[at]! ^ 0x01;
  const r = await verifyHeaderSignature(b, parseRpmHeaders(b), await keys(KEY_4096));
  assert.equal(r.ok ? '' : r.reason, 'bad-signature');
});
