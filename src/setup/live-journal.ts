/**
 * A real setup run: every effect goes through these wrappers, which first
 * record the state of the path they are about to change in the journal (and
 * save the journal), then log the change, then do it. So the journal always
 * knows enough to undo what happened, even when setup is interrupted.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { BinfmtFs } from '../emulator/binfmt/binfmt-controller.js';
import type { BinfmtDeps, BinfmtEmulator } from '../emulator/binfmt/binfmt-install.js';
import type { PersistFs } from '../emulator/binfmt/binfmt-persist.js';
import type { StateStore } from '../emulator/binfmt/binfmt-state-file.js';
import { formatInstallState } from '../emulator/binfmt/install-state.js';
import type { ChangeLog } from './change-log.js';
import { capturePath } from './path-state.js';
import type { SetupFiles } from './setup-files.js';
import { changedEntries } from './binfmt-snapshot.js';
import { type BinfmtSnapshot, type SetupJournal, writeJournal } from './setup-journal.js';

export class LiveJournal {
  private j: SetupJournal;

  constructor(initial: SetupJournal) {
    this.j = initial;
  }

  get value(): SetupJournal {
    return this.j;
  }

  /** Records the directories that do not exist yet on the way down to `dir` (inclusive). */
  touchDir(dir: string): void {
    const missing: string[] = [];
    for (let d = dir; d !== dirname(d) && capturePath(d).kind === 'absent'; d = dirname(d)) missing.unshift(d);
    const add = missing.filter((d) => !this.j.createdDirs.includes(d));
    if (add.length === 0) return;
    this.j = { ...this.j, createdDirs: [...this.j.createdDirs, ...add] };
    this.save();
  }

  /** Records a path's state before its first change, and the directories a write will create. */
  touch(path: string): void {
    this.touchDir(dirname(path));
    if (this.j.files.some((f) => f.path === path)) return;
    this.j = { ...this.j, files: [...this.j.files, { path, before: capturePath(path) }] };
    this.save();
  }

  addTree(path: string): void {
    if (this.j.createdTrees.includes(path)) return;
    this.j = { ...this.j, createdTrees: [...this.j.createdTrees, path] };
    this.save();
  }

  update(fn: (j: SetupJournal) => SetupJournal): void {
    this.j = fn(this.j);
    this.save();
  }

  /**
   * At the end of a run: the binfmt entries this run changed (an entry first
   * changed now keeps its state from the start of this run as its "before"),
   * and every recorded path's state now (undo leaves alone what someone
   * changes later).
   */
  finish(runStart: BinfmtSnapshot, runEnd: BinfmtSnapshot): string[] {
    const touched = changedEntries(runStart, runEnd);
    this.update((j) => {
      const fresh = touched.filter((n) => !(j.binfmtTouched ?? []).includes(n));
      const entries = [...j.binfmtBefore.entries.filter((e) => !fresh.includes(e.name)), ...runStart.entries.filter((e) => fresh.includes(e.name))];
      return {
        ...j,
        binfmtBefore: { ...j.binfmtBefore, entries },
        binfmtTouched: [...new Set([...(j.binfmtTouched ?? []), ...touched])].sort(),
        files: j.files.map((f) => ({ path: f.path, before: f.before, after: capturePath(f.path, 'digest') })),
      };
    });
    return touched;
  }

  save(): void {
    writeJournal(this.j);
  }
}

export function journaledPersistFs(inner: PersistFs, j: LiveJournal, log: ChangeLog): PersistFs {
  return {
    readdir: (d) => inner.readdir(d),
    readFile: (p) => inner.readFile(p),
    readlink: (p) => inner.readlink(p),
    exists: (p) => inner.exists(p),
    async writeFileAtomic(p, text) {
      if ((await inner.readlink(p)) === undefined && (await inner.readFile(p)) === text) return;
      j.touch(p);
      log.add({ kind: 'file', action: 'write', path: p, text });
      await inner.writeFileAtomic(p, text);
    },
    async symlinkAtomic(target, p) {
      if ((await inner.readlink(p)) === target) return;
      j.touch(p);
      log.add({ kind: 'file', action: 'symlink', path: p, target });
      await inner.symlinkAtomic(target, p);
    },
    async rename(a, b) {
      j.touch(a);
      j.touch(b);
      log.add({ kind: 'file', action: 'rename', path: a, target: b });
      await inner.rename(a, b);
    },
    async remove(p) {
      if (!(await inner.exists(p))) return;
      j.touch(p);
      log.add({ kind: 'file', action: 'remove', path: p });
      await inner.remove(p);
    },
  };
}

export function journaledStore(inner: StateStore, j: LiveJournal, log: ChangeLog): StateStore {
  return {
    path: inner.path,
    read: () => inner.read(),
    async write(state) {
      if (readText(inner.path) === formatInstallState(state)) return;
      j.touch(inner.path);
      log.add({ kind: 'file', action: 'write', path: inner.path, text: formatInstallState(state) });
      await inner.write(state);
    },
    async remove() {
      j.touch(inner.path);
      log.add({ kind: 'file', action: 'remove', path: inner.path });
      await inner.remove();
    },
  };
}

export function journaledFiles(inner: SetupFiles, j: LiveJournal, log: ChangeLog): SetupFiles {
  return {
    read: (p) => inner.read(p),
    list: (d) => inner.list(d),
    exists: (p) => inner.exists(p),
    readlink: (p) => inner.readlink(p),
    writeAtomic(p, text) {
      if (inner.readlink(p) === undefined && inner.read(p) === text) return;
      j.touch(p);
      log.add({ kind: 'file', action: 'write', path: p, text });
      inner.writeAtomic(p, text);
    },
    symlinkAtomic(target, p) {
      if (inner.readlink(p) === target) return;
      j.touch(p);
      log.add({ kind: 'file', action: 'symlink', path: p, target });
      inner.symlinkAtomic(target, p);
    },
    remove(p) {
      if (!inner.exists(p) && inner.readlink(p) === undefined) return false;
      j.touch(p);
      log.add({ kind: 'file', action: 'remove', path: p });
      return inner.remove(p);
    },
    removeDirIfEmpty: (d) => inner.removeDirIfEmpty(d),
  };
}

/**
 * binfmt_misc writes, logged (and, in a dry run, not done: a dry mount makes
 * the register file appear so the flow can go on).
 */
export function recordingBinfmtFs(inner: BinfmtFs, log: ChangeLog, dry: boolean): BinfmtFs {
  let dryMounted = false;
  return {
    async readdir(p) {
      const names = await inner.readdir(p);
      return dryMounted && !names.includes('register') ? ['register', 'status', ...names] : names;
    },
    readFile: (p) => inner.readFile(p),
    async writeFile(p, text) {
      const name = basename(p);
      if (name === 'register') log.add({ kind: 'binfmt', action: 'register', entry: text.split(text[0] ?? ':')[1] ?? '?', line: text });
      else if (name === 'status') log.add({ kind: 'binfmt', action: text.trim() === '-1' ? 'flush' : text.trim() === '0' ? 'disable' : 'enable', entry: '*' });
      else log.add({ kind: 'binfmt', action: text.trim() === '-1' ? 'remove' : text.trim() === '0' ? 'disable' : 'enable', entry: name });
      if (!dry) await inner.writeFile(p, text);
    },
    async mountBinfmtMisc(p) {
      log.add({ kind: 'binfmt', action: 'mount' });
      if (dry) dryMounted = true;
      else await inner.mountBinfmtMisc(p);
    },
  };
}

/** Emulators whose staging records the prefix directory it creates (a tree undo removes). */
export function journaledEmulators(list: readonly BinfmtEmulator[], prefixRoot: string, j: LiveJournal, log: ChangeLog): BinfmtEmulator[] {
  return list.map((e) => {
    const stage = e.stage;
    if (!stage) return e;
    return {
      ...e,
      async stage() {
        j.touchDir(prefixRoot);
        for (const path of e.writes ?? []) {
          j.touch(path);
          log.add({ kind: 'file', action: 'write', path });
        }
        const before = new Set(listDir(prefixRoot));
        const staged = await stage();
        if (staged.prefix && dirname(staged.prefix) === prefixRoot && !before.has(basename(staged.prefix))) {
          j.addTree(staged.prefix);
          log.add({ kind: 'prefix', path: staged.prefix, emulator: e.name });
        }
        return staged;
      },
    };
  });
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Non-4k hosts: the FEX prefix staged for krun containers (BinfmtDeps.microvm)
 * is journaled like an emulator's prefix, so --undo removes it.
 */
export function journaledMicroVm(
  microvm: NonNullable<BinfmtDeps['microvm']>,
  prefixRoot: string,
  j: LiveJournal,
  log: ChangeLog,
): NonNullable<BinfmtDeps['microvm']> {
  return async (guests) => {
    j.touchDir(prefixRoot);
    const before = new Set(listDir(prefixRoot));
    const entries = await microvm(guests);
    for (const prefix of new Set(entries.map((e) => e.prefix))) {
      if (dirname(prefix) === prefixRoot && !before.has(basename(prefix))) {
        j.addTree(prefix);
        log.add({ kind: 'prefix', path: prefix, emulator: 'fex (krun microVM)' });
      }
    }
    return entries;
  };
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
