/**
 * The CLI as another user can run it. A checkout under a private directory (a fresh clone in
 * `mktemp -d`, a 0700 home) is out of that user's reach: then what the CLI needs at run time is
 * hard-linked (copied across filesystems) into a world-readable temp dir, once per process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './integration.js';

/** setpriv arguments that drop to `uid` (same gid) with no groups and no capabilities. */
export function dropTo(uid: number): string[] {
  return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all'];
}

const RUNTIME_PARTS = ['package.json', 'dist/src', 'node_modules', 'images', 'src/builder/solv'];
let staged: string | undefined;

export function cliPathForUser(uid: number): string {
  const cli = join(repoRoot(), 'dist', 'src', 'cli.js');
  const [cmd = 'setpriv', ...args] = dropTo(uid);
  if (spawnSync(cmd, [...args, 'test', '-r', cli]).status === 0) return cli;
  if (!staged) {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-cli-'));
    chmodSync(dir, 0o755);
    for (const part of RUNTIME_PARTS) {
      const from = join(repoRoot(), part);
      const to = join(dir, part);
      execFileSync('mkdir', ['-p', join(to, '..')]);
      try {
        execFileSync('cp', ['-al', from, to]);
      } catch {
        cpSync(from, to, { recursive: true });
      }
    }
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    staged = dir;
  }
  return join(staged, 'dist', 'src', 'cli.js');
}
