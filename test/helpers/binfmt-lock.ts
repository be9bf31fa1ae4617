/**
 * binfmt_misc is global to the machine: integration tests that change it take
 * this lock so that two test files (or two developers' runs) never interleave.
 * A directory lock (mkdir is atomic) with the owner's pid inside; a lock whose
 * owner is dead is taken over. Shell users can take it the same way:
 *   until mkdir /run/lock/fexpod-binfmt-test.lock 2>/dev/null; do sleep 1; done; echo $$ > …/pid
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const BINFMT_TEST_LOCK = process.env['FEXPOD_BINFMT_TEST_LOCK'] ?? '/run/lock/fexpod-binfmt-test.lock';

function ownerAlive(dir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but is not ours.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withBinfmtLock<T>(fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  mkdirSync(join(BINFMT_TEST_LOCK, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BINFMT_TEST_LOCK);
      writeFileSync(join(BINFMT_TEST_LOCK, 'pid'), `${process.pid}\n`);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Give a fresh lock a moment to get its pid file before judging it stale.
      await sleep(500);
      if (!ownerAlive(BINFMT_TEST_LOCK)) {
        try {
          readFileSync(join(BINFMT_TEST_LOCK, 'pid'));
          rmSync(BINFMT_TEST_LOCK, { recursive: true, force: true });
        } catch {
          /* pid file not yet written: owner is still starting */
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${BINFMT_TEST_LOCK}`);
    }
  }
  // A test's duration includes this wait (another run on the machine held the lock): say so, so
  // that timings read from a run's log can be told apart from the test's own cost.
  const waited = (Date.now() - start) / 1000;
  if (waited >= 2) process.stderr.write(`binfmt test lock: waited ${waited.toFixed(0)} s for ${BINFMT_TEST_LOCK}\n`);
  try {
    return await fn();
  } finally {
    rmSync(BINFMT_TEST_LOCK, { recursive: true, force: true });
  }
}
