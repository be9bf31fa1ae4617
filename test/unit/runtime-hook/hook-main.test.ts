import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME } from '../../../src/emulator/binfmt/install-state.js';
import { DEFAULT_HOOK_LOG } from '../../../src/runtime-hook/hook/hook-log.js';
import { defaultHookScript } from '../../../src/runtime-hook/install/hook-command.js';
import { corpusDir } from '../../helpers/integration.js';

const configs = join(corpusDir(), 'podman-configs');

test('hook-main repeats the defaults of install-state.ts and hook-log.ts', () => {
  const text = readFileSync(defaultHookScript(), 'utf8');
  assert.ok(text.includes(`'${DEFAULT_STATE_DIR}/${STATE_FILE_NAME}'`));
  assert.ok(text.includes(`'${DEFAULT_HOOK_LOG}'`));
});

for (const f of readdirSync(configs).filter((n) => n.endsWith('.json'))) {
  test(`hook-main precreate with an empty environment prints ${f} unchanged (rootfs absent here)`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-main-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const input = readFileSync(join(configs, f));
    const r = spawnSync(process.execPath, [defaultHookScript(), 'precreate', '--state', join(dir, 'none.json'), '--log', join(dir, 'hook.log')], { input, env: {} });
    assert.equal(r.status, 0);
    assert.ok(r.stdout.equals(input));
    assert.match(readFileSync(join(dir, 'hook.log'), 'utf8'), /unchanged: architecture unknown/);
  });
}

test('hook-main createRuntime survives garbage and prints nothing', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-main-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [defaultHookScript(), 'createRuntime', '--log', join(dir, 'hook.log')], { input: 'garbage', env: {} });
  assert.equal(r.status, 0);
  assert.equal(r.stdout.length, 0);
});
