/**
 * File capabilities: the text RPM stores in FILECAPS (libcap's cap_to_text
 * form, e.g. "cap_net_raw=ep") → the binary `security.capability` xattr the
 * kernel reads (struct vfs_cap_data, revision 2, little-endian):
 *
 *   u32 magic_etc = 0x02000000 | (effective ? 0x1 : 0)
 *   u32 permitted[0] u32 inheritable[0]   (caps 0..31)
 *   u32 permitted[1] u32 inheritable[1]   (caps 32..63)
 *
 * Pure. Text grammar (cap_from_text): whitespace-separated clauses
 * `[names]op flags[op flags…]`, names comma-separated (`all` or empty = all),
 * op one of `=` (reset, then set), `+`, `-`; flags from `e`, `i`, `p`.
 * File capabilities carry a single effective bit: it is set when any
 * capability is effective (the kernel then raises all permitted ones).
 */

/** Linux capability names by number (include/uapi/linux/capability.h). */
export const CAPABILITY_NAMES: readonly string[] = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid',
  'setpcap', 'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw',
  'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct',
  'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod',
  'lease', 'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog',
  'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf', 'checkpoint_restore',
].map((n) => `cap_${n}`);

export const SECURITY_CAPABILITY = 'security.capability';
const VFS_CAP_REVISION_2 = 0x02000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;

export class CapabilityTextError extends Error {
  constructor(text: string, problem: string) {
    super(`capability text "${text}": ${problem}`);
    this.name = 'CapabilityTextError';
  }
}

export interface CapabilitySets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

const ALL = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;

function capNumber(name: string, text: string): number {
  const lower = name.toLowerCase();
  const i = CAPABILITY_NAMES.indexOf(lower);
  if (i >= 0) return i;
  // libcap also accepts plain numbers for capabilities it has no name for.
  if (/^\d+$/.test(lower) && Number(lower) < 64) return Number(lower);
  throw new CapabilityTextError(text, `unknown capability "${name}"`);
}

/** Parses cap_from_text syntax into the three sets. */
export function parseCapabilityText(text: string): CapabilitySets {
  const sets: CapabilitySets = { effective: 0n, permitted: 0n, inheritable: 0n };
  for (const clause of text.trim().split(/\s+/).filter((c) => c.length > 0)) {
    const m = /^([^=+-]*)([=+-].*)$/.exec(clause);
    if (!m) throw new CapabilityTextError(text, `clause "${clause}" has no operator`);
    const names = m[1] ?? '';
    let mask = 0n;
    if (names === '' || names.toLowerCase() === 'all') mask = ALL;
    else for (const n of names.split(',')) mask |= 1n << BigInt(capNumber(n, text));
    const ops = m[2] ?? '';
    const re = /([=+-])([eip]*)/gy;
    let pos = 0;
    let op: RegExpExecArray | null;
    while (pos < ops.length && (op = re.exec(ops)) !== null) {
      pos = re.lastIndex;
      const [, sign, flags = ''] = op;
      if (sign === '=') {
        sets.effective &= ~mask;
        sets.permitted &= ~mask;
        sets.inheritable &= ~mask;
      }
      for (const f of flags) {
        const key = f === 'e' ? 'effective' : f === 'p' ? 'permitted' : 'inheritable';
        if (sign === '-') sets[key] &= ~mask;
        else sets[key] |= mask;
      }
    }
    if (pos !== ops.length) throw new CapabilityTextError(text, `bad flags in "${clause}"`);
  }
  return sets;
}

/**
 * The security.capability xattr value for a set, as libcap's cap_set_fd writes it — also for
 * an empty set (20 bytes: the revision and zeros), which rpm writes for FILECAPS "=".
 */
export function encodeVfsCapData(sets: CapabilitySets): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  v.setUint32(0, VFS_CAP_REVISION_2 | (sets.effective !== 0n ? VFS_CAP_FLAGS_EFFECTIVE : 0), true);
  const lo = (b: bigint) => Number(b & 0xffffffffn);
  const hi = (b: bigint) => Number((b >> 32n) & 0xffffffffn);
  v.setUint32(4, lo(sets.permitted), true);
  v.setUint32(8, lo(sets.inheritable), true);
  v.setUint32(12, hi(sets.permitted), true);
  v.setUint32(16, hi(sets.inheritable), true);
  return out;
}

/**
 * FILECAPS text → xattr bytes; undefined for "" (no FILECAPS for the file). rpm's fsmSetcap
 * sets capabilities for any non-empty text, whatever set it parses to.
 */
export function fileCapsXattr(text: string): Uint8Array | undefined {
  if (text.trim() === '') return undefined;
  return encodeVfsCapData(parseCapabilityText(text));
}
