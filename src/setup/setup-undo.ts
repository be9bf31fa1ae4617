/**
 * `fexpod setup --undo`: returns the host to the state the journal recorded
 * before the first setup, in reverse order of setup's own steps:
 *
 *   binfmt_misc entries setup changed → as they were (disabled conflicts come back)
 *   files, last touched first       → restored (replaced ones) or removed (new ones)
 *   staged prefixes                   → removed
 *   directories setup created         → removed (fexpod's state directory with
 *                                       everything in it; others when empty)
 *
 * A file that someone changed after setup (it is neither what setup left nor
 * what was there before) is left alone and reported, unless setup created it.
 */
import { rmSync, rmdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { BinfmtController } from '../emulator/binfmt/binfmt-controller.js';
import type { Logger } from '../common/log.js';
import { type EntryUndo, changedEntries, restoreEntries, snapshotBinfmt } from './binfmt-snapshot.js';
import { capturePath, describePathState, restorePath, samePathState } from './path-state.js';
import { type SetupJournal, journalPath } from './setup-journal.js';

export type FileUndo = 'restored' | 'removed' | 'unchanged' | 'left-alone';

export interface UndoReport {
  readonly binfmt: readonly { readonly name: string; readonly how: EntryUndo }[];
  readonly files: readonly { readonly path: string; readonly how: FileUndo; readonly why?: string }[];
  readonly removedTrees: readonly string[];
  readonly removedDirs: readonly string[];
  readonly journal: string;
}

/**
 * Entries setup never wrote to but made go away: it masked their binfmt.d file
 * (a conflict that was already disabled, so setup had nothing to switch off), and
 * systemd-binfmt, restarted since, did not load them again. They were there
 * before setup and are absent now, so undo registers them again.
 */
async function vanishedMasked(j: SetupJournal, controller: BinfmtController): Promise<string[]> {
  const masked = new Set(j.files.filter((f) => basename(dirname(f.path)) === 'binfmt.d').map((f) => basename(f.path)).filter((b) => b.endsWith('.conf')).map((b) => b.slice(0, -'.conf'.length)));
  const now = new Set((await snapshotBinfmt(controller)).entries.map((e) => e.name));
  return j.binfmtBefore.entries.map((e) => e.name).filter((n) => masked.has(n) && !now.has(n) && !(j.binfmtTouched ?? []).includes(n));
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir.replace(/\/+$/, '')}/`);

export async function undoSetup(j: SetupJournal, controller: BinfmtController, log: Logger): Promise<UndoReport> {
  // 1. binfmt_misc.
  const names = j.binfmtTouched ? [...j.binfmtTouched, ...(await vanishedMasked(j, controller))].sort() : changedEntries(j.binfmtBefore, await snapshotBinfmt(controller));
  const binfmt = await restoreEntries(controller, j.binfmtBefore, names);
  for (const b of binfmt) if (b.how !== 'unchanged') log.debug(`binfmt entry ${b.name}: ${b.how}`);

  // 2. Files, newest first.
  const files: { path: string; how: FileUndo; why?: string }[] = [];
  for (const f of [...j.files].reverse()) {
    const now = capturePath(f.path, 'digest');
    if (samePathState(now, f.before)) {
      files.push({ path: f.path, how: 'unchanged' });
      continue;
    }
    if (f.before.kind !== 'absent' && f.after && !samePathState(now, f.after)) {
      const why = `changed after setup (now ${describePathState(now)}); its state before setup (${describePathState(f.before)}) is in ${journalPath(j.stateDir)}`;
      log.warn(`${f.path}: left alone: ${why}`);
      files.push({ path: f.path, how: 'left-alone', why });
      continue;
    }
    restorePath(f.path, f.before);
    const how: FileUndo = f.before.kind === 'absent' ? 'removed' : 'restored';
    log.debug(`${how} ${f.path}`);
    files.push({ path: f.path, how });
  }

  // 3. Prefixes setup staged.
  const removedTrees: string[] = [];
  for (const t of j.createdTrees) {
    rmSync(t, { recursive: true, force: true });
    removedTrees.push(t);
  }

  // 4. Directories setup created, deepest first.
  const removedDirs: string[] = [];
  for (const d of [...j.createdDirs].reverse()) {
    if (capturePath(d).kind !== 'dir') continue;
    if (under(d, j.stateDir)) {
      rmSync(d, { recursive: true, force: true });
      removedDirs.push(d);
      continue;
    }
    try {
      rmdirSync(d);
      removedDirs.push(d);
    } catch {
      log.warn(`${d}: not empty, left in place (setup created it; something else put files in it since)`);
    }
  }
  rmSync(journalPath(j.stateDir), { force: true });
  return { binfmt, files, removedTrees, removedDirs, journal: journalPath(j.stateDir) };
}
