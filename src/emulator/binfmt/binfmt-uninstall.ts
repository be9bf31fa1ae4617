/**
 * The uninstall flow of `fexpod binfmt`: undoes exactly what the install state
 * records, in reverse — remove our entries, put each conflict back the way it
 * was (re-registering it when it vanished meanwhile), remove our binfmt.d
 * files and masks, drop the state.
 */
import type { Arch } from '../../common/arch.js';
import type { BinfmtDeps } from './binfmt-install.js';
import { throughStableLink, undoMask } from './binfmt-persist.js';
import { type BinfmtRule, parseRegistration, sameRegistration } from './binfmt-rule.js';
import { isEmptyState } from './binfmt-state-file.js';
import type { InstallState, InstalledRegistration, MaskedBinfmtFile } from './install-state.js';

/** What uninstall did to a conflict it had disabled. */
export type RestoreHow = 'enabled' | 'disabled' | 're-registered' | 'unchanged';

export interface UninstallResult {
  readonly removed: readonly string[];
  readonly restored: readonly { readonly entryName: string; readonly enabled: boolean; readonly how: RestoreHow }[];
  readonly filesRemoved: readonly string[];
  readonly unmasked: readonly string[];
  readonly skipped: readonly string[];
  readonly stateFile: string;
  readonly stateRemoved: boolean;
}

export async function uninstallBinfmt(guests: readonly Arch[] | undefined, deps: BinfmtDeps): Promise<UninstallResult> {
  return deps.lock(async () => {
    const state = await deps.store.read();
    const empty: UninstallResult = { removed: [], restored: [], filesRemoved: [], unmasked: [], skipped: [], stateFile: deps.store.path, stateRemoved: false };
    if (!state) {
      deps.log.info(`nothing to uninstall: no ${deps.store.path}`);
      return empty;
    }
    await deps.controller.ensureMounted();
    const only = guests && guests.length > 0 ? new Set<string>(guests.map((g) => g.name)) : undefined;
    const hit = (g: string | undefined) => only === undefined || (g !== undefined && only.has(g));
    const { controller, log } = deps;
    const removed: string[] = [];
    const skipped: string[] = [];
    const filesRemoved: string[] = [];

    // 1. Our entries and rule files.
    const [mine, keep] = partition(state.registrations, (r) => hit(r.guest));
    for (const r of mine) {
      const live = await controller.get(r.entryName);
      if (live && !isOurs(live.rule, r)) {
        log.warn(`${r.entryName} was changed by someone else since fexpod registered it; leaving it`);
        skipped.push(r.entryName);
      } else if (live) {
        await controller.remove(r.entryName);
        removed.push(r.entryName);
      }
      for (const f of [r.persistedFile, r.stableLink]) {
        if (f === undefined) continue;
        await deps.persistFs.remove(f);
        filesRemoved.push(f);
      }
    }

    // 2. Conflicts back as they were. Records without a guest belong to every guest.
    const [restore, stay] = partition(state.disabled, (d) => hit(d.guest) || (d.guest === undefined && keep.length === 0));
    const restored: { entryName: string; enabled: boolean; how: RestoreHow }[] = [];
    for (const d of restore) {
      const line: BinfmtRule = parseRegistration(d.registration);
      const live = await controller.get(d.entryName);
      let how: RestoreHow;
      if (!live) {
        await controller.restore(line, d.wasEnabled);
        how = 're-registered';
      } else if (live.enabled !== d.wasEnabled) {
        if (d.wasEnabled) await controller.enable(d.entryName);
        else await controller.disable(d.entryName);
        how = d.wasEnabled ? 'enabled' : 'disabled';
      } else how = 'unchanged';
      log.info(`${d.entryName}: ${how}`);
      restored.push({ entryName: d.entryName, enabled: d.wasEnabled, how });
    }

    // 3. binfmt.d masks.
    const unmasked: string[] = [];
    const masks: MaskedBinfmtFile[] = [];
    for (const m of state.masks ?? []) {
      const next = await undoMask(m, only, deps.persistFs);
      if (next) masks.push(next);
      if (!next || next.entries.length !== m.entries.length) unmasked.push(m.path);
    }

    // 4. The state that is left (the microVM prefixes stay on disk, like every prefix).
    const removedFiles = new Set(filesRemoved);
    const microvm = (state.microvm ?? []).filter((e) => !hit(e.guest));
    const next: InstallState = {
      ...state,
      registrations: keep,
      disabled: stay,
      persisted: state.persisted.filter((p) => !removedFiles.has(p)),
      masks,
      ...(microvm.length > 0 ? { microvm } : { microvm: undefined }),
    };
    let stateRemoved = false;
    if (isEmptyState(next)) {
      await deps.store.remove();
      stateRemoved = true;
    } else await deps.store.write(next);
    return { removed, restored, filesRemoved, unmasked, skipped, stateFile: deps.store.path, stateRemoved };
  });
}

/** The live rule is what fexpod registered: the recorded line, or the same through the stable link (systemd-binfmt registers that one). */
function isOurs(live: BinfmtRule, r: InstalledRegistration): boolean {
  const recorded = parseRegistration(r.registration);
  if (sameRegistration(live, recorded)) return true;
  return r.stableLink !== undefined && r.prefix !== undefined && sameRegistration(live, throughStableLink(recorded, r.prefix, r.stableLink));
}

function partition<T>(list: readonly T[], pred: (t: T) => boolean): [T[], T[]] {
  const a: T[] = [];
  const b: T[] = [];
  for (const t of list) (pred(t) ? a : b).push(t);
  return [a, b];
}
