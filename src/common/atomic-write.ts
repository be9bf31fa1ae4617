/**
 * Replacing a file (or a symlink) atomically: a temp file in the same
 * directory, written and fsync'd, then renamed over the target, so that
 * readers (Podman reading hook JSONs and drop-ins, systemd-binfmt, the hook
 * reading the install state, FEX reading its Config.json) see the old file or
 * the new one, never half of either. A failed write leaves the target as it
 * was and no temp file behind. Builtins only.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** Writes text (or bytes) to path atomically with this mode (set explicitly, whatever the umask); parent directories are made 0755. */
export function writeFileAtomic(path: string, text: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${counter++}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      fchmodSync(fd, mode);
      const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
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

/** Points path at target: a new symlink renamed over whatever is there. */
export function symlinkAtomic(target: string, path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${counter++}.tmp`);
  try {
    symlinkSync(target, tmp);
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
