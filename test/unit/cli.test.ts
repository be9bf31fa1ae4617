import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import { COMMANDS } from '../../src/commands.js';
import type { CliContext } from '../../src/common/command.js';

function ctx(): CliContext & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return {
    argv: [],
    env: {},
    cwd: process.cwd(),
    stdout,
    stderr,
    stdin: new PassThrough(),
    interactive: false,
    out: () => out,
    err: () => err,
  };
}

test('--help lists every command', async () => {
  const c = ctx();
  assert.equal(await main(['--help'], c), 0);
  for (const cmd of COMMANDS) assert.match(c.out(), new RegExp(`\\b${cmd.name}\\b`));
});

test('unknown command exits 2 with usage on stderr', async () => {
  const c = ctx();
  assert.equal(await main(['frobnicate'], c), 2);
  assert.match(c.err(), /unknown command "frobnicate"/);
  assert.equal(c.out(), '');
});
