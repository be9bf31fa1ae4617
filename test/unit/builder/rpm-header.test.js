"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const integration_js_1 = require("../../helpers/integration.js");
// Expected values from `rpm -qp --nosignature --qf …` on the same files.
const cases = [
    {
        file: 'ngircd-22-2.fc22.x86_64.rpm',
        nevra: 'ngircd-22-2.fc22.x86_64',
        sourcerpm: 'ngircd-22-2.fc22.src.rpm',
        compressor: 'xz',
        payloadDigest: undefined,
        sha256Header: undefined,
        fileCount: 33,
        firstRequire: '/bin/sh',
    },
    {
        file: 'rpm-sign-4.15.1-1.fc31.x86_64.rpm',
        nevra: 'rpm-sign-4.15.1-1.fc31.x86_64',
        sourcerpm: 'rpm-4.15.1-1.fc31.src.rpm',
        compressor: 'zstd',
        payloadDigest: '941ed65a252a5608a346527b800ba68ad611b6218020957b282b9ae131e7088d',
        sha256Header: 'e7bc63f8d52a04b37ee300c7a87d9d5d0a9e5c5b3622277d91c92d224cbf163d',
        fileCount: 5,
        firstRequire: 'libc.so.6()(64bit)',
    },
    {
        file: 'xrootd-devel-5.5.4-1.fc37.x86_64.rpm',
        nevra: 'xrootd-devel-1:5.5.4-1.fc37.x86_64',
        sourcerpm: 'xrootd-5.5.4-1.fc37.src.rpm',
        compressor: 'zstd',
        payloadDigest: 'c3e537db95422586eef3e363f4b122280655969179b80a9a8e6f400da3650721',
        sha256Header: '37621d6b3f82092b273b7f439e67c6c7ad187062b95fcb8356acd6c6a7cc7530',
        fileCount: 93,
        firstRequire: '/usr/bin/bash',
    },
];
for (const c of cases) {
    (0, node_test_1.test)(`parses corpus RPM ${c.file}`, () => {
        const bytes = new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms', c.file)));
        const p = (0, rpm_header_js_1.parseRpmHeaders)(bytes);
        strict_1.default.equal((0, rpm_header_js_1.formatNevra)((0, rpm_header_js_1.headerNevra)(p.header)), c.nevra);
        strict_1.default.equal(p.header.string(rpm_header_js_1.RpmTag.SOURCERPM), c.sourcerpm);
        strict_1.default.equal(p.header.string(rpm_header_js_1.RpmTag.PAYLOADCOMPRESSOR), c.compressor);
        strict_1.default.equal(p.header.strings(rpm_header_js_1.RpmTag.PAYLOADDIGEST)[0], c.payloadDigest);
        strict_1.default.equal(p.signature.string(rpm_header_js_1.RpmSigTag.SHA256HEADER), c.sha256Header);
        strict_1.default.equal(p.header.strings(rpm_header_js_1.RpmTag.BASENAMES).length, c.fileCount);
        strict_1.default.equal(p.header.strings(rpm_header_js_1.RpmTag.REQUIRENAME)[0], c.firstRequire);
        strict_1.default.equal(p.header.numbers(rpm_header_js_1.RpmTag.DIRINDEXES).length, c.fileCount);
        strict_1.default.equal(p.ranges.signature.start, 96);
        strict_1.default.equal(p.ranges.header.start % 8, 0);
        strict_1.default.equal(p.ranges.payloadOffset, p.ranges.header.end);
        const mainBytes = bytes.subarray(p.ranges.header.start, p.ranges.header.end);
        if (c.sha256Header) {
            strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update(mainBytes).digest('hex'), c.sha256Header);
        }
        if (c.payloadDigest) {
            const payload = bytes.subarray(p.ranges.payloadOffset);
            strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update(payload).digest('hex'), c.payloadDigest);
        }
    });
}
(0, node_test_1.test)('signed corpus RPM carries an RSA header signature', () => {
    const p = (0, rpm_header_js_1.parseRpmHeaders)(new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms', 'rpm-sign-4.15.1-1.fc31.x86_64.rpm'))));
    const sig = p.signature.binary(rpm_header_js_1.RpmSigTag.RSAHEADER);
    strict_1.default.ok(sig && sig.length > 100);
    strict_1.default.equal(sig[0] & 0x80, 0x80, 'OpenPGP packet tag');
});
const bad = [
    { name: 'empty input', bytes: new Uint8Array(0), error: rpm_header_js_1.RpmTruncatedError },
    { name: 'not an RPM', bytes: new Uint8Array(200).fill(0x41), error: rpm_header_js_1.RpmFormatError },
    {
        name: 'lead only',
        bytes: (() => {
            const b = new Uint8Array(96);
            b.set([0xed, 0xab, 0xee, 0xdb, 3, 0]);
            b[79] = 5;
            return b;
        })(),
        error: rpm_header_js_1.RpmTruncatedError,
    },
];
for (const c of bad) {
    (0, node_test_1.test)(`rejects ${c.name}`, () => {
        strict_1.default.throws(() => (0, rpm_header_js_1.parseRpmHeaders)(c.bytes), c.error);
    });
}
(0, node_test_1.test)('a prefix reports how many bytes the headers need', () => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms', 'ngircd-22-2.fc22.x86_64.rpm')));
    const full = (0, rpm_header_js_1.parseRpmHeaders)(bytes);
    let needed = 200;
    for (let i = 0; i < 5; i++) {
        try {
            (0, rpm_header_js_1.parseRpmHeaders)(bytes.subarray(0, needed));
            break;
        }
        catch (err) {
            strict_1.default.ok(err instanceof rpm_header_js_1.RpmTruncatedError);
            needed = err.needed;
        }
    }
    strict_1.default.equal(needed, full.ranges.payloadOffset);
});
