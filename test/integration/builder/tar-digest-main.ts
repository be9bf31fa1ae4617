/**
 * Child-process helper for the reproducibility test: installs the given RPMs
 * with a spill content store under $TMPDIR and prints the tar's sha256.
 *   node tar-digest-main.js <sde> <rpm>...
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spillContentStore } from '../../../src/builder/tree/content-store.js';
import { installRpmFiles } from '../../../src/builder/tree/install.js';
import { tarChunks } from '../../../src/builder/layer/tar-writer.js';

const [sdeArg, ...rpms] = process.argv.slice(2);
// Loaded without arguments (e.g. by a test runner walking dist/test): do nothing.
if (sdeArg === undefined) process.exit(0);
const sde = Number(sdeArg);
const store = spillContentStore({ dir: join(mkdtempSync(join(tmpdir(), 'fexpod-spill-')), 'c'), memoryThreshold: 1 });
try {
  const { tree } = await installRpmFiles(rpms, { docs: true, langs: 'all', sourceDateEpoch: sde, onConflict: 'report' }, store);
  const h = createHash('sha256');
  for await (const c of tarChunks(tree.values(), { sourceDateEpoch: sde })) h.update(c);
  process.stdout.write(`${h.digest('hex')}\n`);
} finally {
  store.remove();
}
