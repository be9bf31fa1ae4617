/**
 * Child-process helper for the cache kill test: fetches a lock's packages (one at a time) and
 * SIGKILLs itself at the first fetch event of the given type.
 *   node fetch-kill-main.js <lock.json> <cache dir> <key file> <event type | none>
 * Exits 0 when every package was fetched and verified, 4 when one failed verification.
 */
import { readFileSync } from 'node:fs';
import { FexpodError } from '../../../src/common/errors.js';
import { fetchLocked } from '../../../src/builder/fetch/package-fetch.js';
import { nodeHttpClient } from '../../../src/builder/fetch/http.js';
import { parseLock } from '../../../src/builder/lock/lock.js';
import { readKeys } from '../../../src/builder/rpm/rpm-signature.js';

const [lockFile, cacheDir, keyFile, killAt] = process.argv.slice(2);
// Loaded without arguments (e.g. by a test runner walking dist/test): do nothing.
if (lockFile === undefined || cacheDir === undefined || keyFile === undefined) process.exit(0);
const lock = parseLock(lockFile, readFileSync(lockFile, 'utf8'));
const keys = await readKeys([{ name: keyFile, data: new Uint8Array(readFileSync(keyFile)) }]);
try {
  await fetchLocked(lock, {
    cacheDir,
    http: nodeHttpClient(),
    keys: new Map(lock.repos.map((r) => [r.id, keys])),
    concurrency: 1,
    onEvent: (e) => {
      if (e.type === killAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof FexpodError ? err.exitCode : 1);
}
