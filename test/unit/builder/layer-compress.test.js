"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_test_1 = require("node:test");
const node_zlib_1 = require("node:zlib");
const compress_pool_js_1 = require("../../../src/builder/layer/compress-pool.js");
const crc32_js_1 = require("../../../src/builder/layer/crc32.js");
const crc64_js_1 = require("../../../src/builder/layer/crc64.js");
const parallel_gzip_js_1 = require("../../../src/builder/layer/parallel-gzip.js");
const zstd_blocks_js_1 = require("../../../src/builder/layer/zstd-blocks.js");
const zstd_wasm_js_1 = require("../../../src/builder/layer/zstd-wasm.js");
/** Compressible but not trivial: text-like runs mixed with random bytes. */
function sample(n) {
    const out = new Uint8Array(n);
    const words = Buffer.from('lib64 usr share locale x86_64 fedora rpm elf symbol ');
    for (let i = 0; i < n; i++)
        out[i] = words[(i * 7 + (i >> 9)) % words.length] ?? 0;
    const noise = (0, node_crypto_1.randomBytes)(Math.floor(n / 10));
    for (let i = 0; i < noise.length; i++)
        out[(i * 97) % n] = noise[i] ?? 0;
    return out;
}
async function gzipWith(workers, data, block, pieces) {
    const pool = (0, compress_pool_js_1.compressPool)(workers);
    const parts = [];
    try {
        const gz = new parallel_gzip_js_1.ParallelGzip(pool, 4, (b) => { parts.push(b.slice()); }, block);
        const step = Math.ceil(data.length / pieces);
        for (let off = 0; off < data.length; off += step)
            await gz.push(data.subarray(off, off + step));
        await gz.end();
    }
    finally {
        await pool.close();
    }
    return Buffer.concat(parts);
}
const cases = [
    { name: 'empty input', size: 0, block: 64 * 1024 },
    { name: 'less than one block', size: 1000, block: 64 * 1024 },
    { name: 'exactly two blocks', size: 128 * 1024, block: 64 * 1024 },
    { name: 'many blocks and a tail', size: 700 * 1024 + 123, block: 64 * 1024 },
    { name: 'blocks smaller than the 32 KiB dictionary', size: 100 * 1024, block: 16 * 1024 },
];
for (const c of cases) {
    (0, node_test_1.test)(`parallel gzip: one valid stream, identical with 0, 1 and 3 workers (${c.name})`, async () => {
        const data = sample(c.size);
        const a = await gzipWith(0, data, c.block, 3);
        const b = await gzipWith(1, data, c.block, 7);
        const d = await gzipWith(3, data, c.block, 1);
        strict_1.default.deepEqual((0, node_zlib_1.gunzipSync)(a), Buffer.from(data));
        strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update(a).digest('hex'), (0, node_crypto_1.createHash)('sha256').update(b).digest('hex'));
        strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update(a).digest('hex'), (0, node_crypto_1.createHash)('sha256').update(d).digest('hex'));
        strict_1.default.deepEqual([...a.subarray(0, 4)], [0x1f, 0x8b, 8, 0]);
    });
}
(0, node_test_1.test)('crc32Combine equals the CRC of the concatenation', () => {
    for (const [la, lb] of [[0, 5], [5, 0], [1, 1], [1000, 70000], [123457, 3]]) {
        const a = (0, node_crypto_1.randomBytes)(la);
        const b = (0, node_crypto_1.randomBytes)(lb);
        strict_1.default.equal((0, crc32_js_1.crc32Combine)((0, node_zlib_1.crc32)(a), (0, node_zlib_1.crc32)(b), lb), (0, node_zlib_1.crc32)(Buffer.concat([a, b])) >>> 0);
    }
});
(0, node_test_1.test)('crc64 is Go crc64.ISO (check value) and combines', () => {
    strict_1.default.equal((0, crc64_js_1.crc64)(Buffer.from('123456789')), 0xb90956c775a41001n);
    const a = (0, node_crypto_1.randomBytes)(3001);
    const b = (0, node_crypto_1.randomBytes)(777);
    strict_1.default.equal((0, crc64_js_1.crc64Combine)((0, crc64_js_1.crc64)(a), (0, crc64_js_1.crc64)(b), b.length), (0, crc64_js_1.crc64)(Buffer.concat([a, b])));
});
(0, node_test_1.test)('zstd blocks: concatenated frames decompress to the input, identical with 0 and 2 workers', async () => {
    await (0, zstd_wasm_js_1.zstdReady)();
    const data = sample(300 * 1024 + 5);
    const run = async (workers) => {
        const pool = (0, compress_pool_js_1.compressPool)(workers);
        const frames = [];
        try {
            const z = new zstd_blocks_js_1.ZstdBlocks(pool, 3, (f) => { frames.push(f.slice()); }, 64 * 1024);
            await z.push(data);
            await z.end();
        }
        finally {
            await pool.close();
        }
        return frames;
    };
    const a = await run(0);
    const b = await run(2);
    strict_1.default.deepEqual(Buffer.concat(a), Buffer.concat(b));
    strict_1.default.deepEqual(Buffer.concat(a.map((f) => (0, zstd_wasm_js_1.zstdDecompress)(f))), Buffer.from(data));
});
