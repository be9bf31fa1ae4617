"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Runs the real `fexpod doctor --json` on this host, as root and as an
 * unprivileged user (uid 65534 via setpriv), and checks the documents.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_os_1 = require("node:os");
const integration_js_1 = require("../../helpers/integration.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('setpriv'), (0, integration_js_1.fileExists)('/proc/sys/fs/binfmt_misc/register'));
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
function runDoctor(cli, asNobody, extra = []) {
    const argv = [process.execPath, cli, 'doctor', '--json', ...extra];
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: asNobody ? '/nonexistent' : (process.env['HOME'] ?? '/root') };
    const r = asNobody
        ? (0, node_child_process_1.spawnSync)('setpriv', [...NOBODY, ...argv], { encoding: 'utf8', env, timeout: 60_000 })
        : (0, node_child_process_1.spawnSync)(argv[0] ?? 'node', argv.slice(1), { encoding: 'utf8', env, timeout: 60_000 });
    let doc;
    strict_1.default.doesNotThrow(() => (doc = JSON.parse(r.stdout)), `stdout is not one JSON document:\n${r.stdout}\n${r.stderr}`);
    strict_1.default.ok(typeof doc === 'object' && doc !== null);
    return { code: r.status, doc: doc, stderr: r.stderr };
}
/** The CLI at a path uid 65534 can read (a hard-linked copy when the checkout is private). */
function cliForNobody() {
    const cli = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
    const probe = (0, node_child_process_1.spawnSync)('setpriv', [...NOBODY, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(cli)})`]);
    if (probe.status === 0)
        return { cli, cleanup: () => { } };
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-doctor-cli-'));
    (0, node_fs_1.chmodSync)(dir, 0o755);
    for (const p of ['package.json', 'dist/src', 'node_modules']) {
        try {
            (0, node_child_process_1.execFileSync)('cp', ['-al', (0, node_path_1.join)((0, integration_js_1.repoRoot)(), p), (0, node_path_1.join)(dir, p)]);
        }
        catch {
            (0, node_fs_1.cpSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), p), (0, node_path_1.join)(dir, p), { recursive: true });
        }
    }
    return { cli: (0, node_path_1.join)(dir, 'dist', 'src', 'cli.js'), cleanup: () => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }) };
}
const KEYS = ['hostArch', 'pageSize', 'kernel', 'binfmt', 'emulators', 'routes', 'conflicts', 'advice', 'healthy'];
(0, node_test_1.test)('doctor --json as root: one valid document with every section; exit code follows "healthy"', req, () => {
    const r = runDoctor((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js'), false);
    for (const k of KEYS)
        strict_1.default.ok(k in r.doc, `missing ${k}`);
    strict_1.default.equal(r.doc['hostArch'], process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : r.doc['hostArch']);
    const binfmt = r.doc['binfmt'];
    strict_1.default.equal(binfmt.mounted, true);
    strict_1.default.equal(binfmt.writable, true);
    strict_1.default.equal(r.code, r.doc['healthy'] === true ? 0 : 1);
    const pageSize = r.doc['pageSize'];
    strict_1.default.equal(pageSize.source, 'auxv');
    strict_1.default.equal(pageSize.bytes, Number((0, node_child_process_1.execFileSync)('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
});
(0, node_test_1.test)('doctor --json as uid 65534: explains that binfmt_misc is not writable and what to do', req, () => {
    const { cli, cleanup } = cliForNobody();
    try {
        const r = runDoctor(cli, true);
        for (const k of KEYS)
            strict_1.default.ok(k in r.doc, `missing ${k}`);
        strict_1.default.equal(r.doc['rootless'], true);
        const binfmt = r.doc['binfmt'];
        strict_1.default.equal(binfmt.writable, false);
        const advice = r.doc['advice'];
        const a = advice.find((x) => /binfmt_misc is not writable as uid 65534/.test(x.problem));
        strict_1.default.ok(a, JSON.stringify(advice, null, 2));
        strict_1.default.match(a.fix, /sudo fexpod binfmt install/);
        strict_1.default.equal(r.code, r.doc['healthy'] === true ? 0 : 1);
    }
    finally {
        cleanup();
    }
});
(0, node_test_1.test)('doctor (text) as root prints a verdict and no JSON', req, () => {
    const r = (0, node_child_process_1.spawnSync)(process.execPath, [(0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js'), 'doctor'], { encoding: 'utf8', timeout: 60_000 });
    strict_1.default.match(r.stdout, /^verdict: /m);
    strict_1.default.match(r.stdout, /^binfmt_misc {3}mounted yes/m);
});
