import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/commands.js';
import { runCli } from '../helpers/cli-capture.js';

test('--help lists every command', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const cmd of COMMANDS) assert.match(r.stdout, new RegExp(`\\b${cmd.name}\\b`));
});

test('unknown command exits 2 with usage on stderr', async () => {
  const r = await runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.equal(r.stdout, '');
});
