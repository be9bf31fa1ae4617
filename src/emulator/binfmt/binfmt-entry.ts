/**
 * A live binfmt_misc entry, read back from /proc/sys/fs/binfmt_misc/<name>:
 *
 *   enabled                                   (or "disabled")
 *   interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
 *   flags: POF                                (kernel order P O C F; "flags: " when none)
 *   offset 0                                  (M entries)
 *   magic 7f454c46…                           (hex, as registered: not masked)
 *   mask ffffffffffffff00…                    (only when one was given)
 *   extension .foo                            (E entries instead of offset/magic/mask)
 *
 * Pure: turns that text into the same BinfmtRule model a registration line
 * gives, so an entry we disable can be re-registered exactly.
 */
import { type BinfmtRule, BinfmtRuleError, checkRule, formatRegistration, normalizeFlags } from './binfmt-rule.js';

export interface BinfmtEntry {
  readonly rule: BinfmtRule;
  readonly enabled: boolean;
}

function hexBytes(name: string, key: string, hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) throw new BinfmtRuleError(`${name}: ${key} "${hex}" is not hex bytes`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Parses the text of /proc/sys/fs/binfmt_misc/<name>. */
export function parseEntryFile(name: string, text: string): BinfmtEntry {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const state = lines[0];
  if (state !== 'enabled' && state !== 'disabled') {
    throw new BinfmtRuleError(`${name}: entry file does not start with enabled/disabled: "${state ?? ''}"`);
  }
  let interpreter: string | undefined;
  let flags = '';
  let offset = 0;
  let magic: Uint8Array | undefined;
  let mask: Uint8Array | undefined;
  let extension: string | undefined;
  for (const line of lines.slice(1)) {
    if (line.startsWith('interpreter ')) interpreter = line.slice('interpreter '.length);
    else if (line.startsWith('flags:')) flags = line.slice('flags:'.length).trim();
    else if (line.startsWith('offset ')) {
      const v = line.slice('offset '.length);
      if (!/^\d+$/.test(v)) throw new BinfmtRuleError(`${name}: bad offset "${v}"`);
      offset = Number(v);
    } else if (line.startsWith('magic ')) magic = hexBytes(name, 'magic', line.slice('magic '.length));
    else if (line.startsWith('mask ')) mask = hexBytes(name, 'mask', line.slice('mask '.length));
    else if (line.startsWith('extension ')) extension = line.slice('extension '.length).replace(/^\./, '');
    // Unknown lines (future kernels) are ignored.
  }
  if (interpreter === undefined) throw new BinfmtRuleError(`${name}: entry file has no interpreter line`);
  let rule: BinfmtRule;
  if (extension !== undefined) {
    rule = { name, type: 'E', offset: 0, magic: Uint8Array.from(Buffer.from(extension, 'utf8')), mask: undefined, interpreter, flags };
  } else {
    if (magic === undefined) throw new BinfmtRuleError(`${name}: entry file has neither magic nor extension`);
    rule = { name, type: 'M', offset, magic, mask, interpreter, flags };
  }
  return { rule: checkRule(rule), enabled: state === 'enabled' };
}

/** The registration line that recreates this entry (canonical \xNN spelling). */
export function entryRegistration(entry: BinfmtEntry): string {
  return formatRegistration(entry.rule);
}

/** The text the kernel shows for an entry (the inverse of parseEntryFile; used by test fakes and docs). */
export function formatEntryFile(entry: BinfmtEntry): string {
  const r = entry.rule;
  const lines = [entry.enabled ? 'enabled' : 'disabled', `interpreter ${r.interpreter}`, `flags: ${normalizeFlags(r.flags)}`];
  if (r.type === 'E') {
    lines.push(`extension .${Buffer.from(r.magic).toString('utf8')}`);
  } else {
    lines.push(`offset ${r.offset}`, `magic ${Buffer.from(r.magic).toString('hex')}`);
    if (r.mask) lines.push(`mask ${Buffer.from(r.mask).toString('hex')}`);
  }
  return lines.join('\n') + '\n';
}
