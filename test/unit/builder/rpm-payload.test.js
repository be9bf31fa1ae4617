"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * extractPayload over a crafted package (header + gzip payload built here):
 * the stripped 07070X payload form that rpm v6 and large-file packages use
 * (built by following rpm's lib/cpio.cc and lib/rpmfi.cc exactly — Debian's
 * rpm 4.18 cannot produce one here), and the same file list as newc.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_test_1 = require("node:test");
const node_zlib_1 = require("node:zlib");
const content_store_js_1 = require("../../../src/builder/tree/content-store.js");
const rpm_extract_js_1 = require("../../../src/builder/rpm/rpm-extract.js");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const str = (s) => ({ type: rpm_header_js_1.RpmTagType.STRING, count: 1, data: Buffer.from(`${s}\0`), align: 1 });
const strs = (a) => ({ type: rpm_header_js_1.RpmTagType.STRING_ARRAY, count: a.length, data: Buffer.from(a.map((s) => `${s}\0`).join('')), align: 1 });
const i32 = (a) => {
    const b = Buffer.alloc(4 * a.length);
    a.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
    return { type: rpm_header_js_1.RpmTagType.INT32, count: a.length, data: b, align: 4 };
};
const i16 = (a) => {
    const b = Buffer.alloc(2 * a.length);
    a.forEach((v, i) => b.writeUInt16BE(v, i * 2));
    return { type: rpm_header_js_1.RpmTagType.INT16, count: a.length, data: b, align: 2 };
};
const i64 = (a) => {
    const b = Buffer.alloc(8 * a.length);
    a.forEach((v, i) => b.writeBigUInt64BE(BigInt(v), i * 8));
    return { type: rpm_header_js_1.RpmTagType.INT64, count: a.length, data: b, align: 8 };
};
function header(tags) {
    const index = [];
    let store = Buffer.alloc(0);
    for (const [tag, v] of [...tags].sort((a, b) => a[0] - b[0])) {
        const pad = (v.align - (store.length % v.align)) % v.align;
        store = Buffer.concat([store, Buffer.alloc(pad)]);
        const e = Buffer.alloc(16);
        e.writeUInt32BE(tag, 0);
        e.writeUInt32BE(v.type, 4);
        e.writeUInt32BE(store.length, 8);
        e.writeUInt32BE(v.count, 12);
        index.push(e);
        store = Buffer.concat([store, v.data]);
    }
    const pre = Buffer.alloc(16);
    pre.set([0x8e, 0xad, 0xe8, 0x01], 0);
    pre.writeUInt32BE(index.length, 8);
    pre.writeUInt32BE(store.length, 12);
    return Buffer.concat([pre, ...index, store]);
}
const hex8 = (n) => (n >>> 0).toString(16).padStart(8, '0');
const sha = (s) => (0, node_crypto_1.createHash)('sha256').update(s).digest('hex');
// Files: 0 dir /opt/x, 1 file a (hardlink set with 2), 2 file b (last: carries data), 3 symlink l -> a, 4 ghost g, 5 empty file e.
const files = [
    { name: 'x', dir: 0, mode: 0o40755, data: '', ino: 1, flags: 0, link: '' },
    { name: 'a', dir: 1, mode: 0o100644, data: 'shared!', ino: 2, flags: 0, link: '' },
    { name: 'b', dir: 1, mode: 0o100644, data: 'shared!', ino: 2, flags: 0, link: '' },
    { name: 'l', dir: 1, mode: 0o120777, data: 'a', ino: 3, flags: 0, link: 'a' },
    { name: 'g', dir: 1, mode: 0o100644, data: '', ino: 4, flags: 64, link: '' },
    { name: 'e', dir: 1, mode: 0o100600, data: '', ino: 5, flags: 0, link: '' },
];
function pkgHeader() {
    const t = new Map([
        [rpm_header_js_1.RpmTag.NAME, str('crafted')], [rpm_header_js_1.RpmTag.VERSION, str('1')], [rpm_header_js_1.RpmTag.RELEASE, str('1')], [rpm_header_js_1.RpmTag.ARCH, str('noarch')],
        [rpm_header_js_1.RpmTag.SOURCERPM, str('crafted-1-1.src.rpm')], [rpm_header_js_1.RpmTag.PAYLOADCOMPRESSOR, str('gzip')], [rpm_header_js_1.RpmTag.PAYLOADFORMAT, str('cpio')],
        [rpm_header_js_1.RpmTag.DIRNAMES, strs(['/opt/', '/opt/x/'])], [rpm_header_js_1.RpmTag.BASENAMES, strs(files.map((f) => f.name))],
        [rpm_header_js_1.RpmTag.DIRINDEXES, i32(files.map((f) => f.dir))], [rpm_header_js_1.RpmTag.FILEMODES, i16(files.map((f) => f.mode))],
        [rpm_header_js_1.RpmTag.LONGFILESIZES, i64(files.map((f) => (f.mode & 0o170000) === 0o40000 ? 4096 : f.data.length))],
        [rpm_header_js_1.RpmTag.FILEINODES, i32(files.map((f) => f.ino))], [rpm_header_js_1.RpmTag.FILEDEVICES, i32(files.map(() => 1))],
        [rpm_header_js_1.RpmTag.FILEFLAGS, i32(files.map((f) => f.flags))], [rpm_header_js_1.RpmTag.FILELINKTOS, strs(files.map((f) => f.link))],
        [rpm_header_js_1.RpmTag.FILEDIGESTS, strs(files.map((f) => ((f.mode & 0o170000) === 0o100000 && !f.flags ? sha(f.data) : '')))],
        [rpm_header_js_1.RpmTag.FILEDIGESTALGO, i32([8])], [rpm_header_js_1.RpmTag.FILEUSERNAME, strs(files.map(() => 'root'))], [rpm_header_js_1.RpmTag.FILEGROUPNAME, strs(files.map(() => 'root'))],
    ]);
    return (0, rpm_header_js_1.parseHeaderAt)(header(t), 0, 'crafted').header;
}
/** rpmfi's archive writer with stripped headers: every non-ghost file by index; hardlink data on the last member. */
function strippedPayload(order, opts = {}) {
    let out = Buffer.alloc(0);
    const pad = () => {
        out = Buffer.concat([out, Buffer.alloc((4 - (out.length % 4)) % 4)]);
    };
    for (const fx of order) {
        const f = files[fx] ?? { mode: 0, data: '' };
        pad();
        out = Buffer.concat([out, Buffer.from(`07070X${hex8(fx)}`)]);
        pad();
        const carries = !(fx === 1); // file 1 is not the last member of its hardlink set
        let data = (f.mode & 0o170000) === 0o40000 || !carries ? '' : f.data;
        if (opts.corruptDigest && fx === 2)
            data = 'shared?';
        out = Buffer.concat([out, Buffer.from(data)]);
    }
    pad();
    out = Buffer.concat([out, Buffer.from(`070701${'0'.repeat(32)}00000001${'0'.repeat(48)}0000000b${'0'.repeat(8)}TRAILER!!!\0`)]);
    pad();
    return opts.plain ? out : (0, node_zlib_1.gzipSync)(out);
}
async function* once(b) {
    yield b;
}
(0, node_test_1.test)('stripped 07070X payload (crafted per rpm source; no rpm v6 package can be built here) extracts by file index', async () => {
    const r = await (0, rpm_extract_js_1.extractPayload)(pkgHeader(), once(strippedPayload([0, 1, 2, 3, 5])), (0, content_store_js_1.memoryContentStore)());
    strict_1.default.equal(r.nevra, 'crafted-1-1.noarch');
    const text = async (i) => Buffer.from(await r.content.get(i).read()).toString();
    strict_1.default.equal(await text(1), 'shared!');
    strict_1.default.equal(r.content.get(1), r.content.get(2), 'hardlink members share one content');
    strict_1.default.equal(await text(5), '');
    strict_1.default.equal(r.content.has(4), false, 'ghost has no content');
    strict_1.default.equal(r.files[3]?.linkTo, 'a');
});
(0, node_test_1.test)('stripped payload: a digest mismatch fails', async () => {
    await strict_1.default.rejects((0, rpm_extract_js_1.extractPayload)(pkgHeader(), once(strippedPayload([0, 1, 2, 3, 5], { corruptDigest: true })), (0, content_store_js_1.memoryContentStore)()), rpm_extract_js_1.RpmExtractError);
});
(0, node_test_1.test)('stripped payload: a listed file missing from the payload fails', async () => {
    await strict_1.default.rejects((0, rpm_extract_js_1.extractPayload)(pkgHeader(), once(strippedPayload([0, 1, 2, 3])), (0, content_store_js_1.memoryContentStore)()), /missing from the payload/);
});
(0, node_test_1.test)('stripped payload: an index outside the file list fails', async () => {
    const bad = strippedPayload([0, 1, 2, 3, 5, 9]);
    await strict_1.default.rejects((0, rpm_extract_js_1.extractPayload)(pkgHeader(), once(bad), (0, content_store_js_1.memoryContentStore)()), rpm_extract_js_1.RpmExtractError);
});
(0, node_test_1.test)('a "gzip" payload that is plain cpio is read as rpm\'s gzdio reads it (transparently), in any chunking', async () => {
    const plain = strippedPayload([0, 1, 2, 3, 5], { plain: true });
    async function* bytewise() {
        for (let i = 0; i < plain.length; i++)
            yield plain.subarray(i, i + 1);
    }
    for (const src of [once(plain), bytewise()]) {
        const r = await (0, rpm_extract_js_1.extractPayload)(pkgHeader(), src, (0, content_store_js_1.memoryContentStore)());
        strict_1.default.equal(Buffer.from(await r.content.get(1).read()).toString(), 'shared!');
    }
});
