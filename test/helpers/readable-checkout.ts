/**
 * Tests that run fexpod as another (unprivileged) user need the built CLI and
 * hook at a path that user can read. A fresh clone often lives under a private
 * home (/root/…): then the parts needed at run time are copied to a
 * world-readable temporary directory (hard links where possible: the files of a
 * checkout are readable, it is a parent directory that is not).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './integration.js';

export interface Checkout {
  readonly root: string;
  readonly cli: string;
  cleanup(): void;
}

const PARTS = ['package.json', 'dist', 'node_modules', 'oci-hooks'];

/** The repository itself when `canRead(path)` holds for its CLI, else a readable copy. */
export function readableCheckout(canRead: (path: string) => boolean): Checkout {
  const root = repoRoot();
  const cli = join(root, 'dist', 'src', 'cli.js');
  if (canRead(cli) && canRead(join(root, 'oci-hooks', 'fexpod-precreate-user.json.in')) && canRead(join(root, 'node_modules', 'zod', 'package.json'))) {
    return { root, cli, cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-checkout-'));
  chmodSync(dir, 0o755);
  for (const p of PARTS) {
    if (!existsSync(join(root, p))) continue;
    try {
      execFileSync('cp', ['-al', join(root, p), join(dir, p)]);
    } catch {
      cpSync(join(root, p), join(dir, p), { recursive: true });
    }
  }
  return { root: dir, cli: join(dir, 'dist', 'src', 'cli.js'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
