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
const log_js_1 = require("../../../src/common/log.js");
const hook_command_js_1 = require("../../../src/runtime-hook/install/hook-command.js");
const hook_files_js_1 = require("../../../src/runtime-hook/install/hook-files.js");
const hook_install_js_1 = require("../../../src/runtime-hook/install/hook-install.js");
function layoutIn(dir, baseConfs = []) {
    return {
        hooksDir: (0, node_path_1.join)(dir, 'fexpod', 'hooks.d'),
        confDir: (0, node_path_1.join)(dir, 'containers.conf.d'),
        buildHooksDir: (0, node_path_1.join)(dir, 'oci', 'hooks.d'),
        baseConfs,
        templates: (0, hook_command_js_1.defaultTemplatesDir)(),
    };
}
const paths = { node: process.execPath, hook: (0, hook_command_js_1.defaultHookScript)(), state: '/var/lib/fexpod/binfmt-state.json', log: '/var/log/fexpod/hook.log' };
(0, node_test_1.test)('hook install/status/uninstall round trip in temp dirs', (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-install-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const layout = layoutIn(dir);
    const f = (0, hook_command_js_1.hostHookFiles)();
    const log = (0, log_js_1.memoryLogger)();
    strict_1.default.equal((0, hook_install_js_1.hookStatus)(f, layout, '/nonexistent/state.json', log).installed, false);
    const r = (0, hook_install_js_1.installHook)(f, layout, paths, log);
    strict_1.default.equal(r.written.length, 3);
    const hook = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(layout.hooksDir, 'fexpod-precreate.json'), 'utf8'));
    strict_1.default.equal(hook.hook.path, process.execPath);
    strict_1.default.deepEqual(hook.hook.args.slice(1, 3), [(0, hook_command_js_1.defaultHookScript)(), 'precreate']);
    strict_1.default.deepEqual(hook.stages, ['precreate']);
    strict_1.default.deepEqual(hook.when, { always: true });
    const build = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(layout.buildHooksDir ?? '', 'fexpod-createruntime.json'), 'utf8'));
    strict_1.default.deepEqual(build.stages, ['createRuntime']);
    const dropIn = (0, node_fs_1.readFileSync)((0, node_path_1.join)(layout.confDir, '90-fexpod-hooks.conf'), 'utf8');
    strict_1.default.match(dropIn, new RegExp(`hooks_dir = \\["/usr/share/containers/oci/hooks.d", "${layout.hooksDir}"\\]`));
    const st = (0, hook_install_js_1.hookStatus)(f, layout, '/nonexistent/state.json', log);
    strict_1.default.equal(st.installed, true, st.problems.join('; '));
    // No temp files left behind by the atomic writes.
    strict_1.default.deepEqual((0, node_fs_1.readdirSync)(layout.hooksDir), ['fexpod-precreate.json']);
    const u = (0, hook_install_js_1.uninstallHook)(f, layout);
    strict_1.default.equal(u.removed.length, 3);
    strict_1.default.equal((0, hook_install_js_1.hookStatus)(f, layout, '/nonexistent/state.json', log).installed, false);
});
(0, node_test_1.test)('hook install keeps a hooks_dir configured before it and warns about one after it', (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-install-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const base = (0, node_path_1.join)(dir, 'containers.conf');
    (0, node_fs_1.writeFileSync)(base, '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/opt/nvidia/hooks.d"]\n');
    const layout = layoutIn(dir, [base]);
    (0, node_fs_1.mkdirSync)(layout.confDir, { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(layout.confDir, '50-other.conf'), '[engine]\nhooks_dir = ["/etc/other/hooks.d"]\n[containers]\nx = 1\n');
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(layout.confDir, '99-late.conf'), '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d"]\n');
    const r = (0, hook_install_js_1.installHook)((0, hook_command_js_1.hostHookFiles)(), layout, paths, (0, log_js_1.memoryLogger)());
    strict_1.default.deepEqual(r.hooksDirs, ['/etc/other/hooks.d', layout.hooksDir]);
    strict_1.default.equal(r.warnings.length, 1);
    strict_1.default.match(r.warnings[0] ?? '', /99-late.conf sets hooks_dir after/);
    const st = (0, hook_install_js_1.hookStatus)((0, hook_command_js_1.hostHookFiles)(), layout, '/nonexistent/state.json', (0, log_js_1.memoryLogger)());
    strict_1.default.equal(st.hooksDirInForce, false);
    strict_1.default.equal(st.installed, false);
});
(0, node_test_1.test)('uninstall keeps a file that is not ours', (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-install-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const layout = layoutIn(dir);
    (0, node_fs_1.mkdirSync)(layout.confDir, { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(layout.confDir, '90-fexpod-hooks.conf'), '[engine]\nhooks_dir = ["/x"]\n');
    const u = (0, hook_install_js_1.uninstallHook)((0, hook_command_js_1.hostHookFiles)(), layout);
    strict_1.default.deepEqual(u.kept, [(0, node_path_1.join)(layout.confDir, '90-fexpod-hooks.conf')]);
});
const bad = [
    { name: 'relative node', paths: { ...paths, node: 'node' }, re: /absolute/ },
    { name: 'relative state', paths: { ...paths, state: 'state.json' }, re: /absolute/ },
];
for (const b of bad) {
    (0, node_test_1.test)(`renderHook refuses a ${b.name}`, () => {
        const tpl = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, hook_command_js_1.defaultTemplatesDir)(), 'fexpod-precreate.json.in'), 'utf8');
        strict_1.default.throws(() => (0, hook_files_js_1.renderHook)(tpl, b.paths, 'precreate'), b.re);
    });
}
(0, node_test_1.test)('renderHook escapes paths into valid JSON', () => {
    const tpl = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, hook_command_js_1.defaultTemplatesDir)(), 'fexpod-precreate.json.in'), 'utf8');
    const out = (0, hook_files_js_1.renderHook)(tpl, { ...paths, hook: '/opt/we"ird/hook-main.js' }, 'precreate');
    strict_1.default.equal(JSON.parse(out).hook.args[1], '/opt/we"ird/hook-main.js');
});
(0, node_test_1.test)('checkHookJson rejects what Podman would reject', () => {
    strict_1.default.throws(() => (0, hook_files_js_1.checkHookJson)('{"version":"1.0.0","hook":{"path":"/n","args":[]},"when":{"always":true},"stages":["prestart"]}', 'precreate'), hook_files_js_1.TemplateError);
    strict_1.default.throws(() => (0, hook_files_js_1.checkHookJson)('{"version":"1.0.0","hook":{"path":"n"},"when":{"always":true},"stages":["precreate"]}', 'precreate'), /absolute/);
    strict_1.default.throws(() => (0, hook_files_js_1.checkHookJson)('{"version":"1.0.0","hook":{"path":"/n","args":["@HOOK@"]},"when":{"always":true},"stages":["precreate"]}', 'precreate'), /placeholder/);
    strict_1.default.throws(() => (0, hook_files_js_1.checkHookJson)('{', 'precreate'), /parse/);
});
(0, node_test_1.test)('hooksDirsWith: default dir when nothing set it, no duplicates', () => {
    strict_1.default.deepEqual((0, hook_files_js_1.hooksDirsWith)(undefined, '/etc/fexpod/hooks.d'), ['/usr/share/containers/oci/hooks.d', '/etc/fexpod/hooks.d']);
    strict_1.default.deepEqual((0, hook_files_js_1.hooksDirsWith)(['/a', '/etc/fexpod/hooks.d'], '/etc/fexpod/hooks.d'), ['/a', '/etc/fexpod/hooks.d']);
});
