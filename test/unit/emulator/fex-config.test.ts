import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/common/errors.js';
import { setFexRootFS, withRootFS } from '../../../src/emulator/fex-config.js';

const cases: { name: string; text: string | undefined; want?: unknown; error?: RegExp }[] = [
  { name: 'new file', text: undefined, want: { Config: { RootFS: '/r' } } },
  { name: 'empty file', text: '', want: { Config: { RootFS: '/r' } } },
  {
    name: 'every other key kept, RootFS replaced',
    text: '{"Config":{"RootFS":"Fedora_42","TSOEnabled":"1"},"ThunksDB":{"GL":1}}',
    want: { Config: { RootFS: '/r', TSOEnabled: '1' }, ThunksDB: { GL: 1 } },
  },
  { name: 'not JSON', text: '{"Config":', error: /not valid JSON/ },
  { name: 'not an object', text: '[]', error: /must be a JSON object/ },
  { name: 'Config not an object', text: '{"Config":"x"}', error: /Config: must be an object/ },
];
for (const c of cases) {
  test(`fex config: ${c.name}`, () => {
    if (c.error) {
      assert.throws(() => withRootFS('/etc/Config.json', c.text, '/r'), (e: unknown) => e instanceof ConfigError && c.error!.test(e.message) && e.message.startsWith('/etc/Config.json'));
      return;
    }
    assert.deepEqual(JSON.parse(withRootFS('/etc/Config.json', c.text, '/r')), c.want);
  });
}

test('fex config: setFexRootFS writes the file and reports the RootFS it replaced', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fex-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'fex-emu', 'Config.json');
  assert.equal(setFexRootFS(file, '/a'), undefined);
  assert.equal(setFexRootFS(file, '/b'), '/a');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { Config: { RootFS: '/b' } });
  writeFileSync(file, 'garbage');
  assert.throws(() => setFexRootFS(file, '/c'), ConfigError);
  assert.equal(readFileSync(file, 'utf8'), 'garbage', 'a file it cannot read is left as it was');
});
