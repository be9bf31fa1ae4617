/**
 * The instant-rebuild key names the build of every program whose version
 * makes an output's bytes (erofs-utils 1.5 and 1.8.6 make different images of
 * one tree): another mkfs.erofs on PATH is another key. Programs here are
 * shell scripts in a temp dir, found on a PATH given in env (never the
 * process's own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram } from '../../../src/common/find-program.js';
import { describeProgram, programIdentity } from '../../../src/common/program-identity.js';
import { processRunner } from '../../../src/common/process-runner.js';
import { outputPrograms, reuseKey, type ReuseKeyInput } from '../../../src/builder/steps/reuse.js';

function scripts(files: Record<string, string>): { dir: string; path: (...d: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-progid-'));
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, rel), 0o755);
  }
  return { dir, path: (...d) => d.map((x) => join(dir, x)).join(':') };
}

const cases = [
  // erofs-utils >= 1.6: -V prints the version and exits 0
  { name: 'a version option that works', body: 'echo "mkfs.erofs (erofs-utils) 1.8.6"; echo "available compressors: lz4"', version: 'mkfs.erofs (erofs-utils) 1.8.6' },
  // erofs-utils 1.5: no -V, yet its version line on stdout before the usage error (exit 1)
  { name: 'no version option, version line on stdout before the error (mkfs.erofs 1.5)', body: 'echo "mkfs.erofs 1.5"; echo "mkfs.erofs: invalid option -- V" >&2; exit 1', version: 'mkfs.erofs 1.5' },
  { name: 'no version option and nothing on stdout', body: 'echo "usage: ..." >&2; exit 1', version: undefined },
];

for (const c of cases) {
  test(`program identity: ${c.name}`, async () => {
    const s = scripts({ 'bin/mkfs.erofs': c.body });
    try {
      const id = await programIdentity(processRunner, { PATH: s.path('nowhere', 'bin') }, 'mkfs.erofs', ['-V']);
      assert.equal(id?.file, join(s.dir, 'bin', 'mkfs.erofs'));
      assert.equal(id?.version, c.version);
      assert.match(id?.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.match(describeProgram('mkfs.erofs', id), /^.+ sha256:[0-9a-f]{64}$/);
    } finally {
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
}

test('findProgram: the first executable on PATH, relative entries and non-executable files skipped; a missing program is said so', () => {
  const s = scripts({ 'a/tool': 'true', 'b/tool': 'true' });
  try {
    assert.equal(findProgram('tool', `relative:${s.path('b', 'a')}`), join(s.dir, 'b', 'tool'));
    assert.equal(findProgram('nope', s.path('a')), undefined);
    chmodSync(join(s.dir, 'b', 'tool'), 0o644); // there, but not executable: spawn would not run it
    assert.equal(findProgram('tool', s.path('b', 'a')), join(s.dir, 'a', 'tool'));
    assert.equal(describeProgram('nope', undefined), 'nope: not on PATH');
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});

test('reuse key: another mkfs.erofs build (or version) on PATH is another key; formats that run none have none', async () => {
  const s = scripts({ 'v15/mkfs.erofs': 'echo "mkfs.erofs 1.5"; exit 1', 'v186/mkfs.erofs': 'echo "mkfs.erofs (erofs-utils) 1.8.6"', 'v15/mksquashfs': 'echo "mksquashfs version 4.5.1"' });
  try {
    const env = (d: string) => ({ PATH: s.path(d, 'v15') });
    const base: Omit<ReuseKeyInput, 'programs'> = {
      toolVersion: 't', deflateEncoder: 'zlib 1.3.1 (wasm)', definitions: ['x'], packages: ['a'], formats: ['erofs'], sourceDateEpoch: 1, layer: { compression: 'gzip' }, privileged: true, pageSize: 4096,
    };
    const p15 = await outputPrograms(['oci', 'erofs'], { runner: processRunner, env: env('v15') });
    const p186 = await outputPrograms(['oci', 'erofs'], { runner: processRunner, env: env('v186') });
    assert.deepEqual(Object.keys(p15), ['mkfs.erofs']);
    assert.match(p15['mkfs.erofs'] ?? '', /^mkfs\.erofs 1\.5 sha256:/);
    assert.match(p186['mkfs.erofs'] ?? '', /^mkfs\.erofs \(erofs-utils\) 1\.8\.6 sha256:/);
    assert.notEqual(reuseKey({ ...base, programs: p15 }), reuseKey({ ...base, programs: p186 }));
    // another gzip encoder (pako before zlib in WebAssembly) is another key too
    assert.notEqual(reuseKey({ ...base, programs: p15 }), reuseKey({ ...base, deflateEncoder: 'pako 3.0.3', programs: p15 }));
    assert.deepEqual(Object.keys(await outputPrograms(['rpm', 'squashfs'], { runner: processRunner, env: env('v15') })), ['mkfs.erofs', 'mksquashfs']);
    assert.deepEqual(await outputPrograms(['oci', 'sbom'], { runner: processRunner, env: env('v15') }), {});
  } finally {
    rmSync(s.dir, { recursive: true, force: true });
  }
});
