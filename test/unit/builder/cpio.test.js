"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const cpio_js_1 = require("../../../src/builder/rpm/cpio.js");
const enc = new TextEncoder();
const hex8 = (n) => n.toString(16).padStart(8, '0');
/** Builds archives exactly as rpm's lib/cpio.cc writes them (rpmcpioHeaderWrite, rpmcpioStrippedHeaderWrite, rpmcpioTrailerWrite). */
class Builder {
    parts = [];
    pad() {
        while (this.parts.length % 4 !== 0)
            this.parts.push(0);
    }
    bytes(b) {
        for (const x of typeof b === 'string' ? enc.encode(b) : b)
            this.parts.push(x);
    }
    newc(name, mode, data, ino = 1, nlink = 1) {
        this.pad();
        const fields = [ino, mode, 0, 0, nlink, 1700000000, enc.encode(data).length, 0, 0, 0, 0, enc.encode(name).length + 1, 0];
        this.bytes('070701' + fields.map(hex8).join(''));
        this.bytes(name + '\0');
        this.pad();
        this.bytes(data);
    }
    stripped(fx, data) {
        this.pad();
        this.bytes('07070X' + hex8(fx));
        this.pad();
        this.bytes(data);
    }
    trailer() {
        this.pad();
        this.bytes('070701' + '0'.repeat(32) + '00000001' + '0'.repeat(48) + '0000000b' + '0'.repeat(8));
        this.bytes('TRAILER!!!\0');
        this.pad();
        return Uint8Array.from(this.parts);
    }
}
function parse(archive, chunk, sizes = []) {
    const seen = [];
    let cur;
    const r = new cpio_js_1.CpioReader({
        header(h) {
            cur = { header: h, data: '' };
            return h.kind === 'newc' ? h.size : (sizes[h.fileIndex] ?? 0);
        },
        data(c) {
            if (cur)
                cur.data += Buffer.from(c).toString('latin1');
        },
        end() {
            if (cur)
                seen.push(cur);
            cur = undefined;
        },
    });
    for (let i = 0; i < archive.length; i += chunk)
        r.push(archive.subarray(i, i + chunk));
    r.finish();
    return seen;
}
function newcArchive() {
    const b = new Builder();
    b.newc('./usr', 0o40755, '');
    b.newc('./usr/bin/a', 0o100755, 'hello world');
    b.newc('./usr/bin/sh', 0o120777, 'bash');
    b.newc('./usr/bin/hl1', 0o100644, '', 7, 2);
    b.newc('./usr/bin/hl2', 0o100644, 'xyz', 7, 2);
    b.newc('./empty', 0o100644, '');
    return b.trailer();
}
for (const chunk of [1, 3, 7, 110, 4096]) {
    (0, node_test_1.test)(`newc archive parses the same in ${chunk}-byte chunks`, () => {
        const seen = parse(newcArchive(), chunk);
        strict_1.default.deepEqual(seen.map((s) => (s.header.kind === 'newc' ? [Buffer.from(s.header.name).toString(), s.header.mode.toString(8), s.header.nlink, s.data] : [])), [
            ['./usr', '40755', 1, ''],
            ['./usr/bin/a', '100755', 1, 'hello world'],
            ['./usr/bin/sh', '120777', 1, 'bash'],
            ['./usr/bin/hl1', '100644', 2, ''],
            ['./usr/bin/hl2', '100644', 2, 'xyz'],
            ['./empty', '100644', 1, ''],
        ]);
    });
}
for (const chunk of [1, 5, 4096]) {
    (0, node_test_1.test)(`stripped 07070X archive (crafted per rpm's cpio.cc; rpm 4.18 here cannot build one) in ${chunk}-byte chunks`, () => {
        const b = new Builder();
        b.stripped(0, '');
        b.stripped(2, 'abcde');
        b.stripped(1, 'link');
        const seen = parse(b.trailer(), chunk, [0, 4, 5]);
        strict_1.default.deepEqual(seen.map((s) => [s.header.kind === 'stripped' ? s.header.fileIndex : -1, s.data]), [[0, ''], [2, 'abcde'], [1, 'link']]);
    });
}
(0, node_test_1.test)('a stripped index of ffffffff ends the archive, as in rpm', () => {
    const b = new Builder();
    b.stripped(0, 'ab');
    b.stripped(0xffffffff, '');
    const r = parse(Uint8Array.from(b.parts), 4096, [2]);
    strict_1.default.equal(r.length, 1);
});
(0, node_test_1.test)('070702 (crc) headers are accepted', () => {
    const a = newcArchive();
    a.set(enc.encode('070702'), 0);
    strict_1.default.equal(parse(a, 4096).length, 6);
});
const bad = [
    { name: 'bad magic', bytes: enc.encode('070707' + '0'.repeat(104)) },
    { name: 'non-hex field', bytes: enc.encode('070701' + 'zz'.repeat(52)) },
    { name: 'truncated archive', bytes: newcArchive().subarray(0, 200) },
];
for (const c of bad) {
    (0, node_test_1.test)(`cpio rejects ${c.name}`, () => {
        strict_1.default.throws(() => parse(c.bytes, 4096), cpio_js_1.CpioFormatError);
    });
}
