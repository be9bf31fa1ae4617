import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fexConfigFile, fexDataDir, installDir, recordFile } from '../../../src/rootfs/fex-paths.js';

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
