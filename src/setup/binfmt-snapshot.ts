/**
 * binfmt_misc before and after setup: every entry with its state and the line
 * that recreates it. Undo puts each entry setup changed back the way it was —
 * removed if setup added it, re-registered if setup removed or replaced it,
 * enabled or disabled as before — so /proc/sys/fs/binfmt_misc reads the same,
 * byte for byte.
 */
import type { BinfmtController } from '../emulator/binfmt/binfmt-controller.js';
import { entryRegistration } from '../emulator/binfmt/binfmt-entry.js';
import { parseRegistration, sameRegistration } from '../emulator/binfmt/binfmt-rule.js';
import type { BinfmtEntrySnapshot, BinfmtSnapshot } from './setup-journal.js';

export async function snapshotBinfmt(c: BinfmtController): Promise<BinfmtSnapshot> {
  if (!(await c.isMounted())) return { mounted: false, entries: [] };
  const entries = (await c.list()).map((e) => ({ name: e.rule.name, enabled: e.enabled, registration: entryRegistration(e) }));
  return { mounted: true, entries };
}

const same = (a: BinfmtEntrySnapshot | undefined, b: BinfmtEntrySnapshot | undefined) =>
  a === undefined || b === undefined ? a === b : a.enabled === b.enabled && sameRegistration(parseRegistration(a.registration), parseRegistration(b.registration));

/** Names of the entries that differ between two snapshots (added, removed, changed or switched). */
export function changedEntries(before: BinfmtSnapshot, after: BinfmtSnapshot): string[] {
  const names = new Set([...before.entries, ...after.entries].map((e) => e.name));
  return [...names].filter((n) => !same(before.entries.find((e) => e.name === n), after.entries.find((e) => e.name === n))).sort();
}

export type EntryUndo = 'removed' | 're-registered' | 'enabled' | 'disabled' | 'unchanged';

/** Returns each named entry to its state in `before`. */
export async function restoreEntries(c: BinfmtController, before: BinfmtSnapshot, names: readonly string[]): Promise<{ name: string; how: EntryUndo }[]> {
  const out: { name: string; how: EntryUndo }[] = [];
  if (!(await c.isMounted())) {
    if (before.entries.some((e) => names.includes(e.name))) await c.ensureMounted();
    else return names.map((name) => ({ name, how: 'unchanged' }));
  }
  for (const name of names) {
    const want = before.entries.find((e) => e.name === name);
    const live = await c.get(name);
    if (!want) {
      out.push({ name, how: (await c.removeIfPresent(name)) ? 'removed' : 'unchanged' });
      continue;
    }
    const rule = parseRegistration(want.registration);
    if (!live || !sameRegistration(live.rule, rule)) {
      await c.restore(rule, want.enabled);
      out.push({ name, how: 're-registered' });
    } else if (live.enabled !== want.enabled) {
      if (want.enabled) await c.enable(name);
      else await c.disable(name);
      out.push({ name, how: want.enabled ? 'enabled' : 'disabled' });
    } else out.push({ name, how: 'unchanged' });
  }
  return out;
}
