"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The shipped Fedora definitions cannot be resolved here (no Fedora mirror), but everything up to
 * the solver can be run for real: `fexpod lock images/X.toml --repo fedora=… --repo updates=…`
 * against a loopback repository parses and checks the whole definition, applies both overrides,
 * syncs both repositories and hands libsolv the definition's package set, which then names the
 * Fedora packages the test repository lacks (exit 3, unresolvable) — not a definition error.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const exec = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpmsign'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('gpg'), (0, integration_js_1.fileExists)('/usr/bin/python3'));
const work = (0, test_repo_js_1.tempDir)('shipped-it');
let repoUrl = '';
(0, node_test_1.before)(() => {
    if (req.skip)
        return;
    repoUrl = `file://${(0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'repo'), { only: (n) => n.startsWith('glibc') || ['setup', 'filesystem', 'basesystem'].includes(n) }).dir}/`;
});
(0, node_test_1.after)(() => (0, node_fs_1.rmSync)(work, { recursive: true, force: true }));
const shipped = [
    { file: 'fex-rootfs-fedora.toml', missing: 'SDL3' },
    { file: 'thunks-sysroot-fedora.toml', missing: 'libstdc++-devel' },
    { file: 'mesa-overlay-fedora.toml', missing: 'mesa-dri-drivers' },
];
for (const c of shipped) {
    (0, node_test_1.test)(`images/${c.file} gets through every check to the solver with --repo overrides of both repositories`, req, async () => {
        const out = (0, node_path_1.join)(work, `${c.file}.lock.json`);
        const args = [(0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js'), 'lock', (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'images', c.file), '--repo', `fedora=${repoUrl}`, '--repo', `updates=${repoUrl}`, '-o', out, '--cache-dir', (0, node_path_1.join)(work, 'cache')];
        const r = await exec(process.execPath, args).then(() => ({ code: 0, stderr: '' }), (err) => ({ code: err.code ?? -1, stderr: err.stderr ?? '' }));
        strict_1.default.equal(r.code, 3, r.stderr);
        strict_1.default.match(r.stderr, /cannot resolve the package set \(repositories: fedora, updates\)/);
        strict_1.default.match(r.stderr, new RegExp(`no package provides ${c.missing.replace(/[+]/g, '\\+')} \\(requested in the definition\\)`));
        strict_1.default.ok(!(0, node_fs_1.existsSync)(out), 'no lock is written for an unresolvable definition');
    });
}
