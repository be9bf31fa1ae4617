"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.dropTo = dropTo;
exports.cliPathForUser = cliPathForUser;
/**
 * The CLI as another user can run it. A checkout under a private directory (a fresh clone in
 * `mktemp -d`, a 0700 home) is out of that user's reach: then what the CLI needs at run time is
 * hard-linked (copied across filesystems) into a world-readable temp dir, once per process.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const integration_js_1 = require("./integration.js");
/** setpriv arguments that drop to `uid` (same gid) with no groups and no capabilities. */
function dropTo(uid) {
    return ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all'];
}
const RUNTIME_PARTS = ['package.json', 'dist/src', 'node_modules', 'images', 'src/builder/solv'];
let staged;
function cliPathForUser(uid) {
    const cli = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
    const [cmd = 'setpriv', ...args] = dropTo(uid);
    if ((0, node_child_process_1.spawnSync)(cmd, [...args, 'test', '-r', cli]).status === 0)
        return cli;
    if (!staged) {
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-cli-'));
        (0, node_fs_1.chmodSync)(dir, 0o755);
        for (const part of RUNTIME_PARTS) {
            const from = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), part);
            const to = (0, node_path_1.join)(dir, part);
            (0, node_child_process_1.execFileSync)('mkdir', ['-p', (0, node_path_1.join)(to, '..')]);
            try {
                (0, node_child_process_1.execFileSync)('cp', ['-al', from, to]);
            }
            catch {
                (0, node_fs_1.cpSync)(from, to, { recursive: true });
            }
        }
        process.once('exit', () => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
        staged = dir;
    }
    return (0, node_path_1.join)(staged, 'dist', 'src', 'cli.js');
}
