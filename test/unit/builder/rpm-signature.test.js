"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
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
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const rpm_signature_js_1 = require("../../../src/builder/rpm/rpm-signature.js");
const integration_js_1 = require("../../helpers/integration.js");
const fixture = (f) => (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'rpm', f);
const keys = (...files) => (0, rpm_signature_js_1.readKeys)(files.map((f) => ({ name: f, data: new Uint8Array((0, node_fs_1.readFileSync)(fixture(f))) })));
async function verify(pkg, keyFiles) {
    const b = new Uint8Array((0, node_fs_1.readFileSync)(fixture(pkg)));
    return (0, rpm_signature_js_1.verifyHeaderSignature)(b, (0, rpm_header_js_1.parseRpmHeaders)(b), await keys(...keyFiles));
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
];
for (const c of good) {
    (0, node_test_1.test)(`verifies: ${c.name}`, async () => {
        const r = await verify(c.pkg, [c.key]);
        strict_1.default.ok(r.ok, JSON.stringify(r));
        strict_1.default.equal(r.keyId, c.keyId);
        strict_1.default.equal(r.skipped.length, c.skipped);
    });
}
(0, node_test_1.test)('the skipped ML-DSA signature is named: version, algorithm and signer fingerprint', async () => {
    const r = await verify(MLDSA, [KEY_2048]);
    // The issuer fingerprint subpacket names the signing key (fexpod-mldsa87-test.asc).
    strict_1.default.deepEqual(r.skipped, ['OpenPGP v6 ML-DSA-87+Ed448/SHA512 signature by key cd3720fca602293b439cebd5396659d12fc95ba4218e5366db8f2b9b758a1f22 (an algorithm fexpod cannot check)']);
});
(0, node_test_1.test)('only signatures fexpod cannot check or by untrusted keys: "no-key", naming the key and the skipped one', async () => {
    const r = await verify(MLDSA, [KEY_4096]);
    strict_1.default.equal(r.ok, false);
    strict_1.default.equal(r.ok ? '' : r.reason, 'no-key');
    strict_1.default.match(r.ok ? '' : r.detail, /key ID cdbde83a93a8bfe2/);
    strict_1.default.equal(r.skipped.length, 1);
});
(0, node_test_1.test)('a v3 signature checked against the wrong 4096-bit key is "no-key", not a crash', async () => {
    const r = await verify(V3_4096, [KEY_2048]);
    strict_1.default.equal(r.ok ? '' : r.reason, 'no-key');
});
(0, node_test_1.test)('a v3 signature over a flipped header byte is a bad signature', async () => {
    const b = new Uint8Array((0, node_fs_1.readFileSync)(fixture(V3_4096)));
    const h = (0, rpm_header_js_1.parseRpmHeaders)(b);
    const at = h.ranges.header.end - 3;
    b[at] = b[at] ^ 0x01;
    const r = await (0, rpm_signature_js_1.verifyHeaderSignature)(b, (0, rpm_header_js_1.parseRpmHeaders)(b), await keys(KEY_4096));
    strict_1.default.equal(r.ok ? '' : r.reason, 'bad-signature');
});
