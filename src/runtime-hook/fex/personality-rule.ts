/**
 * The narrowest seccomp change FEX needs: more allowed values for
 * personality(2), and nothing else.
 *
 * Podman's (and Docker's) default profile allows personality() only for the
 * values 0, 8 (PER_LINUX32), 0x20000 (UNAME26), 0x20008 and 0xffffffff (the
 * query), each an SCMP_CMP_EQ rule on the full 64-bit argument; anything else
 * fails with ENOSYS. FEX calls it itself (FEX-Emu/FEX):
 *
 * - FEX-2507 (Source/Tools/FEXLoader/ELFCodeLoader.h, MapMemory):
 *   `personality(PER_LINUX | (ExecutableStack ? READ_IMPLIES_EXEC : 0))` —
 *   0x400000 for a program whose PT_GNU_STACK is executable, and on refusal
 *   FEX aborts ("Setting personality failed"); and `personality(~0ULL)`, a
 *   query spelled as a 64-bit value, which the 64-bit compare refuses (FEX
 *   then loads every program without address randomisation).
 * - FEX-2604 and later (Source/Tools/FEXInterpreter/ELFCodeLoader.h):
 *   `personality(personality(~0U) | READ_IMPLIES_EXEC)` for 32-bit programs
 *   without PT_GNU_STACK: the container's current persona (one of the values
 *   the profile allows) with READ_IMPLIES_EXEC added.
 *
 * So the rule adds, for profiles shaped like Podman's (personality allowed by
 * EQ rules including the query 0xffffffff): each allowed persona value with
 * READ_IMPLIES_EXEC set, and the 64-bit spelling of the query. The kernel
 * reads the argument as an unsigned int, so 0xffffffffffffffff is the same
 * query as 0xffffffff. A profile that allows personality() outright, a
 * container without seccomp, or a profile that does not allow the query (a
 * deliberate restriction) is left alone. Pure: values in, rule text out.
 */

export const READ_IMPLIES_EXEC = 0x0400000;
export const PERSONALITY_QUERY = 0xffffffff;
/** 2^64 - 1 as JSON text: no JS number holds it, and Podman's Go decoder wants an integer. */
export const PERSONALITY_QUERY_64 = '18446744073709551615';

export interface SeccompArg {
  readonly index: number;
  readonly value: number;
  readonly op: string;
}

export interface SeccompRule {
  readonly names: readonly string[];
  readonly action: string;
  readonly args: readonly SeccompArg[] | undefined;
}

export interface SeccompView {
  readonly defaultAction: string;
  readonly syscalls: readonly SeccompRule[];
}

const ALLOWING = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG']);

/** One allow rule in Podman's own shape, value given as JSON number text. */
function allowRule(value: string): string {
  return `{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":${value},"op":"SCMP_CMP_EQ"}]}`;
}

function isQuery64(v: number): boolean {
  // JSON.parse reads 18446744073709551615 as 2^64, the nearest double.
  return v >= 2 ** 64 - 1;
}

/** The persona values the profile allows by single EQ rules on argument 0. */
export function allowedPersonalities(s: SeccompView): number[] {
  const out: number[] = [];
  for (const r of s.syscalls) {
    if (!r.names.includes('personality') || !ALLOWING.has(r.action)) continue;
    const a = r.args?.[0];
    if (r.args?.length === 1 && a?.index === 0 && a.op === 'SCMP_CMP_EQ') out.push(a.value);
  }
  return out;
}

/**
 * Serialised rules to append to linux.seccomp.syscalls so that FEX's
 * personality() calls pass; empty when nothing is needed or the profile is
 * not one this rule understands.
 */
export function personalityRules(s: SeccompView | undefined): string[] {
  if (!s) return [];
  const rules = s.syscalls.filter((r) => r.names.includes('personality'));
  if (rules.some((r) => ALLOWING.has(r.action) && (r.args === undefined || r.args.length === 0))) return [];
  if (rules.length === 0 && ALLOWING.has(s.defaultAction)) return [];
  const allowed = allowedPersonalities(s);
  if (!allowed.includes(PERSONALITY_QUERY)) return [];
  const want: string[] = [];
  for (const v of allowed) {
    if (v === PERSONALITY_QUERY || isQuery64(v)) continue;
    const withRie = (v | READ_IMPLIES_EXEC) >>> 0;
    if (!allowed.includes(withRie) && !want.includes(String(withRie))) want.push(String(withRie));
  }
  if (!allowed.some(isQuery64)) want.push(PERSONALITY_QUERY_64);
  return want.map(allowRule);
}
