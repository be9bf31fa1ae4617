/**
 * What `fexpod setup` did (or, with --dry-run, would do), in order: binfmt_misc
 * writes, files written, linked, renamed or removed, prefixes staged, commands
 * run. The same list is printed by a real run and by a dry run, because both
 * are recorded by the same wrappers around the effects (see live-journal.ts
 * and dry-run.ts).
 */
export type BinfmtAction = 'register' | 'enable' | 'disable' | 'remove' | 'mount' | 'flush';
export type FileAction = 'write' | 'symlink' | 'rename' | 'remove';

export type Change =
  | { readonly kind: 'binfmt'; readonly action: BinfmtAction; readonly entry?: string; readonly line?: string }
  | { readonly kind: 'file'; readonly action: FileAction; readonly path: string; readonly target?: string; readonly text?: string }
  | { readonly kind: 'prefix'; readonly path: string; readonly emulator: string }
  | { readonly kind: 'command'; readonly argv: readonly string[] };

export class ChangeLog {
  readonly changes: Change[] = [];

  add(c: Change): void {
    // A file written twice (the state file is rewritten per guest) is listed once, with its last text.
    if (c.kind === 'file' && c.action === 'write') {
      const i = this.changes.findIndex((x) => x.kind === 'file' && x.action === 'write' && x.path === c.path);
      if (i >= 0) {
        this.changes[i] = c;
        return;
      }
    }
    this.changes.push(c);
  }

  /** One line per change, for people (file contents only in --json). */
  lines(): string[] {
    return this.changes.map(describeChange);
  }
}

export function describeChange(c: Change): string {
  switch (c.kind) {
    case 'binfmt':
      if (c.action === 'mount') return 'mount     binfmt_misc';
      if (c.action === 'flush') return 'flush     every binfmt_misc entry';
      if (c.action === 'register') return `register  binfmt entry ${c.entry ?? '?'}: ${c.line ?? ''}`;
      return `${c.action.padEnd(9)} binfmt entry ${c.entry ?? '?'}`;
    case 'file':
      if (c.action === 'symlink') return `symlink   ${c.path} -> ${c.target ?? '?'}`;
      if (c.action === 'rename') return `rename    ${c.path} -> ${c.target ?? '?'}`;
      return `${c.action.padEnd(9)} ${c.path}`;
    case 'prefix':
      return `stage     ${c.path} (${c.emulator} and its libraries)`;
    case 'command':
      return `run       ${c.argv.join(' ')}`;
  }
}
