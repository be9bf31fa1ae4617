"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const strict_1 = __importDefault(require("node:assert/strict"));
const node_test_1 = require("node:test");
const ld_so_cache_js_1 = require("../../../src/builder/tree/ld-so-cache.js");
const elf_stub_js_1 = require("./elf-stub.js");
const cmp = [
    { a: 'libc.so.6', b: 'libc.so.6', sign: 0 },
    { a: 'libfoo.so.10', b: 'libfoo.so.9', sign: 1 }, // numeric, not byte order
    { a: 'libfoo.so.1', b: 'libfoo.so', sign: 1 },
    { a: 'lib1', b: 'libx', sign: 1 }, // a digit sorts after a non-digit
    { a: 'liba', b: 'libb', sign: -1 },
    { a: 'libz.so.1.2.13', b: 'libz.so.1.2.3', sign: 1 },
];
for (const c of cmp) {
    (0, node_test_1.test)(`_dl_cache_libcmp(${c.a}, ${c.b}) has sign ${c.sign}`, () => {
        strict_1.default.equal(Math.sign((0, ld_so_cache_js_1.dlCacheLibcmp)(c.a, c.b)), c.sign);
    });
}
for (const [name, ok] of [['libc.so.6', true], ['ld-linux-x86-64.so.2', true], ['ld.so.1', true], ['libfoo.a', false], ['foo.so', false], ['libx.so;5f0a', false], ['libx.so.dpkg-new', false]]) {
    (0, node_test_1.test)(`${name} ${ok ? 'is' : 'is not'} scanned as a library`, () => strict_1.default.equal((0, ld_so_cache_js_1.looksLikeDso)(name), ok));
}
(0, node_test_1.test)('cache layout: header, 24-byte entries, string offsets from the file start', () => {
    const b = Buffer.from((0, ld_so_cache_js_1.encodeLdSoCache)([
        { soname: 'libz.so.1', path: '/usr/lib64/libz.so.1', flags: 0x303 },
        { soname: 'libc.so.6', path: '/usr/lib64/libc.so.6', flags: 0x303 },
    ]));
    strict_1.default.equal(b.subarray(0, 20).toString('latin1'), 'glibc-ld.so.cache1.1');
    strict_1.default.equal(b.readUInt32LE(20), 2);
    strict_1.default.equal(b[28], 2, 'little endian flag');
    strict_1.default.equal(b.readUInt32LE(32), 0, 'no extensions');
    const strBase = 48 + 2 * 24;
    strict_1.default.equal(b.readUInt32LE(24), b.length - strBase);
    strict_1.default.equal(b.readInt32LE(48), 0x303);
    const key = b.readUInt32LE(52);
    const value = b.readUInt32LE(56);
    strict_1.default.equal(b.subarray(key, b.indexOf(0, key)).toString(), 'libz.so.1');
    strict_1.default.equal(b.subarray(value, b.indexOf(0, value)).toString(), '/usr/lib64/libz.so.1');
    strict_1.default.equal(b.readBigUInt64LE(64), 0n);
});
for (const c of [
    { name: 'x86-64', bits: 64, machine: 62, flags: 0x0303 },
    { name: 'i386', bits: 32, machine: 3, flags: 0x0003 },
    { name: 'aarch64', bits: 64, machine: 183, flags: 0x0a03 },
]) {
    (0, node_test_1.test)(`${c.name} library gets ldconfig flags 0x${c.flags.toString(16)} and its soname`, () => {
        strict_1.default.deepEqual((0, ld_so_cache_js_1.libraryInfo)((0, elf_stub_js_1.elfStub)({ bits: c.bits, machine: c.machine, soname: 'libq.so.1' })), { flags: c.flags, soname: 'libq.so.1' });
    });
}
(0, node_test_1.test)('libraries ldconfig would not cache are skipped', () => {
    strict_1.default.equal((0, ld_so_cache_js_1.libraryInfo)((0, elf_stub_js_1.elfStub)({ bits: 32, machine: 40, soname: 'libarm.so.1' })), undefined, 'arm on an x86 ldconfig');
    const exec = Buffer.from((0, elf_stub_js_1.elfStub)({ bits: 64, machine: 62, soname: 'x' }));
    exec.writeUInt16LE(2, 16);
    strict_1.default.equal((0, ld_so_cache_js_1.libraryInfo)(exec), undefined, 'ET_EXEC');
    strict_1.default.equal((0, ld_so_cache_js_1.libraryInfo)(Buffer.from('/* GNU ld script */')), undefined);
});
