"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod hook install|uninstall --user` in a temporary HOME: the layout under
 * the XDG directories, the drop-in keeping the hooks_dir in force before it
 * (including a root-installed fexpod hooks dir, whose hook ours masks by name),
 * and an uninstall that leaves the home exactly as it found it.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const user_dirs_js_1 = require("../../../src/common/user-dirs.js");
const hook_command_js_1 = require("../../../src/runtime-hook/install/hook-command.js");
const hook_files_js_1 = require("../../../src/runtime-hook/install/hook-files.js");
const hook_install_js_1 = require("../../../src/runtime-hook/install/hook-install.js");
const user_install_js_1 = require("../../../src/runtime-hook/install/user-install.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const treeListing = (dir) => (0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(dir));
const PODMAN_43 = { raw: '4.3.1', major: 4, minor: 3 };
(0, node_test_1.test)('userDirs: XDG variables win when absolute, HOME otherwise; no HOME is an error with a fix', () => {
    strict_1.default.deepEqual((0, user_dirs_js_1.userDirs)({ HOME: '/home/u/' }), { home: '/home/u', configHome: '/home/u/.config', dataHome: '/home/u/.local/share', stateHome: '/home/u/.local/state' });
    strict_1.default.deepEqual((0, user_dirs_js_1.userDirs)({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg', XDG_DATA_HOME: 'relative', XDG_STATE_HOME: '/st/' }), {
        home: '/home/u',
        configHome: '/cfg',
        dataHome: '/home/u/.local/share',
        stateHome: '/st',
    });
    strict_1.default.throws(() => (0, user_dirs_js_1.userDirs)({}), /HOME is not set/);
    strict_1.default.throws(() => (0, user_dirs_js_1.userDirs)({ HOME: 'x' }), /HOME is "x"/);
});
(0, node_test_1.test)('userLayout: everything under the home directory, Podman 4.3 rootless config chain before the user drop-ins', () => {
    const l = (0, user_install_js_1.userLayout)((0, user_dirs_js_1.userDirs)({ HOME: '/home/u' }), 1000, PODMAN_43, '/t');
    strict_1.default.equal(l.hook.hooksDir, '/home/u/.config/fexpod/hooks.d');
    strict_1.default.equal(l.hook.confDir, '/home/u/.config/containers/containers.conf.d');
    strict_1.default.equal(l.hook.buildHooksDir, undefined);
    strict_1.default.equal(l.hook.precreateTemplate, 'fexpod-precreate-user.json.in');
    strict_1.default.equal(l.stateFile, '/home/u/.local/share/fexpod/binfmt-state.json');
    strict_1.default.equal(l.log, '/home/u/.local/state/fexpod/hook.log');
    strict_1.default.deepEqual(l.hook.baseConfs, [
        '/usr/share/containers/containers.conf',
        '/etc/containers/containers.conf',
        '/etc/containers/containers.conf.d',
        '/home/u/.config/containers/containers.conf',
    ]);
    const l5 = (0, user_install_js_1.userLayout)((0, user_dirs_js_1.userDirs)({ HOME: '/home/u' }), 1000, { raw: '5.2.0', major: 5, minor: 2 }, '/t');
    strict_1.default.ok(l5.hook.baseConfs.includes('/etc/containers/containers.rootless.conf.d/1000/'), 'a drop-in dir without .d is marked with a slash');
});
(0, node_test_1.test)('install --user then uninstall --user: the hook, the drop-in, the record; the home is left as found', async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-user-install-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const home = (0, node_path_1.join)(dir, 'home');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.config'), { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(home, '.profile'), 'x\n');
    // Root installed fexpod's system hook: its drop-in is in force before ours.
    const etc = (0, node_path_1.join)(dir, 'etc-containers.conf.d');
    (0, node_fs_1.mkdirSync)(etc);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(etc, '90-fexpod-hooks.conf'), '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/etc/fexpod/hooks.d"]\n');
    const base = (0, user_install_js_1.userLayout)((0, user_dirs_js_1.userDirs)({ HOME: home }), 1000, PODMAN_43, (0, hook_command_js_1.defaultTemplatesDir)());
    const l = { ...base, hook: { ...base.hook, baseConfs: ['/nonexistent/containers.conf', etc] } };
    const before = treeListing(home);
    const f = (0, hook_command_js_1.hostHookFiles)();
    let staged = false;
    const r = await (0, user_install_js_1.installUserHook)(f, l, { node: process.execPath, hook: (0, hook_command_js_1.defaultHookScript)() }, async () => {
        staged = true;
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(l.stateDir, 'prefix', 'a'.repeat(64)), { recursive: true });
        (0, node_fs_1.writeFileSync)(l.stateFile, '{}');
    }, (0, log_js_1.memoryLogger)());
    strict_1.default.ok(staged);
    strict_1.default.deepEqual(r.hooksDirs, ['/usr/share/containers/oci/hooks.d', '/etc/fexpod/hooks.d', l.hook.hooksDir]);
    strict_1.default.deepEqual(r.createdDirs, [
        (0, node_path_1.join)(home, '.config', 'containers'),
        (0, node_path_1.join)(home, '.config', 'containers', 'containers.conf.d'),
        (0, node_path_1.join)(home, '.config', 'fexpod'),
        (0, node_path_1.join)(home, '.config', 'fexpod', 'hooks.d'),
        (0, node_path_1.join)(home, '.local'),
        (0, node_path_1.join)(home, '.local', 'share'),
        (0, node_path_1.join)(home, '.local', 'share', 'fexpod'),
        (0, node_path_1.join)(home, '.local', 'share', 'fexpod', 'prefix'),
        (0, node_path_1.join)(home, '.local', 'state'),
        (0, node_path_1.join)(home, '.local', 'state', 'fexpod'),
    ]);
    // Same file name as the system hook: Podman lets ours (later in hooks_dir) mask it.
    const hookText = (0, node_fs_1.readFileSync)((0, node_path_1.join)(l.hook.hooksDir, 'fexpod-precreate.json'), 'utf8');
    const hook = (0, hook_files_js_1.checkHookJson)(hookText, 'precreate');
    strict_1.default.deepEqual(hook.args.slice(2), ['precreate', '--private-binfmt', '--state', l.stateFile, '--log', l.log]);
    strict_1.default.equal((0, hook_install_js_1.hookStatus)(f, l.hook, l.stateFile, (0, log_js_1.memoryLogger)()).installed, true);
    // The hook logs once it ran.
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(home, '.local', 'state', 'fexpod'), { recursive: true });
    (0, node_fs_1.writeFileSync)(l.log, 'log\n');
    const u = await (0, user_install_js_1.uninstallUserHook)(f, l, async () => {
        (0, node_fs_1.rmSync)((0, node_path_1.join)(l.stateDir, 'prefix'), { recursive: true });
        (0, node_fs_1.rmSync)(l.stateFile);
        return [l.stateFile];
    });
    strict_1.default.ok(u.removed.includes((0, node_path_1.join)(l.hook.confDir, '90-fexpod-hooks.conf')));
    strict_1.default.ok(u.removed.includes(l.log));
    strict_1.default.deepEqual(u.kept, []);
    strict_1.default.deepEqual(treeListing(home), before);
});
(0, node_test_1.test)('uninstall --user keeps a drop-in or directory that is not ours', async (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-user-install-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const home = (0, node_path_1.join)(dir, 'home');
    const l = (0, user_install_js_1.userLayout)((0, user_dirs_js_1.userDirs)({ HOME: home }), 1000, PODMAN_43, (0, hook_command_js_1.defaultTemplatesDir)());
    (0, node_fs_1.mkdirSync)(l.hook.confDir, { recursive: true });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(l.hook.confDir, '90-fexpod-hooks.conf'), '[engine]\nhooks_dir = ["/x"]\n');
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(l.hook.confDir, '10-mine.conf'), '[engine]\n');
    const u = await (0, user_install_js_1.uninstallUserHook)((0, hook_command_js_1.hostHookFiles)(), l, async () => []);
    strict_1.default.deepEqual(u.kept, [(0, node_path_1.join)(l.hook.confDir, '90-fexpod-hooks.conf')]);
    strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(l.hook.confDir, '10-mine.conf'), 'utf8'), '[engine]\n');
});
