import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { main } from '../../../src/cli.js';
import type { CliContext } from '../../../src/common/command.js';

function ctx(argv: string[]): CliContext & { out: () => string } {
  let out = '';
  const stdout = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
  const stderr = new Writable({ write: (_c, _e, cb) => cb() });
  return { argv, env: { PATH: process.env['PATH'] }, cwd: process.cwd(), stdout, stderr, stdin: process.stdin, interactive: false, out: () => out };
}

test('binfmt --help teaches usage, options and examples', async () => {
  const c = ctx(['binfmt', '--help']);
  assert.equal(await main(c.argv, c), 0);
  for (const s of ['Usage:', '--guest ARCH', '--persist', 'Examples:', 'uninstall']) assert.ok(c.out().includes(s), s);
});

const BAD = [
  { argv: ['binfmt', 'frobnicate'], msg: /unknown subcommand/ },
  { argv: ['binfmt', 'install', '--guest', 'sparc'], msg: /unknown architecture/ },
  { argv: ['binfmt', 'install', '--emulator', 'wine'], msg: /--emulator wine: unknown/ },
  { argv: ['binfmt', 'install', '--persist-dir', '/tmp/x'], msg: /needs --persist/ },
  { argv: ['binfmt', 'uninstall', '--emulator', 'fex'], msg: /uninstall takes only/ },
];
for (const b of BAD) {
  test(`binfmt ${b.argv.slice(1).join(' ')} is a usage error`, async () => {
    const c = ctx(b.argv);
    await assert.rejects(main(c.argv, c), (err: { exitCode?: number; message?: string }) => err.exitCode === 2 && b.msg.test(err.message ?? ''));
  });
}

test('binfmt status --json prints one JSON document (read-only, real /proc)', async () => {
  const c = ctx(['binfmt', 'status', '--json', '--state-dir', '/nonexistent/fexpod']);
  assert.equal(await main(c.argv, c), 0);
  const doc = JSON.parse(c.out());
  assert.equal(typeof doc.mounted, 'boolean');
  assert.ok(Array.isArray(doc.entries));
});
