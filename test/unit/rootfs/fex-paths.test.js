"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const fex_paths_js_1 = require("../../../src/rootfs/fex-paths.js");
const fex_config_js_1 = require("../../../src/rootfs/fex-config.js");
const home = '/home/u';
const cases = [
    { name: 'system-wide', scope: 'system', env: {}, exists: [], data: '/usr/share/fex-emu/', config: '/usr/share/fex-emu/Config.json' },
    { name: 'user, defaults', scope: 'user', env: {}, exists: [], data: '/home/u/.local/share/fex-emu/', config: '/home/u/.config/fex-emu/Config.json' },
    { name: 'user, XDG dirs', scope: 'user', env: { XDG_DATA_HOME: '/x/data', XDG_CONFIG_HOME: '/x/cfg' }, exists: [], data: '/x/data/fex-emu/', config: '/x/cfg/fex-emu/Config.json' },
    { name: 'user, FEX_APP_* verbatim beat XDG', scope: 'user', env: { FEX_APP_DATA_LOCATION: '/fex/data/', FEX_APP_CONFIG_LOCATION: '/fex/cfg/', XDG_DATA_HOME: '/x' }, exists: [], data: '/fex/data/', config: '/fex/cfg/Config.json' },
    { name: 'user, an existing ~/.fex-emu beats everything', scope: 'user', env: { FEX_APP_DATA_LOCATION: '/fex/data/', XDG_DATA_HOME: '/x' }, exists: ['/home/u/.fex-emu/'], data: '/home/u/.fex-emu/', config: '/home/u/.fex-emu/Config.json' },
];
for (const c of cases) {
    (0, node_test_1.test)(`FEX directories (Source/Common/Config.cpp rules): ${c.name}`, () => {
        const e = { env: c.env, home, exists: (p) => c.exists.includes(p) };
        strict_1.default.equal((0, fex_paths_js_1.fexDataDir)(c.scope, e), c.data);
        strict_1.default.equal((0, fex_paths_js_1.fexConfigFile)(c.scope, e), c.config);
    });
}
(0, node_test_1.test)('install layout: RootFS/ for a RootFS, overlays/ for an overlay; records outside FEX dirs', () => {
    strict_1.default.equal((0, fex_paths_js_1.installDir)('/usr/share/fex-emu/', 'rootfs'), '/usr/share/fex-emu/RootFS');
    strict_1.default.equal((0, fex_paths_js_1.installDir)('/usr/share/fex-emu/', 'overlay'), '/usr/share/fex-emu/overlays');
    strict_1.default.equal((0, fex_paths_js_1.recordFile)('system', { env: {}, home }), '/var/lib/fexpod/rootfs/installed.json');
    strict_1.default.equal((0, fex_paths_js_1.recordFile)('user', { env: { XDG_STATE_HOME: '/s' }, home }), '/s/fexpod/rootfs-installed.json');
});
(0, node_test_1.test)('setFexRootfs keeps every other key and the file mode; refuses a broken file untouched', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fexcfg-'));
    try {
        const file = (0, node_path_1.join)(dir, 'Config.json');
        const before = { Config: { Multiblock: '1', RootFS: 'old.sqsh', ThunkConfig: 'thunks.json' }, ThunksDB: { GL: 1, Vulkan: 0 } };
        (0, node_fs_1.writeFileSync)(file, JSON.stringify(before));
        (0, node_fs_1.chmodSync)(file, 0o640);
        strict_1.default.deepEqual(await (0, fex_config_js_1.setFexRootfs)(file, 'default.erofs'), { previous: 'old.sqsh' });
        const after = JSON.parse((0, node_fs_1.readFileSync)(file, 'utf8'));
        strict_1.default.deepEqual(after, { Config: { Multiblock: '1', RootFS: 'default.erofs', ThunkConfig: 'thunks.json' }, ThunksDB: { GL: 1, Vulkan: 0 } });
        strict_1.default.deepEqual(Object.keys(after.Config), ['Multiblock', 'RootFS', 'ThunkConfig']);
        strict_1.default.equal((0, node_fs_1.statSync)(file).mode & 0o777, 0o640);
        for (const v of Object.values(after.Config))
            strict_1.default.equal(typeof v, 'string', 'FEX options are strings');
        const fresh = (0, node_path_1.join)(dir, 'new', 'Config.json');
        await (0, fex_config_js_1.setFexRootfs)(fresh, 'default.erofs');
        strict_1.default.deepEqual(JSON.parse((0, node_fs_1.readFileSync)(fresh, 'utf8')), { Config: { RootFS: 'default.erofs' } });
        (0, node_fs_1.writeFileSync)(file, '{"Config": {');
        await strict_1.default.rejects((0, fex_config_js_1.setFexRootfs)(file, 'x'), (err) => err.message.startsWith(`${file}: is not valid JSON`) && Boolean(err.fix));
        strict_1.default.equal((0, node_fs_1.readFileSync)(file, 'utf8'), '{"Config": {');
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(dir).sort(), ['Config.json', 'new']);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
