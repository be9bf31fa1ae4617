"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_test_1 = require("node:test");
const tar_writer_js_1 = require("../../../src/builder/layer/tar-writer.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const tar_sample_js_1 = require("./tar-sample.js");
const enc = new TextEncoder();
async function tarBytes(entries, sde) {
    const parts = [];
    for await (const c of (0, tar_writer_js_1.tarChunks)(entries, { sourceDateEpoch: sde }))
        parts.push(c);
    return Buffer.concat(parts);
}
const paxCases = [
    { key: 'path', value: 'a', want: '9 path=a\n' },
    { key: 'path', value: 'x'.repeat(89), want: `98 path=${'x'.repeat(89)}\n` },
    { key: 'path', value: 'x'.repeat(90), want: `99 path=${'x'.repeat(90)}\n` },
    { key: 'path', value: 'x'.repeat(91), want: `101 path=${'x'.repeat(91)}\n` },
];
for (const c of paxCases) {
    (0, node_test_1.test)(`pax record length counts itself (${c.value.length}-byte value)`, () => {
        strict_1.default.equal(Buffer.from((0, tar_writer_js_1.paxRecord)(c.key, enc.encode(c.value))).toString(), c.want);
    });
}
(0, node_test_1.test)('pax record keeps binary values byte for byte', () => {
    const v = Uint8Array.from([0, 0x0a, 0xff, 0x3d]);
    const r = (0, tar_writer_js_1.paxRecord)('SCHILY.xattr.security.capability', v);
    strict_1.default.deepEqual([...r.subarray(r.length - 5, r.length - 1)], [...v]);
    strict_1.default.equal(Buffer.from(r.subarray(0, 3)).toString(), `${r.length} `);
});
(0, node_test_1.test)('tar output is identical for the same tree in any input order', async () => {
    const a = await tarBytes((0, tar_sample_js_1.sampleTree)(), 1_700_000_000);
    const b = await tarBytes((0, tar_sample_js_1.sampleTree)().reverse(), 1_700_000_000);
    strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update(a).digest('hex'), (0, node_crypto_1.createHash)('sha256').update(b).digest('hex'));
    strict_1.default.equal(a.length % 512, 0);
});
(0, node_test_1.test)('tar headers: mtime clamped, empty uname/gname, ustar magic, checksum valid', async () => {
    const t = await tarBytes((0, tar_sample_js_1.sampleTree)(), 1_700_000_000);
    let off = 0;
    let seen = 0;
    while (off < t.length) {
        const h = t.subarray(off, off + 512);
        if (h.every((x) => x === 0))
            break;
        seen++;
        strict_1.default.equal(h.subarray(257, 265).toString('latin1'), 'ustar\u000000');
        strict_1.default.ok(h.subarray(265, 329).every((x) => x === 0), 'uname/gname empty');
        const mtime = parseInt(h.subarray(136, 147).toString(), 8);
        strict_1.default.ok(mtime <= 1_700_000_000);
        let sum = 0;
        for (let i = 0; i < 512; i++)
            sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
        strict_1.default.equal(parseInt(h.subarray(148, 154).toString(), 8), sum);
        const size = parseInt(h.subarray(124, 135).toString(), 8);
        const type = String.fromCharCode(h[156] ?? 0);
        if (type !== '3' && type !== '4')
            strict_1.default.ok(h.subarray(329, 345).every((x) => x === 0), 'no dev numbers');
        off += 512 + Math.ceil(size / 512) * 512;
    }
    strict_1.default.ok(seen >= 15);
});
(0, node_test_1.test)('canonical order puts parents first and the first hardlink member first', () => {
    const order = (0, tree_js_1.canonicalEntries)((0, tar_sample_js_1.sampleTree)());
    const paths = order.map((e) => e.path);
    strict_1.default.deepEqual(paths.slice(0, 3), ['dev', 'dev/fifo', 'dev/null']);
    const aa = order.find((e) => e.path === 'usr/bin/aa-link');
    const zz = order.find((e) => e.path === 'usr/bin/zz-link');
    strict_1.default.equal(aa?.type, 'file');
    strict_1.default.equal(zz?.type, 'hardlink');
    strict_1.default.equal(zz?.linkTarget, 'usr/bin/aa-link');
});
(0, node_test_1.test)('duplicate paths and dangling hardlinks are refused', () => {
    const base = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };
    strict_1.default.throws(() => (0, tree_js_1.canonicalEntries)([{ ...base, path: 'a', type: 'dir' }, { ...base, path: 'a', type: 'dir' }]));
    strict_1.default.throws(() => (0, tree_js_1.canonicalEntries)([{ ...base, path: 'a', type: 'hardlink', linkTarget: 'b' }]));
});
/** The reference definition: segment-wise byte comparison. */
function slowCompare(a, b) {
    const as = a.split('/');
    const bs = b.split('/');
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
        const c = Buffer.compare(Buffer.from(as[i] ?? ''), Buffer.from(bs[i] ?? ''));
        if (c !== 0)
            return c;
    }
    return as.length - bs.length;
}
(0, node_test_1.test)('compareTreePaths equals segment-wise UTF-8 byte order', () => {
    const names = ['a', 'a-b', 'a/b', 'a/b/c', 'a.b', 'ab', 'a/-', 'b', 'caf\u00e9', 'cafe', 'caf\uffff', 'caf\u{1f600}', 'z/\u00e9/x', 'z/e/x', 'A', '0', 'a/\u{10000}', 'a/\ue000'];
    for (const x of names)
        for (const y of names) {
            strict_1.default.equal(Math.sign((0, tree_js_1.compareTreePaths)(x, y)), Math.sign(slowCompare(x, y)), `${x} vs ${y}`);
        }
});
