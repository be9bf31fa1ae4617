/**
 * Copies fexpod staged that may have fallen behind what is installed: each
 * emulator prefix holds its files as they were when it was staged, and its
 * fexpod-prefix.json records the sha256 of every source. After an update of
 * the emulator (qemu-user without the RPM's trigger, a FEX built by hand) or
 * of fexpod itself (its fexpod-guest-init, for krun containers) the recorded
 * prefix keeps serving the old copy until `fexpod binfmt refresh` stages the
 * new one (fexpod-binfmt.service does at boot, the RPMs on update). A normal
 * user's rootless install (`fexpod binfmt install --user`) has its own
 * prefixes, which nothing refreshes: that user re-runs the install. Gathered
 * at the edge; the judgement is pure.
 */
import { basename } from 'node:path';
import { sha256Hex } from '../../common/hash.js';
import type { InstallState } from '../binfmt/install-state.js';
import type { FoundEmulator } from '../emulator-catalogue.js';
import type { HostDeps } from '../host/host-facts.js';
import { GUEST_INIT_NAME } from '../microvm/guest-init.js';
import { PREFIX_MANIFEST, stagedSourceSha256 } from '../prefix/emulator-prefix.js';
import type { Advice } from './doctor-report.js';

export interface StagedCopy {
  /** Whose install staged it: root's (system) or this user's rootless one. */
  readonly scope: 'system' | 'user';
  readonly prefix: string;
  /** The file in the prefix (bin/FEX, bin/fexpod-guest-init). */
  readonly file: string;
  /** What it would be staged from now. */
  readonly source: string;
  /** The emulator's id (fex, qemu-user, …), as `binfmt install --emulator` takes it. */
  readonly emulator: string;
  readonly guests: readonly string[];
  /** sha256 of the source it was staged from (fexpod-prefix.json); undefined: not recorded. */
  readonly stagedFrom: string | undefined;
  /** sha256 of the source now; undefined: unreadable. */
  readonly current: string | undefined;
}

interface Want {
  readonly prefix: string;
  readonly file: string;
  readonly source: string;
  readonly emulator: string;
  readonly guest: string;
}

/** The staged files of an install state (root's, or a user's rootless one) and where each would come from now. */
export async function gatherStagedCopies(host: Pick<HostDeps, 'readFile' | 'readText'>, state: InstallState | undefined, emulators: readonly FoundEmulator[], guestInit: string | null | undefined, scope: StagedCopy['scope'] = 'system'): Promise<StagedCopy[]> {
  if (!state) return [];
  const wants: Want[] = [];
  const sourceOf = (id: string, guest: string) => emulators.find((e) => e.id === id && e.guests.some((g) => g === guest))?.path;
  for (const r of state.registrations) {
    const source = r.prefix ? sourceOf(r.emulator, r.guest) : undefined;
    if (r.prefix && source) wants.push({ prefix: r.prefix, file: `bin/${basename(r.interpreter)}`, source, emulator: r.emulator, guest: r.guest });
  }
  for (const e of state.microvm ?? []) {
    const fex = sourceOf('fex', e.guest);
    if (fex) wants.push({ prefix: e.prefix, file: `bin/${basename(e.interpreter)}`, source: fex, emulator: 'fex', guest: e.guest });
    if (e.guestInit && guestInit) wants.push({ prefix: e.prefix, file: `bin/${GUEST_INIT_NAME}`, source: guestInit, emulator: 'fex', guest: e.guest });
  }
  const out: StagedCopy[] = [];
  const sums = new Map<string, string | undefined>();
  for (const w of wants) {
    const same = out.find((c) => c.prefix === w.prefix && c.file === w.file);
    if (same) {
      out[out.indexOf(same)] = { ...same, guests: [...same.guests, w.guest] };
      continue;
    }
    if (!sums.has(w.source)) {
      const bytes = await host.readFile(w.source);
      sums.set(w.source, bytes ? sha256Hex(bytes) : undefined);
    }
    const stagedFrom = stagedSourceSha256(await host.readText(`${w.prefix}/${PREFIX_MANIFEST}`), w.file);
    out.push({ scope, prefix: w.prefix, file: w.file, source: w.source, emulator: w.emulator, guests: [w.guest], stagedFrom, current: sums.get(w.source) });
  }
  return out;
}

/** A warning for every staged copy whose source has changed since. */
export function stagedCopyAdvice(copies: readonly StagedCopy[]): Advice[] {
  return copies
    .filter((c) => c.stagedFrom !== undefined && c.current !== undefined && c.stagedFrom !== c.current)
    .map((c): Advice => ({
      severity: 'warning',
      blocking: false,
      problem: c.file === `bin/${GUEST_INIT_NAME}`
        ? `the krun microVM prefix ${c.prefix} holds another fexpod-guest-init than this fexpod's ${c.source} (fexpod was updated since it was staged): containers start with the old one`
        : c.scope === 'user'
          ? `your rootless install's prefix ${c.prefix} holds ${c.file} staged from another build of ${c.source} (it was updated since): your ${c.guests.join(', ')} containers still run the old one`
          : `the emulator prefix ${c.prefix} holds ${c.file} staged from another build of ${c.source} (it was updated since): ${c.guests.join(', ')} programs and containers still run the old one`,
      fix: c.scope === 'user' ? `fexpod binfmt install --user ${c.guests.map((g) => `--guest ${g}`).join(' ')} --emulator ${c.emulator} (as yourself, no sudo: stages it again)` : 'sudo fexpod binfmt refresh',
    }));
}
