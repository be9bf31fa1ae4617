/**
 * A dry run: the same flows as a real setup, over effects that read the real
 * host but keep every write in memory (an overlay), so later steps see what
 * earlier ones would have written, and the change log lists every file and
 * registration setup would make. Nothing on the host changes.
 */
import { basename, dirname } from 'node:path';
import type { BinfmtEmulator } from '../emulator/binfmt/binfmt-install.js';
import type { PersistFs } from '../emulator/binfmt/binfmt-persist.js';
import type { StateStore } from '../emulator/binfmt/binfmt-state-file.js';
import { type InstallState, formatInstallState } from '../emulator/binfmt/install-state.js';
import type { ChangeLog } from './change-log.js';
import type { SetupFiles } from './setup-files.js';

type Node = { readonly kind: 'absent' } | { readonly kind: 'file'; readonly text: string } | { readonly kind: 'symlink'; readonly target: string };

/** Paths written, linked or removed in memory. */
export class Overlay {
  private readonly nodes = new Map<string, Node>();

  get(path: string): Node | undefined {
    return this.nodes.get(path);
  }

  set(path: string, node: Node): void {
    this.nodes.set(path, node);
  }

  /** Names in `dir`: the real ones, plus those written there, minus those removed. */
  names(dir: string, real: readonly string[]): string[] {
    const out = new Set(real);
    for (const [p, n] of this.nodes) {
      if (dirname(p) !== dir) continue;
      if (n.kind === 'absent') out.delete(basename(p));
      else out.add(basename(p));
    }
    return [...out];
  }
}

const textOf = (n: Node | undefined) => (n === undefined ? undefined : n.kind === 'file' ? n.text : n.kind === 'symlink' && n.target === '/dev/null' ? '' : undefined);

export function dryPersistFs(real: PersistFs, o: Overlay, log: ChangeLog): PersistFs {
  return {
    async readdir(dir) {
      return o.names(dir, await real.readdir(dir));
    },
    async readFile(p) {
      const n = o.get(p);
      return n ? textOf(n) : real.readFile(p);
    },
    async readlink(p) {
      const n = o.get(p);
      if (n) return n.kind === 'symlink' ? n.target : undefined;
      return real.readlink(p);
    },
    async exists(p) {
      const n = o.get(p);
      return n ? n.kind !== 'absent' : real.exists(p);
    },
    async writeFileAtomic(p, text) {
      if ((await this.readlink(p)) === undefined && (await this.readFile(p)) === text) return;
      o.set(p, { kind: 'file', text });
      log.add({ kind: 'file', action: 'write', path: p, text });
    },
    async symlinkAtomic(target, p) {
      if ((await this.readlink(p)) === target) return;
      o.set(p, { kind: 'symlink', target });
      log.add({ kind: 'file', action: 'symlink', path: p, target });
    },
    async rename(a, b) {
      const n = o.get(a);
      const text = n ? textOf(n) : await real.readFile(a);
      o.set(b, text === undefined ? { kind: 'absent' } : { kind: 'file', text });
      o.set(a, { kind: 'absent' });
      log.add({ kind: 'file', action: 'rename', path: a, target: b });
    },
    async remove(p) {
      if (!(await this.exists(p))) return;
      o.set(p, { kind: 'absent' });
      log.add({ kind: 'file', action: 'remove', path: p });
    },
  };
}

export function dryStore(real: StateStore, log: ChangeLog): StateStore {
  let mem: { state: InstallState | undefined } | undefined;
  return {
    path: real.path,
    async read() {
      return mem ? mem.state : real.read();
    },
    async write(state) {
      const now = await this.read();
      if (now && formatInstallState(now) === formatInstallState(state)) return;
      mem = { state };
      log.add({ kind: 'file', action: 'write', path: real.path, text: formatInstallState(state) });
    },
    async remove() {
      mem = { state: undefined };
      log.add({ kind: 'file', action: 'remove', path: real.path });
    },
  };
}

export function dryFiles(real: SetupFiles, o: Overlay, log: ChangeLog): SetupFiles {
  return {
    read(p) {
      const n = o.get(p);
      return n ? textOf(n) : real.read(p);
    },
    list: (d) => o.names(d, real.list(d)),
    exists(p) {
      const n = o.get(p);
      return n ? n.kind !== 'absent' : real.exists(p);
    },
    readlink(p) {
      const n = o.get(p);
      if (n) return n.kind === 'symlink' ? n.target : undefined;
      return real.readlink(p);
    },
    writeAtomic(p, text) {
      if (this.readlink(p) === undefined && this.read(p) === text) return;
      o.set(p, { kind: 'file', text });
      log.add({ kind: 'file', action: 'write', path: p, text });
    },
    symlinkAtomic(target, p) {
      if (this.readlink(p) === target) return;
      o.set(p, { kind: 'symlink', target });
      log.add({ kind: 'file', action: 'symlink', path: p, target });
    },
    remove(p) {
      if (!this.exists(p) && this.readlink(p) === undefined) return false;
      o.set(p, { kind: 'absent' });
      log.add({ kind: 'file', action: 'remove', path: p });
      return true;
    },
    removeDirIfEmpty() {},
  };
}

/** Emulators that plan their prefix instead of staging it (and log the staging they would do). */
export function dryEmulators(list: readonly BinfmtEmulator[], prefixExists: (p: string) => Promise<boolean>, log: ChangeLog): BinfmtEmulator[] {
  return list.map((e) => {
    const plan = e.plan;
    if (!e.stage) return e;
    return {
      ...e,
      async stage() {
        if (!plan) throw new Error(`${e.name}: cannot plan its prefix without staging it`);
        const planned = await plan();
        if (planned.prefix && !(await prefixExists(planned.prefix))) log.add({ kind: 'prefix', path: planned.prefix, emulator: e.name });
        for (const path of e.writes ?? []) log.add({ kind: 'file', action: 'write', path });
        return planned;
      },
    };
  });
}
