/**
 * Outputs that appear whole or not at all (image files, OCI layouts, pulled
 * trees, lock files): built at a temp path next to the destination, then
 * renamed over it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs fn on a fresh temp path next to dest (same filesystem), then renames it
 * over dest. On failure the temp path is removed: no partial output is left.
 */
export async function atomicOutput<T>(dest: string, fn: (tmp: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(dest), { recursive: true });
  const tmpParent = await mkdtemp(join(dirname(dest), `.${basename(dest)}.tmp-`));
  const tmp = join(tmpParent, 'out');
  try {
    const result = await fn(tmp);
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
    return result;
  } finally {
    await forceRemove(tmpParent);
  }
}

/**
 * rm -rf that also works as non-root on trees with read-only directories
 * (a materialized tree has 0555 dirs like usr/lib/... or proc).
 */
export async function forceRemove(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    await run('chmod', ['-R', 'u+rwX', path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true });
  }
}
