"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const metadata_checksum_js_1 = require("../../../src/builder/repo/metadata-checksum.js");
const metadata_error_js_1 = require("../../../src/builder/repo/metadata-error.js");
const accepted = [
    { type: 'sha', alg: 'sha1' },
    { type: 'sha1', alg: 'sha1' },
    { type: 'SHA224', alg: 'sha224' },
    { type: 'sha256', alg: 'sha256' },
    { type: 'sha384', alg: 'sha384' },
    { type: 'sha512', alg: 'sha512' },
];
for (const c of accepted) {
    (0, node_test_1.test)(`repomd checksum type "${c.type}" is checked with ${c.alg} (as librepo does)`, () => {
        strict_1.default.equal((0, metadata_checksum_js_1.metadataDigestAlg)(c.type, 'primary metadata'), c.alg);
    });
}
const refused = [
    { type: 'md5', msg: 'primary metadata is protected only by an md5 checksum, which fexpod refuses (md5 collisions are cheap to make)' },
    { type: 'crc32', msg: 'primary metadata uses the checksum type "crc32", which fexpod does not know (it accepts sha1, sha224, sha256, sha384, sha512, as dnf)' },
];
for (const c of refused) {
    (0, node_test_1.test)(`repomd checksum type "${c.type}" is refused with its own message and fix`, () => {
        strict_1.default.throws(() => (0, metadata_checksum_js_1.metadataDigestAlg)(c.type, 'primary metadata'), (e) => e instanceof metadata_error_js_1.MetadataError && e.message === c.msg && /sha256/.test(e.fix ?? ''));
    });
}
