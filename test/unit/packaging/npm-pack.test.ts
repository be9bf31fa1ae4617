/**
 * The npm tarball carries what fexpod loads at run time outside dist/src: the
 * gzip encoder (zlib in WebAssembly, where zlib-wasm.ts looks for it) and the
 * vendored source it was built from, with zlib's licence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZLIB_WASM_URL } from '../../../src/builder/layer/zlib-wasm.js';
import { repoRoot } from '../../helpers/integration.js';

test('npm pack: the gzip encoder module, its vendored zlib source and licence are in the tarball', () => {
  const root = repoRoot();
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const files = new Set((JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path));
  for (const f of [relative(root, fileURLToPath(ZLIB_WASM_URL)), 'native/zlib-wasm/zlib-1.3.1/LICENSE', 'native/zlib-wasm/zlib-1.3.1/deflate.c', 'native/zlib-wasm/zlib-deflate.c']) {
    assert.ok(files.has(f), `${f} in the tarball`);
  }
});
