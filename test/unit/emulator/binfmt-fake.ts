/**
 * A fake binfmt_misc that behaves like fs/binfmt_misc.c as far as fexpod can
 * observe: register/EEXIST/EINVAL, F opening the interpreter (ENOENT),
 * 1/0/-1 on entries, -1 on status, newest-first matching, and the exact
 * entry-file text (formatEntryFile is checked against real kernel captures).
 */
import { formatEntryFile, parseEntryFile } from '../../../src/emulator/binfmt/binfmt-entry.js';
import { type BinfmtRule, hasFlag, matchesHeader, parseRegistration } from '../../../src/emulator/binfmt/binfmt-rule.js';
import type { BinfmtFs } from '../../../src/emulator/binfmt/binfmt-controller.js';

export const FAKE_DIR = '/proc/sys/fs/binfmt_misc';

function errno(code: string, msg: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: ${msg}`);
  e.code = code;
  return e;
}

export class FakeBinfmtMisc implements BinfmtFs {
  mounted: boolean;
  /** Registration order: oldest first. */
  readonly entries: { rule: BinfmtRule; enabled: boolean }[] = [];
  readonly interpreters = new Set<string>();
  readonly writes: string[] = [];
  /** Hook run before each write (to simulate a concurrent process). */
  beforeWrite: ((path: string, text: string) => void) | undefined;

  constructor(opts: { mounted?: boolean; interpreters?: string[] } = {}) {
    this.mounted = opts.mounted ?? true;
    for (const i of opts.interpreters ?? []) this.interpreters.add(i);
  }

  /** Registers a line as if another tool (or systemd-binfmt) did. */
  preload(line: string, enabled = true): void {
    const rule = parseRegistration(line);
    this.interpreters.add(rule.interpreter);
    this.entries.push({ rule, enabled });
  }

  private find(name: string) {
    return this.entries.find((e) => e.rule.name === name);
  }

  async readdir(path: string): Promise<string[]> {
    if (path !== FAKE_DIR) throw errno('ENOENT', path);
    if (!this.mounted) return [];
    return ['register', 'status', ...this.entries.map((e) => e.rule.name)];
  }

  async readFile(path: string): Promise<string> {
    const name = this.nameOf(path);
    if (name === 'status') return 'enabled\n';
    const e = this.find(name);
    if (!e || !this.mounted) throw errno('ENOENT', path);
    return formatEntryFile(e);
  }

  async writeFile(path: string, text: string): Promise<void> {
    this.beforeWrite?.(path, text);
    this.writes.push(`${this.nameOf(path)} <- ${text}`);
    if (!this.mounted) throw errno('ENOENT', path);
    const name = this.nameOf(path);
    if (name === 'register') {
      let rule: BinfmtRule;
      try {
        rule = parseRegistration(text);
      } catch {
        throw errno('EINVAL', text);
      }
      if (this.find(rule.name)) throw errno('EEXIST', rule.name);
      if (hasFlag(rule, 'F') && !this.interpreters.has(rule.interpreter)) throw errno('ENOENT', rule.interpreter);
      // The kernel keeps the bytes, not the spelling.
      const stored = parseEntryFile(rule.name, formatEntryFile({ rule, enabled: true })).rule;
      this.entries.push({ rule: stored, enabled: true });
      return;
    }
    if (name === 'status') {
      if (text.trim() === '-1') this.entries.splice(0);
      return;
    }
    const i = this.entries.findIndex((e) => e.rule.name === name);
    const e = this.entries[i];
    // open(O_WRONLY|O_CREAT) of a missing name: binfmt_misc cannot create files.
    if (!e) throw errno('EACCES', path);
    const v = text.trim();
    if (v === '1') e.enabled = true;
    else if (v === '0') e.enabled = false;
    else if (v === '-1') this.entries.splice(i, 1);
    else throw errno('EINVAL', text);
  }

  async mountBinfmtMisc(path: string): Promise<void> {
    if (path !== FAKE_DIR) throw errno('ENOENT', path);
    this.mounted = true;
  }

  /** Which entry the kernel would pick for a file starting with `header` (newest enabled match). */
  handlerFor(header: Uint8Array): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e && e.enabled && matchesHeader(e.rule, header)) return e.rule.name;
    }
    return undefined;
  }

  /** Every entry file, as a snapshot to compare. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.entries) out[e.rule.name] = formatEntryFile(e);
    return out;
  }

  private nameOf(path: string): string {
    if (!path.startsWith(FAKE_DIR + '/')) throw errno('ENOENT', path);
    return path.slice(FAKE_DIR.length + 1);
  }
}

/** Writes in a fresh fake `register` file that is really a directory of the given lines. */
export function fakeWith(lines: string[], interpreters: string[] = []): FakeBinfmtMisc {
  const f = new FakeBinfmtMisc({ interpreters });
  for (const l of lines) f.preload(l);
  return f;
}
