import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/common/errors.js';
import { parseJournal } from '../../../src/setup/setup-journal.js';
import { execStart, planUnit, renderUnit, systemdArg } from '../../../src/setup/systemd-unit.js';
import { repoRoot } from '../../helpers/integration.js';

const TEMPLATE = readFileSync(join(repoRoot(), 'systemd', 'fexpod-binfmt.service.in'), 'utf8');

const quoting = [
  { arg: '/usr/bin/fexpod', out: '/usr/bin/fexpod' },
  { arg: '--state-dir', out: '--state-dir' },
  { arg: '/opt/my tools/cli.js', out: '"/opt/my tools/cli.js"' },
  { arg: '/opt/100%/cli.js', out: '/opt/100%%/cli.js' },
  { arg: '/opt/$HOME/x', out: '"/opt/$$HOME/x"' },
  { arg: 'say "hi"\\', out: '"say \\"hi\\"\\\\"' },
];
for (const c of quoting) {
  test(`ExecStart quoting: ${c.arg}`, () => assert.equal(systemdArg(c.arg), c.out));
}

test('ExecStart needs an absolute program', () => {
  assert.throws(() => execStart(['fexpod', 'binfmt', 'refresh']), /absolute/);
});

test('the rendered unit runs refresh after systemd-binfmt, restarts with it, and is wanted by it', () => {
  const text = renderUnit(TEMPLATE, { argv: ['/usr/bin/node', '/opt/fexpod/dist/src/cli.js', 'binfmt', 'refresh'], stateDir: '/var/lib/fexpod', stateFile: '/var/lib/fexpod/binfmt-state.json' });
  const keys = text.split('\n').filter((l) => /^[A-Z]\w+=/.test(l));
  for (const want of [
    'After=systemd-binfmt.service local-fs.target',
    'PartOf=systemd-binfmt.service',
    'WantedBy=systemd-binfmt.service',
    'ConditionPathExists=/var/lib/fexpod/binfmt-state.json',
    'RequiresMountsFor=/var/lib/fexpod',
    'Type=oneshot',
    'RemainAfterExit=yes',
    'ExecStart=/usr/bin/node /opt/fexpod/dist/src/cli.js binfmt refresh',
  ]) assert.ok(keys.includes(want), `${want} in\n${text}`);
  assert.doesNotMatch(text, /@[A-Z_]+@/);
});

test('a packaged unit is only enabled; otherwise the rendered one is written and enabled', () => {
  assert.deepEqual(planUnit({ vendorUnit: '/usr/lib/systemd/system/fexpod-binfmt.service', unitDir: '/etc/systemd/system', text: 'x' }), {
    write: undefined,
    wants: { path: '/etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service', target: '/usr/lib/systemd/system/fexpod-binfmt.service' },
  });
  assert.deepEqual(planUnit({ vendorUnit: undefined, unitDir: '/etc/systemd/system', text: 'x' }), {
    write: { path: '/etc/systemd/system/fexpod-binfmt.service', text: 'x' },
    wants: { path: '/etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service', target: '/etc/systemd/system/fexpod-binfmt.service' },
  });
});

const journals = [
  { name: 'not JSON', text: '{', key: '' },
  { name: 'a relative path', text: JSON.stringify({ version: 1, stateDir: 'var/lib/fexpod', binfmtBefore: { mounted: true, entries: [] }, files: [], createdDirs: [], createdTrees: [], systemd: false }), key: 'stateDir' },
  { name: 'a file state without its hash', text: JSON.stringify({ version: 1, stateDir: '/s', binfmtBefore: { mounted: true, entries: [] }, files: [{ path: '/etc/x', before: { kind: 'file', mode: 420, base64: '' } }], createdDirs: [], createdTrees: [], systemd: false }), key: 'files.0.before.sha256' },
];
for (const c of journals) {
  test(`a broken journal (${c.name}) names the file, the key and the fix`, () => {
    try {
      parseJournal(c.text, '/var/lib/fexpod/setup-journal.json');
      assert.fail('parsed');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^\/var\/lib\/fexpod\/setup-journal\.json: /);
      if (c.key) assert.ok(err.message.includes(`${c.key}:`), err.message);
      assert.match(err.fix ?? '', /binfmt uninstall/);
    }
  });
}
