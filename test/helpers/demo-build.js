"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.cliPath = cliPath;
exports.demoSetup = demoSetup;
exports.runFexpod = runFexpod;
exports.parseBuildJson = parseBuildJson;
exports.tempDir = tempDir;
/**
 * Drives the real `fexpod build` CLI (dist/src/cli.js) on images/demo.toml
 * against the demo repository served over loopback HTTP: real lock (libsolv),
 * verified fetch (sha256 + OpenPGP), scriptless install, profile and outputs.
 *
 *   demoSetup()   builds the demo repo, serves it, writes a copy of demo.toml
 *                 whose gpgkey paths point at the repo's keys
 *   runFexpod()   runs the CLI asynchronously (the server lives in this process),
 *                 optionally as another user, with its own cwd, umask and TZ
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const cli_for_user_js_1 = require("./cli-for-user.js");
const integration_js_1 = require("./integration.js");
const demo_repo_js_1 = require("./demo-repo.js");
const test_repo_js_1 = require("./test-repo.js");
function cliPath() {
    return (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
}
async function demoSetup() {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-demo-'));
    (0, node_fs_1.chmodSync)(dir, 0o755);
    const repo = (0, demo_repo_js_1.makeDemoRepo)((0, node_path_1.join)(dir, 'repo'));
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(dir, 'keys'));
    const keys = repo.keyFiles.map((k) => {
        const dest = (0, node_path_1.join)(dir, 'keys', k.split('/').pop() ?? 'key');
        (0, node_fs_1.copyFileSync)(k, dest);
        return dest;
    });
    const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'images', 'demo.toml'), 'utf8').replace(/^gpgkey = .*$/m, `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`);
    const defFile = (0, node_path_1.join)(dir, 'demo.toml');
    (0, node_fs_1.writeFileSync)(defFile, text);
    const mirrors = await (0, test_repo_js_1.serveMirrors)(repo.dir, 1);
    return {
        dir,
        defFile,
        repoArg: `demo=${mirrors.mirrorUrl(0)}`,
        mirrors,
        close: async () => {
            await mirrors.close();
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        },
    };
}
/** Runs `node dist/src/cli.js ARGS` without blocking this process's event loop. */
function runFexpod(args, opts = {}) {
    const node = process.execPath;
    const inner = [node, opts.user === undefined ? cliPath() : (0, cli_for_user_js_1.cliPathForUser)(opts.user), ...args];
    const shell = `umask ${opts.umask ?? '022'} && exec "$@"`;
    const cmd = opts.user === undefined
        ? ['sh', '-c', shell, 'sh', ...inner]
        : [...(0, cli_for_user_js_1.dropTo)(opts.user), 'sh', '-c', shell, 'sh', ...inner];
    return new Promise((resolve, reject) => {
        (0, node_child_process_1.execFile)(cmd[0] ?? 'sh', cmd.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
            if (err)
                reject(new Error(`${args.join(' ')} failed: ${err.message}\n${stderr}`));
            else
                resolve({ stdout, stderr });
        });
    });
}
function parseBuildJson(stdout) {
    return JSON.parse(stdout);
}
function tempDir(prefix, mode = 0o700) {
    const d = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), `fexpod-${prefix}-`));
    (0, node_fs_1.chmodSync)(d, mode);
    return d;
}
