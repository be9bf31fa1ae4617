/**
 * The binfmt_misc registration line, as a value.
 *
 *   :name:type:offset:magic:mask:interpreter:flags
 *
 * Pure: parsing, formatting, comparing and matching. The kernel's rules this
 * follows (fs/binfmt_misc.c): the first character is the delimiter; magic and
 * mask may carry \xNN escapes (and nothing else is unescaped); the mask, when
 * given, has the magic's length; a file matches when
 * ((byte ^ magic) & mask) == 0 over offset..offset+len within the first 256
 * bytes; flags are P (preserve argv[0]), O (open binary), C (credentials,
 * implies O) and F (fix binary: the interpreter is opened at registration).
 *
 * A parsed line remembers how its fields were spelled (`\x7fELF` vs
 * `\x7f\x45\x4c\x46`, an empty vs a `0` offset, `OPF` vs `POF`), so that a
 * real distribution line formats back byte-exactly.
 */
import { FexpodError } from '../../common/errors.js';

export type BinfmtType = 'M' | 'E';
export type BinfmtFlag = 'P' | 'O' | 'C' | 'F';

/** Kernel's order of flags in /proc/sys/fs/binfmt_misc/<name>. */
export const FLAG_ORDER: readonly BinfmtFlag[] = ['P', 'O', 'C', 'F'];
/** The kernel reads this many bytes of a file to match magic against. */
export const BINPRM_BUF_SIZE = 256;
/** Longest magic the kernel accepts. */
export const MAX_MAGIC = 128;
/** Names the kernel reserves in the binfmt_misc directory. */
const RESERVED_NAMES = new Set(['.', '..', 'register', 'status']);

export interface BinfmtRule {
  readonly name: string;
  /** M: match magic bytes at offset; E: match the file name extension. */
  readonly type: BinfmtType;
  readonly offset: number;
  /** M: the magic bytes; E: the extension (without the dot) as bytes. */
  readonly magic: Uint8Array;
  /** Same length as magic; undefined means "every bit counts". */
  readonly mask: Uint8Array | undefined;
  readonly interpreter: string;
  /** Flags as written (order kept for byte-exact round trips). */
  readonly flags: string;
  /** Original field texts; used by formatRegistration when they still decode to the same value. */
  readonly spelling?: { readonly offset: string; readonly magic: string; readonly mask: string };
}

export class BinfmtRuleError extends FexpodError {
  constructor(message: string, fix?: string) {
    super(message, { fix: fix ?? 'see the registration format in docs/binfmt.md or Documentation/admin-guide/binfmt-misc.rst', exitCode: 2 });
  }
}

/** Decodes a magic/mask field: \xNN escapes, everything else as its UTF-8 bytes. */
export function unescapeField(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\\' && text[i + 1] === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new BinfmtRuleError(`bad escape "${text.slice(i, i + 4)}" in "${text}": use \\xNN with two hex digits`);
      out.push(parseInt(hex, 16));
      i += 4;
    } else {
      const cp = text.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      out.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Uint8Array.from(out);
}

/** Canonical spelling: every byte as \xNN (what /proc shows, escaped). */
export function escapeBytes(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += `\\x${b.toString(16).padStart(2, '0')}`;
  return s;
}

function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function checkName(name: string): void {
  if (name.length === 0 || name.length > 255 || name.includes('/') || RESERVED_NAMES.has(name) || /[\s\n]/.test(name)) {
    throw new BinfmtRuleError(`invalid binfmt_misc entry name "${name}"`, 'use letters, digits, "-", "_" and "." (not "register", "status", "." or "..")');
  }
}

function checkFlags(flags: string): void {
  if (!/^[POCF]*$/.test(flags) || new Set(flags).size !== flags.length) {
    throw new BinfmtRuleError(`invalid binfmt_misc flags "${flags}"`, 'flags are any of P, O, C, F, each at most once');
  }
}

/** Validates a rule the way the kernel would; returns it. */
export function checkRule(rule: BinfmtRule): BinfmtRule {
  checkName(rule.name);
  checkFlags(rule.flags);
  if (!rule.interpreter.startsWith('/') || /[\n]/.test(rule.interpreter)) {
    throw new BinfmtRuleError(`${rule.name}: interpreter must be an absolute path: "${rule.interpreter}"`);
  }
  if (rule.magic.length === 0) throw new BinfmtRuleError(`${rule.name}: empty magic`);
  if (rule.type === 'M') {
    if (rule.magic.length > MAX_MAGIC) throw new BinfmtRuleError(`${rule.name}: magic longer than ${MAX_MAGIC} bytes`);
    if (!Number.isInteger(rule.offset) || rule.offset < 0 || rule.offset + rule.magic.length > BINPRM_BUF_SIZE) {
      throw new BinfmtRuleError(`${rule.name}: offset ${rule.offset} + magic length ${rule.magic.length} exceeds the ${BINPRM_BUF_SIZE}-byte header`);
    }
    if (rule.mask !== undefined && rule.mask.length !== rule.magic.length) {
      throw new BinfmtRuleError(`${rule.name}: mask has ${rule.mask.length} bytes but magic has ${rule.magic.length}`, 'give the mask exactly as many bytes as the magic');
    }
  } else if (rule.magic.includes(0x2f)) {
    throw new BinfmtRuleError(`${rule.name}: an extension cannot contain "/"`);
  }
  return rule;
}

/** Parses one registration line (a trailing newline is allowed). */
export function parseRegistration(line: string): BinfmtRule {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  const del = text[0];
  if (del === undefined || /[0-9A-Za-z\\\n]/.test(del)) {
    throw new BinfmtRuleError(`not a binfmt_misc registration line: "${line}"`, 'a line starts with its delimiter, normally ":"');
  }
  const fields = text.slice(1).split(del);
  if (fields.length !== 7) {
    throw new BinfmtRuleError(`expected 7 fields in "${text}", found ${fields.length}`, 'the format is :name:type:offset:magic:mask:interpreter:flags');
  }
  const [name = '', type = '', offsetText = '', magicText = '', maskText = '', interpreter = '', flags = ''] = fields;
  if (type !== 'M' && type !== 'E') throw new BinfmtRuleError(`${name}: type must be M (magic) or E (extension), not "${type}"`);
  let offset = 0;
  if (type === 'M') {
    if (!/^\d*$/.test(offsetText)) throw new BinfmtRuleError(`${name}: offset "${offsetText}" is not a decimal number`);
    offset = offsetText === '' ? 0 : Number(offsetText);
  }
  const magic = unescapeField(magicText);
  const mask = type === 'M' && maskText !== '' ? unescapeField(maskText) : undefined;
  return checkRule({ name, type, offset, magic, mask, interpreter, flags, spelling: { offset: offsetText, magic: magicText, mask: maskText } });
}

/** Formats a rule as a registration line (no newline). Byte-exact for parsed lines. */
export function formatRegistration(rule: BinfmtRule): string {
  checkRule(rule);
  const sp = rule.spelling;
  let offset = rule.type === 'M' ? String(rule.offset) : '';
  let magic = rule.type === 'M' ? escapeBytes(rule.magic) : Buffer.from(rule.magic).toString('utf8');
  let mask = rule.mask === undefined ? '' : escapeBytes(rule.mask);
  if (sp) {
    if (rule.type === 'E' || (sp.offset === '' ? rule.offset === 0 : Number(sp.offset) === rule.offset)) offset = sp.offset;
    if (safeDecode(sp.magic, rule.magic)) magic = sp.magic;
    if (rule.type === 'E' ? true : sp.mask === '' ? rule.mask === undefined : safeDecode(sp.mask, rule.mask)) mask = sp.mask;
  }
  return `:${rule.name}:${rule.type}:${offset}:${magic}:${mask}:${rule.interpreter}:${rule.flags}`;
}

function safeDecode(text: string, expect: Uint8Array | undefined): boolean {
  try {
    return bytesEqual(unescapeField(text), expect);
  } catch {
    return false;
  }
}

/** Flags as the kernel stores them: kernel order, C implies O. */
export function normalizeFlags(flags: string): string {
  const set = new Set(flags);
  if (set.has('C')) set.add('O');
  return FLAG_ORDER.filter((f) => set.has(f)).join('');
}

export function hasFlag(rule: BinfmtRule, flag: BinfmtFlag): boolean {
  return normalizeFlags(rule.flags).includes(flag);
}

function effectiveMask(rule: BinfmtRule): Uint8Array {
  return rule.mask ?? new Uint8Array(rule.magic.length).fill(0xff);
}

/**
 * Whether two rules register the same thing as far as the kernel is
 * concerned (name, type, offset, magic, mask, interpreter, flags), ignoring
 * spelling: an all-0xff mask equals no mask, "OPF" equals "POF".
 */
export function sameRegistration(a: BinfmtRule, b: BinfmtRule): boolean {
  if (a.name !== b.name || a.type !== b.type || a.interpreter !== b.interpreter) return false;
  if (normalizeFlags(a.flags) !== normalizeFlags(b.flags)) return false;
  if (!bytesEqual(a.magic, b.magic)) return false;
  if (a.type === 'E') return true;
  return a.offset === b.offset && bytesEqual(effectiveMask(a), effectiveMask(b));
}

/** Does the kernel hand a file starting with `header` to this rule? (M rules only; E never matches bytes.) */
export function matchesHeader(rule: BinfmtRule, header: Uint8Array): boolean {
  if (rule.type !== 'M') return false;
  const mask = effectiveMask(rule);
  if (rule.offset + rule.magic.length > header.length) return false;
  for (let i = 0; i < rule.magic.length; i++) {
    const byte = header[rule.offset + i] ?? 0;
    if (((byte ^ (rule.magic[i] ?? 0)) & (mask[i] ?? 0)) !== 0) return false;
  }
  return true;
}

/**
 * Whether some file could match both rules: every bit that both masks look
 * at must agree. (Exact for M rules; E rules never overlap by content.)
 */
export function rulesOverlap(a: BinfmtRule, b: BinfmtRule): boolean {
  if (a.type !== 'M' || b.type !== 'M') return false;
  const ma = effectiveMask(a);
  const mb = effectiveMask(b);
  const start = Math.max(a.offset, b.offset);
  const end = Math.min(a.offset + a.magic.length, b.offset + b.magic.length);
  for (let p = start; p < end; p++) {
    const ia = p - a.offset;
    const ib = p - b.offset;
    const both = (ma[ia] ?? 0) & (mb[ib] ?? 0);
    if ((((a.magic[ia] ?? 0) ^ (b.magic[ib] ?? 0)) & both) !== 0) return false;
  }
  return true;
}
