"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.editStack = editStack;
exports.stackOf = stackOf;
/**
 * Variants of a real program for the FEX lab images: the same ELF file with its
 * PT_GNU_STACK header removed (turned into PT_NULL: a 32-bit x86 program
 * without it runs with READ_IMPLIES_EXEC on x86 and under FEX ≥ 2604), or with
 * the stack made executable (PF_X: FEX 2507 then sets READ_IMPLIES_EXEC).
 * Both make FEX call personality() with a value Podman's seccomp profile
 * refuses. Pure: bytes in, bytes out.
 */
const PT_NULL = 0;
const PT_GNU_STACK = 0x6474e551;
const PF_RWX = 7;
/** Offset of the PT_GNU_STACK program header and of its p_flags, if there is one. */
function gnuStack(b) {
    if (b.readUInt32BE(0) !== 0x7f454c46 || b[5] !== 1)
        throw new Error('not a little-endian ELF file');
    const is64 = b[4] === 2;
    const phoff = Number(is64 ? b.readBigUInt64LE(0x20) : b.readUInt32LE(0x1c));
    const phentsize = b.readUInt16LE(is64 ? 0x36 : 0x2a);
    const phnum = b.readUInt16LE(is64 ? 0x38 : 0x2c);
    for (let i = 0; i < phnum; i++) {
        const at = phoff + i * phentsize;
        if (b.readUInt32LE(at) === PT_GNU_STACK)
            return { at, flagsAt: is64 ? at + 4 : at + 0x18 };
    }
    return undefined;
}
function editStack(elf, edit) {
    const b = Buffer.from(elf);
    const h = gnuStack(b);
    if (!h)
        throw new Error('the program has no PT_GNU_STACK header to edit');
    if (edit === 'no-gnu-stack')
        b.writeUInt32LE(PT_NULL, h.at);
    else
        b.writeUInt32LE(PF_RWX, h.flagsAt);
    return b;
}
/** Whether the file has a PT_GNU_STACK header, and whether it asks for an executable stack. */
function stackOf(elf) {
    const b = Buffer.from(elf);
    const h = gnuStack(b);
    if (!h)
        return 'none';
    return b.readUInt32LE(h.flagsAt) & 1 ? 'exec' : 'noexec';
}
