/**
 * ELF magic and masks per architecture, generated from the Arch type, and the
 * question "which architectures does this rule catch?". Pure.
 *
 * The magic is the first 20 bytes of an ELF header: \x7fELF, class, data,
 * version, OSABI + padding, e_type (ET_EXEC), e_machine. Masks differ by
 * upstream; both ignore OSABI/ABI version and let e_type be EXEC (2) or DYN (3)
 * through the 0xfe mask on its low byte:
 *   FEX   ff ff ff ff ff fe fe 00 00 00 00 ff ff ff ff ff fe ff ff ff
 *   QEMU  ff ff ff ff ff fe fe 00 ff ff ff ff ff ff ff ff fe ff ff ff
 * (Debian's qemu packages ship older masks, ff ff ff ff ff ff ff 00 … or
 * … fe fe fc …; they match the same real binaries.)
 */
import { Arch } from '../../common/arch.js';
import { type BinfmtRule, matchesHeader } from './binfmt-rule.js';

export type MaskStyle = 'fex' | 'qemu';

const MASKS: Readonly<Record<MaskStyle, readonly number[]>> = {
  fex: [0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfe, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff],
  qemu: [0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xfe, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff],
};

const ET_EXEC = 2;
const ET_DYN = 3;

/** The 20-byte ELF magic of an architecture's executables. */
export function elfMagic(arch: Arch): Uint8Array {
  const b = new Uint8Array(20);
  b.set([0x7f, 0x45, 0x4c, 0x46, arch.elfClass, arch.elfData, 0x01]);
  writeU16(b, 16, ET_EXEC, arch.elfData);
  writeU16(b, 18, arch.machine, arch.elfData);
  return b;
}

export function elfMask(style: MaskStyle): Uint8Array {
  return Uint8Array.from(MASKS[style]);
}

function writeU16(b: Uint8Array, at: number, v: number, elfData: 1 | 2): void {
  const lo = v & 0xff;
  const hi = (v >> 8) & 0xff;
  if (elfData === 1) b.set([lo, hi], at);
  else b.set([hi, lo], at);
}

/**
 * Headers an architecture's real binaries start with: static executables
 * (ET_EXEC) and PIEs/shared objects (ET_DYN), with OSABI SYSV (0) and
 * GNU/Linux (3), both of which Linux toolchains emit. 64 bytes each.
 */
export function representativeHeaders(arch: Arch): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const type of [ET_EXEC, ET_DYN]) {
    for (const osabi of [0, 3]) {
      const b = new Uint8Array(64);
      b.set(elfMagic(arch));
      b[7] = osabi;
      writeU16(b, 16, type, arch.elfData);
      b.set([1, 0, 0, 0], 20); // e_version
      out.push(b);
    }
  }
  return out;
}

/** Architectures whose real binaries this rule catches (any representative header). */
export function archesMatched(rule: BinfmtRule): Arch[] {
  return Arch.all().filter((a) => representativeHeaders(a).some((h) => matchesHeader(rule, h)));
}

/** The magic/mask pair fexpod registers for a guest (FEX's mask for x86 guests, QEMU's otherwise). */
export function magicFor(guest: Arch, style: MaskStyle = guest.fexBinfmtName ? 'fex' : 'qemu'): { magic: Uint8Array; mask: Uint8Array } {
  return { magic: elfMagic(guest), mask: elfMask(style) };
}
