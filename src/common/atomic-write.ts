/**
 * Replacing a file atomically: a temp file in the same directory, written and
 * fsync'd, then renamed over the target, so that readers (Podman reading hook
 * JSONs and drop-ins, systemd-binfmt, FEX reading its Config.json) see the old
 * file or the new one, never half of either. A failed write leaves the target
 * as it was and no temp file behind. Builtins only: the installers of the
 * hook and of binfmt rules use it as well as the builder and the publisher.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** Writes text to path atomically with this mode (set explicitly, whatever the umask); parent directories are made 0755. */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${counter++}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      const buf = Buffer.from(text, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes text to file atomically, keeping an existing file's mode (0644 for a new one). */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const mode = (await stat(file).catch(() => undefined))?.mode ?? 0o644;
  writeFileAtomic(file, text, mode & 0o7777);
}
