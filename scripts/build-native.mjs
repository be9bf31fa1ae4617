#!/usr/bin/env node
// Compiles native/fexpod-guest-init.c into dist/native/ with the host's C compiler
// (part of `npm run build`). It is staged into the FEX prefix for containers that
// run in crun's krun microVM on hosts whose page size is not 4 KiB. Without a C
// compiler the build goes on: `fexpod binfmt install` then says the containers
// run through FEX directly, and `fexpod doctor` shows it.
// It also copies the committed zlib deflate module (native/zlib-wasm/, built by
// scripts/build-zlib-wasm.sh) to dist/native/, where the compression workers load it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'native', 'fexpod-guest-init');
const cc = process.env.CC || 'cc';
mkdirSync(dirname(out), { recursive: true });
copyFileSync(join(root, 'native', 'zlib-wasm', 'zlib-deflate.wasm'), join(root, 'dist', 'native', 'zlib-deflate.wasm'));
try {
  execFileSync(cc, ['-std=c11', '-O2', '-Wall', '-Wextra', '-o', `${out}.tmp`, join(root, 'native', 'fexpod-guest-init.c')], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(`${out}.tmp`, out);
} catch (err) {
  if (err.code === 'ENOENT') console.error(`build-native: no C compiler (${cc}); dist/native/fexpod-guest-init not built (install gcc)`);
  else throw err;
}
