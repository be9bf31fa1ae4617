#!/usr/bin/env node
// Writes fexpod's man pages (fexpod.1 and fexpod-CMD.1, roff) into OUTDIR, made
// from the command table and the option tables in the built dist/ (npm run
// build first). The date is SOURCE_DATE_EPOCH's, or left out: the same sources
// give the same pages. packaging/fexpod.spec installs them into %{_mandir}/man1.
//
//   node scripts/man-pages.mjs OUTDIR
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/man-pages.mjs OUTDIR');
  process.exit(2);
}
const { USAGE, VERSION, loadCommands } = await import('../dist/src/commands.js');
const { manPages } = await import('../dist/src/cli-reference/man-page.js');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
if (pkg.version !== VERSION) {
  console.error(`man-pages: package.json says ${pkg.version}, src/commands.ts says ${VERSION}`);
  process.exit(1);
}
const epoch = process.env.SOURCE_DATE_EPOCH;
const date = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString().slice(0, 10) : '';
mkdirSync(out, { recursive: true });
for (const page of manPages(await loadCommands(), USAGE, { version: VERSION, date })) {
  const file = join(out, page.file);
  writeFileSync(`${file}.tmp`, page.text);
  renameSync(`${file}.tmp`, file);
  console.log(file);
}
