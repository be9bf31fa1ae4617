"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * fexpod's package verification against rpm's own: for real packages and keys (v3 signatures by
 * 2048- and 4096-bit keys whose hash prefix is smaller than the signature, Fedora 31's v3
 * signature, a package that also carries an ML-DSA signature, a flipped header byte), `rpm -K`
 * with the key in a throwaway rpmdb and verifyRpmFile must give the same verdict.
 * rpm 4.18 does not read rpm 6's OPENPGP tag: for the ML-DSA package it checks only the RSA
 * signature in RSAHEADER; that the ML-DSA one is skipped is checked in the unit tests.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const rpm_signature_js_1 = require("../../../src/builder/rpm/rpm-signature.js");
const verify_js_1 = require("../../../src/builder/rpm/verify.js");
const integration_js_1 = require("../../helpers/integration.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpm'), (0, integration_js_1.onPath)('rpmkeys'));
const fixture = (f) => (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'rpm', f);
const fedora31 = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'keys', 'RPM-GPG-KEY-fedora-31-primary');
const V3_4096 = 'fexpod-sigtest-1.0-1.noarch.v3-rsa4096.rpm';
const KEY_4096 = fixture('fexpod-rsa4096-test.asc');
const KEY_2048 = fixture('fexpod-rsa2048-test.asc');
/** rpm -K's verdict with exactly these keys imported. */
function rpmK(pkg, keys) {
    const db = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-rpmdb-'));
    try {
        for (const k of keys) {
            const r = (0, node_child_process_1.spawnSync)('rpmkeys', ['--dbpath', db, '--import', k], { encoding: 'utf8' });
            strict_1.default.equal(r.status, 0, r.stderr);
        }
        const r = (0, node_child_process_1.spawnSync)('rpm', ['--dbpath', db, '-Kv', pkg], { encoding: 'utf8' });
        return { ok: r.status === 0, out: r.stdout + r.stderr };
    }
    finally {
        (0, node_fs_1.rmSync)(db, { recursive: true, force: true });
    }
}
async function fexpod(pkg, keys) {
    const bytes = (0, node_fs_1.readFileSync)(pkg);
    const n = (0, rpm_header_js_1.headerNevra)((0, rpm_header_js_1.parseRpmHeaders)(new Uint8Array(bytes)).header);
    const exp = { ...n, sha256: (0, node_crypto_1.createHash)('sha256').update(bytes).digest('hex'), size: bytes.length };
    const parsed = await (0, rpm_signature_js_1.readKeys)(keys.map((k) => ({ name: k, data: new Uint8Array((0, node_fs_1.readFileSync)(k)) })));
    try {
        await (0, verify_js_1.verifyRpmFile)(pkg, exp, { gpgcheck: true, keys: parsed });
        return { ok: true };
    }
    catch (err) {
        if (err instanceof verify_js_1.PackageVerifyError)
            return { ok: false, kind: err.kind };
        throw err;
    }
}
const cases = [
    { name: 'v3 RSA/SHA256 by a 4096-bit key, hash prefix 0x04c9', pkg: () => fixture(V3_4096), keys: [KEY_4096], ok: true },
    { name: 'the same package against another key', pkg: () => fixture(V3_4096), keys: [KEY_2048], ok: false, kind: 'no-key' },
    { name: 'v3 RSA/SHA256 by a 2048-bit key, hash prefix 0x04c9', pkg: () => fixture('fexpod-sigtest-1.0-1.noarch.v3-rsa2048.rpm'), keys: [KEY_2048], ok: true },
    { name: 'RSA and ML-DSA-87+Ed448 signatures, the RSA key trusted', pkg: () => fixture('fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm'), keys: [KEY_2048], ok: true },
    { name: 'Fedora 31 rpm-sign (v3, 4096-bit Fedora key)', pkg: () => (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms', 'rpm-sign-4.15.1-1.fc31.x86_64.rpm'), keys: [fedora31], ok: true },
    { name: 'v3 4096-bit package with a flipped header byte', pkg: flippedV3, keys: [KEY_4096], ok: false, kind: 'tampered' },
];
let flipDir = '';
function flippedV3() {
    flipDir ||= (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-oracle-flip-'));
    const b = Buffer.from((0, node_fs_1.readFileSync)(fixture(V3_4096)));
    const h = (0, rpm_header_js_1.parseRpmHeaders)(new Uint8Array(b));
    const at = h.ranges.header.end - 3;
    b[at] = b[at] ^ 0x01;
    const out = (0, node_path_1.join)(flipDir, 'fexpod-sigtest-flipped.rpm');
    (0, node_fs_1.writeFileSync)(out, b);
    return out;
}
for (const c of cases) {
    (0, node_test_1.test)(`same verdict as rpm -K: ${c.name}`, req, async () => {
        const pkg = c.pkg();
        const oracle = rpmK(pkg, c.keys);
        strict_1.default.equal(oracle.ok, c.ok, `rpm -K: ${oracle.out}`);
        const ours = await fexpod(pkg, c.keys);
        strict_1.default.equal(ours.ok, oracle.ok, `rpm -K says ${oracle.out}; fexpod says ${JSON.stringify(ours)}`);
        if (!c.ok)
            strict_1.default.equal(ours.kind, 'kind' in c ? c.kind : undefined);
    });
}
(0, node_test_1.after)(() => {
    if (flipDir)
        (0, node_fs_1.rmSync)(flipDir, { recursive: true, force: true });
});
