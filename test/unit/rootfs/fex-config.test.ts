import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/common/errors.js';
import { configuredRootfs, parseFexConfig, setFexRootfs, withRootfs } from '../../../src/rootfs/fex-config.js';

const cases: { name: string; text: string | undefined; want?: unknown; before?: string; error?: RegExp }[] = [
  { name: 'new file', text: undefined, want: { Config: { RootFS: '/r' } } },
  { name: 'empty file', text: '', want: { Config: { RootFS: '/r' } } },
  { name: 'no Config object yet', text: '{"ThunksDB":{}}', want: { ThunksDB: {}, Config: { RootFS: '/r' } } },
  {
    name: 'every other key kept, RootFS replaced',
    text: '{"Config":{"RootFS":"Fedora_42","TSOEnabled":"1"},"ThunksDB":{"GL":1}}',
    want: { Config: { RootFS: '/r', TSOEnabled: '1' }, ThunksDB: { GL: 1 } },
    before: 'Fedora_42',
  },
  { name: 'not JSON', text: '{"Config":', error: /: is not valid JSON/ },
  { name: 'not an object', text: '[]', error: /: must be a JSON object/ },
  { name: 'Config not an object', text: '{"Config":"x"}', error: /Config: must be an object/ },
];
for (const c of cases) {
  test(`FEX Config.json: ${c.name}`, () => {
    if (c.error) {
      assert.throws(() => parseFexConfig('/etc/Config.json', c.text), (e: unknown) => e instanceof ConfigError && c.error!.test(e.message) && e.message.startsWith('/etc/Config.json') && Boolean(e.fix));
      return;
    }
    const cfg = parseFexConfig('/etc/Config.json', c.text);
    assert.equal(configuredRootfs(cfg), c.before);
    assert.deepEqual(withRootfs(cfg, '/r'), c.want);
  });
}

test('setFexRootfs keeps every other key and the file mode; refuses a broken file untouched', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fexcfg-'));
  try {
    const file = join(dir, 'Config.json');
    const before = { Config: { Multiblock: '1', RootFS: 'old.sqsh', ThunkConfig: 'thunks.json' }, ThunksDB: { GL: 1, Vulkan: 0 } };
    writeFileSync(file, JSON.stringify(before));
    chmodSync(file, 0o640);
    assert.deepEqual(await setFexRootfs(file, 'default.erofs'), { previous: 'old.sqsh' });
    const after = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(after, { Config: { Multiblock: '1', RootFS: 'default.erofs', ThunkConfig: 'thunks.json' }, ThunksDB: { GL: 1, Vulkan: 0 } });
    assert.deepEqual(Object.keys(after.Config), ['Multiblock', 'RootFS', 'ThunkConfig']);
    assert.equal(statSync(file).mode & 0o777, 0o640);
    for (const v of Object.values(after.Config)) assert.equal(typeof v, 'string', 'FEX options are strings');
    const fresh = join(dir, 'new', 'fex-emu', 'Config.json');
    assert.deepEqual(await setFexRootfs(fresh, '/a'), {});
    assert.deepEqual(await setFexRootfs(fresh, '/b'), { previous: '/a' });
    assert.deepEqual(JSON.parse(readFileSync(fresh, 'utf8')), { Config: { RootFS: '/b' } });
    writeFileSync(file, '{"Config": {');
    await assert.rejects(setFexRootfs(file, 'x'), (err: Error & { fix?: string }) => err.message.startsWith(`${file}: is not valid JSON`) && Boolean(err.fix));
    assert.equal(readFileSync(file, 'utf8'), '{"Config": {', 'a file it cannot read is left as it was');
    assert.deepEqual(readdirSync(dir).sort(), ['Config.json', 'new']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
