"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.elfStub = elfStub;
/**
 * Minimal shared objects for tests: an ELF header, PT_LOAD + PT_DYNAMIC,
 * a dynamic section with DT_SONAME/DT_STRTAB/DT_STRSZ and the string table.
 * Enough for glibc's ldconfig (readelflib.c) and our ld.so.cache generator.
 */
function elfStub(opts) {
    const is64 = opts.bits === 64;
    const ehsize = is64 ? 64 : 52;
    const phentsize = is64 ? 56 : 32;
    const dynent = is64 ? 16 : 8;
    const phoff = ehsize;
    const dynOff = phoff + 2 * phentsize;
    const dyn = [];
    const soname = opts.soname ?? '';
    const strtab = Buffer.from(`\0${soname}\0${opts.needed ?? ''}\0`);
    const nDyn = (opts.soname ? 1 : 0) + (opts.needed ? 1 : 0) + 3;
    const strOff = dynOff + nDyn * dynent;
    if (opts.needed)
        dyn.push([1, soname.length + 2]); // DT_NEEDED
    if (opts.soname)
        dyn.push([14, 1]);
    dyn.push([5, strOff], [10, strtab.length], [0, 0]);
    const total = strOff + strtab.length;
    const b = Buffer.alloc(total);
    b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1], 0);
    b.writeUInt16LE(3, 16); // ET_DYN
    b.writeUInt16LE(opts.machine, 18);
    b.writeUInt32LE(1, 20);
    if (is64) {
        b.writeBigUInt64LE(BigInt(phoff), 32);
        b.writeUInt16LE(ehsize, 52);
        b.writeUInt16LE(phentsize, 54);
        b.writeUInt16LE(2, 56);
        b.writeUInt16LE(64, 58);
    }
    else {
        b.writeUInt32LE(phoff, 28);
        b.writeUInt16LE(ehsize, 40);
        b.writeUInt16LE(phentsize, 42);
        b.writeUInt16LE(2, 44);
        b.writeUInt16LE(40, 46);
    }
    const ph = (i, type, off, size, flags, align) => {
        const o = phoff + i * phentsize;
        if (is64) {
            b.writeUInt32LE(type, o);
            b.writeUInt32LE(flags, o + 4);
            b.writeBigUInt64LE(BigInt(off), o + 8);
            b.writeBigUInt64LE(BigInt(off), o + 16);
            b.writeBigUInt64LE(BigInt(off), o + 24);
            b.writeBigUInt64LE(BigInt(size), o + 32);
            b.writeBigUInt64LE(BigInt(size), o + 40);
            b.writeBigUInt64LE(BigInt(align), o + 48);
        }
        else {
            b.writeUInt32LE(type, o);
            b.writeUInt32LE(off, o + 4);
            b.writeUInt32LE(off, o + 8);
            b.writeUInt32LE(off, o + 12);
            b.writeUInt32LE(size, o + 16);
            b.writeUInt32LE(size, o + 20);
            b.writeUInt32LE(flags, o + 24);
            b.writeUInt32LE(align, o + 28);
        }
    };
    ph(0, 1, 0, total, 5, 0x1000); // PT_LOAD
    ph(1, 2, dynOff, nDyn * dynent, 6, is64 ? 8 : 4); // PT_DYNAMIC
    dyn.forEach(([tag, val], i) => {
        const o = dynOff + i * dynent;
        if (is64) {
            b.writeBigInt64LE(BigInt(tag), o);
            b.writeBigUInt64LE(BigInt(val), o + 8);
        }
        else {
            b.writeInt32LE(tag, o);
            b.writeUInt32LE(val, o + 4);
        }
    });
    strtab.copy(b, strOff);
    return b;
}
