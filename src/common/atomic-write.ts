/**
 * Replacing a small file atomically: a temp file in the same directory,
 * written and fsync'd, then renamed over the target (readers see the old
 * file or the new one, never half of either). The target's mode is kept.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Writes text to file atomically, keeping an existing file's mode (0644 for a new one). */
export async function writeAtomic(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const mode = (await stat(file).catch(() => undefined))?.mode ?? 0o644;
  const tmp = join(dirname(file), `.${basename(file)}.fexpod-${process.pid}`);
  try {
    const fd = openSync(tmp, 'w', mode & 0o777);
    try {
      const data = Buffer.from(text);
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

