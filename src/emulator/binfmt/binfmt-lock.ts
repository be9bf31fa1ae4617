/**
 * The exclusive lock every state-changing `fexpod binfmt` run holds, so two
 * installs (or an install and an uninstall) never interleave their
 * read-modify-write of binfmt_misc and the state file.
 *
 * A kernel lock (flock(2) on <stateDir>/binfmt.lock), held by a small
 * `flock` child (util-linux) for as long as its stdin stays open: it is
 * released when we finish or when this process dies, so there is no stale
 * lock to guess about. Node has no flock of its own; hand-rolled O_EXCL pid
 * files cannot take over a dead owner's lock without races.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FexpodError } from '../../common/errors.js';

export const LOCK_FILE_NAME = 'binfmt.lock';

export type Release = () => Promise<void>;
export type Locker = (lockPath: string, timeoutMs: number) => Promise<Release>;

/** Takes the lock with a `flock` child process found at `flockPath`. */
export function flockLocker(flockPath = 'flock', env: Readonly<Record<string, string | undefined>> = {}): Locker {
  return async (lockPath, timeoutMs) => {
    const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
    const child = spawn(flockPath, ['-x', '-w', String(secs), lockPath, '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        if (d.toString().includes('locked')) {
          child.stdout.off('data', onData);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.once('error', (err) =>
        reject(new FexpodError(`cannot take the lock ${lockPath}: ${err.message}`, { cause: err, fix: 'install util-linux (it provides flock)' })),
      );
      child.once('exit', (code) =>
        reject(
          new FexpodError(`timed out after ${secs}s waiting for ${lockPath} (exit ${code}${stderr ? `: ${stderr.trim()}` : ''})`, {
            fix: 'another "fexpod binfmt" is running; wait for it, or find it with: fuser ' + lockPath,
          }),
        ),
      );
    });
    child.removeAllListeners('exit');
    return () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
      });
  };
}

/** Runs fn while holding <stateDir>/binfmt.lock. */
export async function withStateLock<T>(stateDir: string, locker: Locker, fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  await mkdir(stateDir, { recursive: true, mode: 0o755 });
  const release = await locker(join(stateDir, LOCK_FILE_NAME), timeoutMs);
  try {
    return await fn();
  } finally {
    await release();
  }
}
