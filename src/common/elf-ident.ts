/**
 * The few bytes of an ELF header that say which machine a binary is for.
 * Pure and dependency-free, so the Podman hook can use it without weight.
 */
import { Arch } from './arch.js';

/** Bytes to read from the start of a file to classify it. */
export const ELF_IDENT_BYTES = 64;

export interface ElfIdent {
  readonly elfClass: 1 | 2;
  readonly elfData: 1 | 2;
  /** e_type: 2 = EXEC, 3 = DYN */
  readonly type: number;
  readonly machine: number;
  /** Known architecture, if any. */
  readonly arch: Arch | undefined;
}

/**
 * Classifies the first bytes of a file. Returns undefined for anything that is
 * not a well-formed ELF identity (too short, bad magic, bad class or data).
 */
export function readElfIdent(bytes: Uint8Array): ElfIdent | undefined {
  if (bytes.length < 20) return undefined;
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) return undefined;
  const elfClass = bytes[4];
  const elfData = bytes[5];
  if ((elfClass !== 1 && elfClass !== 2) || (elfData !== 1 && elfData !== 2)) return undefined;
  const le = elfData === 1;
  const u16 = (o: number) => (le ? (bytes[o] ?? 0) | ((bytes[o + 1] ?? 0) << 8) : ((bytes[o] ?? 0) << 8) | (bytes[o + 1] ?? 0));
  const type = u16(16);
  const machine = u16(18);
  return { elfClass, elfData, type, machine, arch: Arch.fromElf(elfClass, machine) };
}

/** If the bytes start with "#!", the interpreter path and its optional argument. */
export function readShebang(bytes: Uint8Array): { interpreter: string; arg?: string } | undefined {
  if (bytes.length < 3 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return undefined;
  let end = bytes.indexOf(0x0a);
  if (end < 0) end = bytes.length;
  const line = Buffer.from(bytes.subarray(2, end)).toString('latin1').trim();
  if (line.length === 0) return undefined;
  const m = /^(\S+)(?:\s+(.*))?$/.exec(line);
  if (!m || !m[1]) return undefined;
  return m[2] ? { interpreter: m[1], arg: m[2].trim() } : { interpreter: m[1] };
}
