"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const decompress_js_1 = require("../../../src/common/decompress.js");
const integration_js_1 = require("../../helpers/integration.js");
const dir = () => (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'compressed_files');
// createrepo_c's own compression fixtures: the same text in every format.
const cases = [
    { file: '01_plain.txt.gz', c: 'gzip' },
    { file: '01_plain.txt.xz', c: 'xz' },
    { file: '01_plain.txt.bz2', c: 'bzip2' },
    { file: '01_plain.txt.zst', c: 'zstd' },
    { file: '01_plain.txt', c: 'none' },
];
for (const c of cases) {
    (0, node_test_1.test)(`decompresses createrepo_c fixture ${c.file}`, async () => {
        const plain = (0, node_fs_1.readFileSync)((0, node_path_1.join)(dir(), '01_plain.txt'));
        const data = new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir(), c.file)));
        if (c.c !== 'none') {
            strict_1.default.equal((0, decompress_js_1.compressionFromName)(c.file), c.c);
            strict_1.default.equal((0, decompress_js_1.detectCompression)(data), c.c);
        }
        const out = await (0, decompress_js_1.decompressBuffer)(c.c, data);
        strict_1.default.deepEqual(out, plain);
    });
}
for (const c of cases.filter((x) => x.c !== 'none')) {
    (0, node_test_1.test)(`truncated ${c.c} input is an error, not garbage`, async () => {
        const data = new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir(), c.file)));
        await strict_1.default.rejects((0, decompress_js_1.decompressBuffer)(c.c, data.subarray(0, Math.floor(data.length / 2))), (err) => {
            return err instanceof Error;
        });
    });
}
(0, node_test_1.test)('rpm PAYLOADCOMPRESSOR names map to compressions', () => {
    strict_1.default.equal((0, decompress_js_1.compressionFromName)('zstd'), 'zstd');
    strict_1.default.equal((0, decompress_js_1.compressionFromName)('lzma'), 'xz');
    strict_1.default.equal((0, decompress_js_1.compressionFromName)('primary.xml.weird'), undefined);
    strict_1.default.ok(decompress_js_1.DecompressError);
});
