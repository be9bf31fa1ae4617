/**
 * Runs the benchmarks in bench/ (every *.bench.js next to this file, or the
 * ones named on the command line). Each benchmark prints its own figures and
 * a ratio against the tool a user would otherwise use. Not part of `npm test`.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (files.length === 0) {
  process.stderr.write(`no benchmarks match ${wanted.join(' ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  process.stderr.write(`\n== ${f}\n`);
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
