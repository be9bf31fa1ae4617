import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fexConfigFile, fexDataDir, installDir, recordFile } from '../../../src/rootfs/fex-paths.js';
import { setFexRootfs } from '../../../src/rootfs/fex-config.js';

const home = '/home/u';
const cases = [
  { name: 'system-wide', scope: 'system' as const, env: {}, exists: [], data: '/usr/share/fex-emu/', config: '/usr/share/fex-emu/Config.json' },
  { name: 'user, defaults', scope: 'user' as const, env: {}, exists: [], data: '/home/u/.local/share/fex-emu/', config: '/home/u/.config/fex-emu/Config.json' },
  { name: 'user, XDG dirs', scope: 'user' as const, env: { XDG_DATA_HOME: '/x/data', XDG_CONFIG_HOME: '/x/cfg' }, exists: [], data: '/x/data/fex-emu/', config: '/x/cfg/fex-emu/Config.json' },
  { name: 'user, FEX_APP_* verbatim beat XDG', scope: 'user' as const, env: { FEX_APP_DATA_LOCATION: '/fex/data/', FEX_APP_CONFIG_LOCATION: '/fex/cfg/', XDG_DATA_HOME: '/x' }, exists: [], data: '/fex/data/', config: '/fex/cfg/Config.json' },
  { name: 'user, an existing ~/.fex-emu beats everything', scope: 'user' as const, env: { FEX_APP_DATA_LOCATION: '/fex/data/', XDG_DATA_HOME: '/x' }, exists: ['/home/u/.fex-emu/'], data: '/home/u/.fex-emu/', config: '/home/u/.fex-emu/Config.json' },
];
for (const c of cases) {
  test(`FEX directories (Source/Common/Config.cpp rules): ${c.name}`, () => {
    const e = { env: c.env, home, exists: (p: string) => (c.exists as string[]).includes(p) };
    assert.equal(fexDataDir(c.scope, e), c.data);
    assert.equal(fexConfigFile(c.scope, e), c.config);
  });
}

test('install layout: RootFS/ for a RootFS, overlays/ for an overlay; records outside FEX dirs', () => {
  assert.equal(installDir('/usr/share/fex-emu/', 'rootfs'), '/usr/share/fex-emu/RootFS');
  assert.equal(installDir('/usr/share/fex-emu/', 'overlay'), '/usr/share/fex-emu/overlays');
  assert.equal(recordFile('system', { env: {}, home }), '/var/lib/fexpod/rootfs/installed.json');
  assert.equal(recordFile('user', { env: { XDG_STATE_HOME: '/s' }, home }), '/s/fexpod/rootfs-installed.json');
});

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
    const fresh = join(dir, 'new', 'Config.json');
    await setFexRootfs(fresh, 'default.erofs');
    assert.deepEqual(JSON.parse(readFileSync(fresh, 'utf8')), { Config: { RootFS: 'default.erofs' } });
    writeFileSync(file, '{"Config": {');
    await assert.rejects(setFexRootfs(file, 'x'), (err: Error & { fix?: string }) => err.message.startsWith(`${file}: is not valid JSON`) && Boolean(err.fix));
    assert.equal(readFileSync(file, 'utf8'), '{"Config": {');
    assert.deepEqual(readdirSync(dir).sort(), ['Config.json', 'new']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
