/**
 * The committed gzip encoder (native/zlib-wasm/zlib-deflate.wasm) is what the
 * vendored zlib 1.3.1 source makes: scripts/build-zlib-wasm.sh rebuilds it with
 * this machine's clang and wasm-ld (as packaging/fexpod.spec does in %build),
 * twice: the two builds are the same bytes (a reproducible build); with the
 * committed module's toolchain (native/zlib-wasm/TOOLCHAIN) they are the
 * committed bytes; with any toolchain the rebuilt module deflates real data
 * exactly as the committed one at every level.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zlibWasm } from '../../../src/builder/layer/zlib-wasm.js';
import { integration, onPath, repoRoot } from '../../helpers/integration.js';

const root = repoRoot();
const req = integration(onPath('clang'), onPath('wasm-ld'), onPath('sha256sum'));

function build(out: string): string {
  const r = spawnSync(join(root, 'scripts', 'build-zlib-wasm.sh'), [out], { encoding: 'utf8', timeout: 10 * 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Real bytes: the corpus's comps XML and RPMs, and this repository's committed module itself (binary). */
function input(): Buffer {
  const corpus = join(root, 'test', 'fixtures', 'corpus');
  const rpms = readdirSync(join(corpus, 'rpms')).filter((f) => f.endsWith('.rpm')).sort();
  return Buffer.concat([readFileSync(join(corpus, 'comps-f41.xml.in')), ...rpms.map((f) => readFileSync(join(corpus, 'rpms', f))), readFileSync(join(root, 'native', 'zlib-wasm', 'zlib-deflate.wasm'))]);
}

test('scripts/build-zlib-wasm.sh: the vendored source rebuilds reproducibly into a module that deflates as the committed one', { ...req, timeout: 10 * 60_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-zlib-wasm-'));
  try {
    const toolchain = build(join(dir, 'a.wasm'));
    build(join(dir, 'b.wasm'));
    const a = readFileSync(join(dir, 'a.wasm'));
    assert.ok(a.equals(readFileSync(join(dir, 'b.wasm'))), 'two builds with the same toolchain differ');
    const committed = readFileSync(join(root, 'native', 'zlib-wasm', 'zlib-deflate.wasm'));
    const recorded = readFileSync(join(root, 'native', 'zlib-wasm', 'TOOLCHAIN'), 'utf8');
    t.diagnostic(`toolchain here: ${toolchain.trim().replace(/\n/g, ' + ')}; committed module's: ${recorded.trim().replace(/\n/g, ' + ')}`);
    if (toolchain === recorded) assert.ok(a.equals(committed), 'the committed module is not what its recorded toolchain makes from the vendored source');
    else t.diagnostic(`another toolchain: module ${a.length} bytes against the committed ${committed.length}; comparing what they deflate`);

    const rebuilt = zlibWasm(pathToFileURL(join(dir, 'a.wasm')));
    const shipped = zlibWasm();
    assert.equal(rebuilt.version, '1.3.1');
    const data = input();
    const BLOCK = 64 * 1024;
    for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      for (let off = 0; off < data.length; off += BLOCK) {
        const b = { data: data.subarray(off, off + BLOCK), dictionary: data.subarray(Math.max(0, off - 32768), off), last: off + BLOCK >= data.length, level };
        assert.ok(Buffer.from(rebuilt.deflateRaw(b)).equals(Buffer.from(shipped.deflateRaw(b))), `level ${level}, block at ${off}: the rebuilt module deflates otherwise`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
