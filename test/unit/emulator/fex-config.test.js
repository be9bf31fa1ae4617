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
const errors_js_1 = require("../../../src/common/errors.js");
const fex_config_js_1 = require("../../../src/emulator/fex-config.js");
const cases = [
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
    (0, node_test_1.test)(`fex config: ${c.name}`, () => {
        if (c.error) {
            strict_1.default.throws(() => (0, fex_config_js_1.withRootFS)('/etc/Config.json', c.text, '/r'), (e) => e instanceof errors_js_1.ConfigError && c.error.test(e.message) && e.message.startsWith('/etc/Config.json'));
            return;
        }
        strict_1.default.deepEqual(JSON.parse((0, fex_config_js_1.withRootFS)('/etc/Config.json', c.text, '/r')), c.want);
    });
}
(0, node_test_1.test)('fex config: setFexRootFS writes the file and reports the RootFS it replaced', (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fex-config-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const file = (0, node_path_1.join)(dir, 'fex-emu', 'Config.json');
    strict_1.default.equal((0, fex_config_js_1.setFexRootFS)(file, '/a'), undefined);
    strict_1.default.equal((0, fex_config_js_1.setFexRootFS)(file, '/b'), '/a');
    strict_1.default.deepEqual(JSON.parse((0, node_fs_1.readFileSync)(file, 'utf8')), { Config: { RootFS: '/b' } });
    (0, node_fs_1.writeFileSync)(file, 'garbage');
    strict_1.default.throws(() => (0, fex_config_js_1.setFexRootFS)(file, '/c'), errors_js_1.ConfigError);
    strict_1.default.equal((0, node_fs_1.readFileSync)(file, 'utf8'), 'garbage', 'a file it cannot read is left as it was');
});
