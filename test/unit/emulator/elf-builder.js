"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.buildElf = buildElf;
function buildElf(spec) {
    const is64 = (spec.elfClass ?? 2) === 2;
    const le = !spec.bigEndian;
    const ehsize = is64 ? 64 : 52;
    const phentsize = is64 ? 56 : 32;
    const dynEnt = is64 ? 16 : 8;
    const base = 0x400000;
    const strings = [''];
    const strOff = (s) => {
        let off = 0;
        for (const x of strings) {
            if (x === s)
                return off;
            off += Buffer.byteLength(x) + 1;
        }
        strings.push(s);
        return off;
    };
    const dynEntries = [];
    if (spec.dynamic) {
        for (const n of spec.dynamic.needed ?? [])
            dynEntries.push([1, strOff(n)]);
        if (spec.dynamic.soname !== undefined)
            dynEntries.push([14, strOff(spec.dynamic.soname)]);
        if (spec.dynamic.rpath !== undefined)
            dynEntries.push([15, strOff(spec.dynamic.rpath)]);
        if (spec.dynamic.runpath !== undefined)
            dynEntries.push([29, strOff(spec.dynamic.runpath)]);
    }
    const strtab = Buffer.concat(strings.map((s) => Buffer.from(s + '\0')));
    const phdrs = [];
    const nph = 1 + (spec.interpreter !== undefined ? 1 : 0) + (spec.dynamic ? 1 : 0);
    let cursor = ehsize + nph * phentsize;
    const interpBytes = spec.interpreter !== undefined ? Buffer.from(spec.interpreter + '\0') : undefined;
    const interpOff = cursor;
    if (interpBytes)
        cursor += interpBytes.length;
    const strtabOff = cursor;
    cursor += strtab.length;
    cursor = (cursor + 7) & ~7;
    const dynOff = cursor;
    const dynCount = dynEntries.length + 2 + 1; // + STRTAB, STRSZ, NULL
    if (spec.dynamic)
        cursor += dynCount * dynEnt;
    const total = cursor;
    const buf = Buffer.alloc(total);
    const u16 = (o, v) => (le ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
    const u32 = (o, v) => (le ? buf.writeUInt32LE(v, o) : buf.writeUInt32BE(v, o));
    const u64 = (o, v) => (le ? buf.writeBigUInt64LE(BigInt(v), o) : buf.writeBigUInt64BE(BigInt(v), o));
    const word = (o, v) => (is64 ? u64(o, v) : u32(o, v));
    buf.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
    u16(16, spec.type ?? 3);
    u16(18, spec.machine ?? 0x3e);
    u32(20, 1);
    if (is64) {
        u64(0x20, ehsize);
        u16(0x34, ehsize);
        u16(0x36, phentsize);
        u16(0x38, nph);
    }
    else {
        u32(0x1c, ehsize);
        u16(0x28, ehsize);
        u16(0x2a, phentsize);
        u16(0x2c, nph);
    }
    phdrs.push({ type: 1, off: 0, size: total });
    if (interpBytes)
        phdrs.push({ type: 3, off: interpOff, size: interpBytes.length });
    if (spec.dynamic)
        phdrs.push({ type: 2, off: dynOff, size: dynCount * dynEnt });
    phdrs.forEach((p, i) => {
        const o = ehsize + i * phentsize;
        if (is64) {
            u32(o, p.type);
            u32(o + 4, 4);
            u64(o + 8, p.off);
            u64(o + 16, base + p.off);
            u64(o + 24, base + p.off);
            u64(o + 32, p.size);
            u64(o + 40, p.size);
            u64(o + 48, p.type === 1 ? 0x1000 : 1);
        }
        else {
            u32(o, p.type);
            u32(o + 4, p.off);
            u32(o + 8, base + p.off);
            u32(o + 12, base + p.off);
            u32(o + 16, p.size);
            u32(o + 20, p.size);
            u32(o + 24, 4);
            u32(o + 28, p.type === 1 ? 0x1000 : 1);
        }
    });
    if (interpBytes)
        buf.set(interpBytes, interpOff);
    buf.set(strtab, strtabOff);
    if (spec.dynamic) {
        const all = [...dynEntries, [5, base + strtabOff], [10, strtab.length], [0, 0]];
        all.forEach(([tag, val], i) => {
            word(dynOff + i * dynEnt, tag);
            word(dynOff + i * dynEnt + dynEnt / 2, val);
        });
    }
    return new Uint8Array(buf);
}
