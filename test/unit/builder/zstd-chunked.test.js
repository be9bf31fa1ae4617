"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_test_1 = require("node:test");
const fzstd_1 = require("fzstd");
const compress_pool_js_1 = require("../../../src/builder/layer/compress-pool.js");
const crc64_js_1 = require("../../../src/builder/layer/crc64.js");
const zstd_chunked_js_1 = require("../../../src/builder/layer/zstd-chunked.js");
const zstd_chunked_toc_js_1 = require("../../../src/builder/layer/zstd-chunked-toc.js");
const tar_writer_js_1 = require("../../../src/builder/layer/tar-writer.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const tar_sample_js_1 = require("./tar-sample.js");
const SDE = 1_700_000_000;
function bigTree() {
    const big = new Uint8Array(150_000).map((_, i) => (i * 31 + (i >> 7)) & 0xff);
    return [...(0, tar_sample_js_1.sampleTree)(), { path: 'usr/lib64', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 1 },
        { path: 'usr/lib64/libbig.so.1', type: 'file', mode: 0o755, uid: 0, gid: 0, mtime: 1, content: (0, tree_js_1.bufferContent)(big) }];
}
async function chunked(entries, workers, chunkSize) {
    const pool = (0, compress_pool_js_1.compressPool)(workers);
    const out = [];
    try {
        const w = new zstd_chunked_js_1.ZstdChunkedWriter(pool, 3, (b) => { out.push(b.slice()); }, SDE, chunkSize);
        for await (const p of (0, tar_writer_js_1.tarParts)(entries, { sourceDateEpoch: SDE }))
            await w.part(p);
        const annotations = await w.end();
        return { blob: Buffer.concat(out), annotations };
    }
    finally {
        await pool.close();
    }
}
(0, node_test_1.test)('zstd:chunked: decompresses to the very tar (same diff_id), bytes independent of the workers', async () => {
    const tree = bigTree();
    const tar = await (0, tar_writer_js_1.layerTar)(tree, SDE);
    const a = await chunked(tree, 0, 64 * 1024);
    const b = await chunked(tree, 2, 64 * 1024);
    strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update(a.blob).digest('hex'), (0, node_crypto_1.createHash)('sha256').update(b.blob).digest('hex'));
    // skippable frames (TOC, tar-split, footer) are ignored by a decoder: the stream is the tar
    strict_1.default.deepEqual(Buffer.from((0, fzstd_1.decompress)(a.blob)), Buffer.from(tar));
});
(0, node_test_1.test)('zstd:chunked: footer, annotations, TOC offsets and tar-split are consistent', async () => {
    const tree = bigTree();
    const tar = Buffer.from(await (0, tar_writer_js_1.layerTar)(tree, SDE));
    const { blob, annotations } = await chunked(tree, 1, 64 * 1024);
    const footer = blob.subarray(blob.length - zstd_chunked_toc_js_1.FOOTER_SIZE);
    strict_1.default.deepEqual([...footer.subarray(56)], [...zstd_chunked_toc_js_1.CHUNKED_MAGIC]);
    const u64 = (i) => Number(footer.readBigUInt64LE(i * 8));
    const [mOff, mLen, mRaw, mType, sOff, sLen, sRaw] = [0, 1, 2, 3, 4, 5, 6].map(u64);
    strict_1.default.equal(mType, 1);
    strict_1.default.equal(annotations['io.github.containers.zstd-chunked.manifest-position'], `${mOff}:${mLen}:${mRaw}:1`);
    strict_1.default.equal(annotations['io.containers.zstd-chunked.manifest-position'], `${mOff}:${mLen}:${mRaw}:1`);
    strict_1.default.equal(annotations['io.github.containers.zstd-chunked.tarsplit-position'], `${sOff}:${sLen}:${sRaw}`);
    const manifestZ = blob.subarray(mOff ?? 0, (mOff ?? 0) + (mLen ?? 0));
    strict_1.default.equal(annotations['io.github.containers.zstd-chunked.manifest-checksum'], `sha256:${(0, node_crypto_1.createHash)('sha256').update(manifestZ).digest('hex')}`);
    strict_1.default.deepEqual([...blob.subarray((mOff ?? 0) - 8, (mOff ?? 0) - 4)], [0x50, 0x2a, 0x4d, 0x18]);
    const toc = JSON.parse(Buffer.from((0, fzstd_1.decompress)(manifestZ)).toString());
    strict_1.default.equal(toc.version, 1);
    const splitZ = blob.subarray(sOff ?? 0, (sOff ?? 0) + (sLen ?? 0));
    strict_1.default.equal(toc.tarSplitDigest, `sha256:${(0, node_crypto_1.createHash)('sha256').update(splitZ).digest('hex')}`);
    // every file's frames hold exactly its content; chunks hold their slices
    const byName = new Map((0, tree_js_1.canonicalEntries)(tree).map((e) => [e.type === 'dir' ? `${e.path}/` : e.path, e]));
    let multi = 0;
    for (const [i, e] of toc.entries.entries()) {
        const t = byName.get(e.name);
        if (e.type === 'reg' && (e.size ?? 0) > 0 && t?.content) {
            const data = Buffer.from(await t.content.read());
            strict_1.default.equal(e.digest, `sha256:${(0, node_crypto_1.createHash)('sha256').update(data).digest('hex')}`, e.name);
            strict_1.default.deepEqual(Buffer.from((0, fzstd_1.decompress)(blob.subarray(e.offset ?? 0, e.endOffset ?? 0))), data, e.name);
            if (e.chunkSize !== undefined) {
                multi++;
                const chunks = [e, ...toc.entries.slice(i + 1).filter((c) => c.type === 'chunk' && c.name === e.name)];
                let pos = 0;
                for (const [k, c] of chunks.entries()) {
                    const end = chunks[k + 1]?.offset ?? e.endOffset ?? 0;
                    const piece = Buffer.from((0, fzstd_1.decompress)(blob.subarray(c.offset ?? 0, end)));
                    strict_1.default.equal(c.chunkOffset ?? 0, pos);
                    strict_1.default.equal(piece.length, c.chunkSize);
                    strict_1.default.equal(c.chunkDigest, `sha256:${(0, node_crypto_1.createHash)('sha256').update(piece).digest('hex')}`);
                    pos += piece.length;
                }
                strict_1.default.equal(pos, data.length);
            }
        }
    }
    strict_1.default.equal(multi, 0, 'no chunk entries: a large file is one range over several frames');
    strict_1.default.ok((toc.entries.find((e) => e.name === 'usr/lib64/libbig.so.1')?.endOffset ?? 0) - (toc.entries.find((e) => e.name === 'usr/lib64/libbig.so.1')?.offset ?? 0) > 0);
    strict_1.default.ok(toc.entries.find((e) => e.name === 'usr/bin/ping')?.xattrs?.['security.capability']);
    strict_1.default.equal(toc.entries.find((e) => e.name === 'usr/')?.type, 'dir');
    strict_1.default.equal(toc.entries.find((e) => e.name === 'usr/')?.modtime, '2023-11-14T22:13:20Z');
    // tar-split: segments + file payloads rebuild the tar byte for byte; crc64 per file
    const splitRaw = Buffer.from((0, fzstd_1.decompress)(splitZ));
    strict_1.default.equal(splitRaw.length, sRaw);
    const lines = splitRaw.toString().split('\n').filter((l) => l !== '');
    const rebuilt = [];
    for (const [pos, l] of lines.entries()) {
        const e = JSON.parse(l);
        strict_1.default.equal(e.position, pos);
        if (e.type === 2)
            rebuilt.push(Buffer.from(e.payload ?? '', 'base64'));
        else if ((e.size ?? 0) > 0) {
            const data = Buffer.from(await (byName.get(e.name ?? '')?.content?.read() ?? Promise.resolve(new Uint8Array())));
            strict_1.default.equal(e.payload, Buffer.from((0, crc64_js_1.crc64Bytes)((0, crc64_js_1.crc64)(data))).toString('base64'), e.name);
            rebuilt.push(data);
        }
    }
    strict_1.default.deepEqual(Buffer.concat(rebuilt), tar);
});
(0, node_test_1.test)('TOC and tar-split JSON are what Go would marshal (field order, omitempty, HTML escaping)', () => {
    strict_1.default.equal((0, zstd_chunked_toc_js_1.tocJson)([{ type: 'reg', name: 'a<b', mode: 0o644, size: 0, uid: 0, modtime: '2023-11-14T22:13:20Z' }], 'sha256:x'), '{"version":1,"entries":[{"type":"reg","name":"a\\u003cb","mode":420,"modtime":"2023-11-14T22:13:20Z"}],"tarSplitDigest":"sha256:x"}');
    strict_1.default.equal((0, zstd_chunked_toc_js_1.tarSplitLine)({ type: 1, name: 'usr/', size: 0, payload: null }, 3), '{"type":1,"name":"usr/","payload":null,"position":3}\n');
    strict_1.default.equal((0, zstd_chunked_toc_js_1.tarSplitLine)({ type: 2, payload: Uint8Array.from([1, 2]) }, 0), '{"type":2,"payload":"AQI=","position":0}\n');
});
