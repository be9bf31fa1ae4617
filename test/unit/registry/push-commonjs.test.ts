/**
 * `fexpod push` runs from its CommonJS build (dist/cjs/, tsconfig.cjs.json):
 * the CLI entry is ES modules, so the errors push throws are of the other
 * copy's classes. The CLI must still print their fix and use their exit code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { formatError } from '../../../src/cli.js';
import { COMMANDS } from '../../../src/commands.js';
import { FexpodError, isFexpodError } from '../../../src/common/errors.js';
import { repoRoot } from '../../helpers/integration.js';
import { runCli } from '../../helpers/cli-capture.js';

const require = createRequire(import.meta.url);
const cjsCommand = join(repoRoot(), 'dist', 'cjs', 'publish', 'push-command.js');

test('the push command is loaded from the CommonJS build', async () => {
  const entry = COMMANDS.find((c) => c.name === 'push');
  assert.ok(entry);
  const { command } = await entry.load();
  assert.equal(command, (require(cjsCommand) as { command: unknown }).command, 'the same object the CommonJS module exports');
  assert.ok(require.cache[cjsCommand], 'dist/cjs/publish/push-command.js was required');
});

test("push's errors (CommonJS copy) keep their exit code and fix through the ES-module CLI", async () => {
  const { command } = (await COMMANDS.find((c) => c.name === 'push')?.load()) ?? {};
  assert.ok(command);
  const err = await command.run(['only-one-argument'], { argv: [], env: {}, cwd: '/', stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, interactive: false }).then(
    () => assert.fail('push with one argument must fail'),
    (e: unknown) => e,
  );
  assert.equal(err instanceof FexpodError, false, 'another copy of the class');
  assert.ok(isFexpodError(err));
  assert.equal(err.exitCode, 2);
  assert.match(formatError(err, false), /^fexpod: error: push: give one or more sources and a destination reference\n {2}fix: fexpod push out\/NAME\.oci/);
  assert.equal(isFexpodError(new Error('plain')), false);
  assert.equal(isFexpodError({ exitCode: 2, fix: 'look-alike' }), false);
});

test("push --help through the CLI (the CommonJS command's help text)", async () => {
  const r = await runCli(['push', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^fexpod push — publish OCI images/);
});
