"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const hook_log_js_1 = require("../../../src/runtime-hook/hook/hook-log.js");
const hook_command_js_1 = require("../../../src/runtime-hook/install/hook-command.js");
const integration_js_1 = require("../../helpers/integration.js");
const configs = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'podman-configs');
(0, node_test_1.test)('hook-main repeats the defaults of install-state.ts and hook-log.ts', () => {
    const text = (0, node_fs_1.readFileSync)((0, hook_command_js_1.defaultHookScript)(), 'utf8');
    strict_1.default.ok(text.includes(`'${install_state_js_1.DEFAULT_STATE_DIR}/${install_state_js_1.STATE_FILE_NAME}'`));
    strict_1.default.ok(text.includes(`'${hook_log_js_1.DEFAULT_HOOK_LOG}'`));
});
for (const f of (0, node_fs_1.readdirSync)(configs).filter((n) => n.endsWith('.json'))) {
    (0, node_test_1.test)(`hook-main precreate with an empty environment prints ${f} unchanged (rootfs absent here)`, (t) => {
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-main-'));
        t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
        const input = (0, node_fs_1.readFileSync)((0, node_path_1.join)(configs, f));
        const r = (0, node_child_process_1.spawnSync)(process.execPath, [(0, hook_command_js_1.defaultHookScript)(), 'precreate', '--state', (0, node_path_1.join)(dir, 'none.json'), '--log', (0, node_path_1.join)(dir, 'hook.log')], { input, env: {} });
        strict_1.default.equal(r.status, 0);
        strict_1.default.ok(r.stdout.equals(input));
        strict_1.default.match((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'hook.log'), 'utf8'), /unchanged: architecture unknown/);
    });
}
(0, node_test_1.test)('hook-main createRuntime survives garbage and prints nothing', (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-main-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const r = (0, node_child_process_1.spawnSync)(process.execPath, [(0, hook_command_js_1.defaultHookScript)(), 'createRuntime', '--log', (0, node_path_1.join)(dir, 'hook.log')], { input: 'garbage', env: {} });
    strict_1.default.equal(r.status, 0);
    strict_1.default.equal(r.stdout.length, 0);
});
