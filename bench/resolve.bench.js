"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Resolve + download: `fexpod lock --fetch` against `dnf install --downloadonly` on the same
 * loopback repository (the corpus dnf-ci-fedora specs, x86_64 + i686, zst metadata), each with
 * a cold cache. Prints both medians and the ratio (fexpod / dnf; below 1 means fexpod is faster).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const test_repo_js_1 = require("../test/helpers/test-repo.js");
const integration_js_1 = require("../test/helpers/integration.js");
const PACKAGES = ['glibc', 'setup', 'filesystem', 'basesystem', 'flac', 'lame', 'http-parser', 'wget'];
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
function run(cmd, args) {
    return new Promise((resolve, reject) => {
        const t0 = process.hrtime.bigint();
        const c = (0, node_child_process_1.spawn)(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (d) => (err += d.toString()));
        c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`))));
    });
}
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}
const work = (0, test_repo_js_1.tempDir)('bench-resolve');
const repo = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'repo'), { compression: 'zst' });
const mirrors = await (0, test_repo_js_1.serveMirrors)(repo.dir, 1);
const base = mirrors.mirrorUrl(0);
const def = (0, node_path_1.join)(work, 'bench.toml');
(0, node_fs_1.writeFileSync)(def, `name = "bench"\nrelease = 29\narches = ["x86_64", "i686"]\npackages = ${JSON.stringify(PACKAGES)}\n[repos.fedora]\nbaseurl = "${base}"\ngpgkey = ["file://${repo.keyFile}"]\n`);
const ours = [];
const theirs = [];
let count = 0;
try {
    for (let i = 0; i < RUNS; i++) {
        const cache = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-cache-'));
        ours.push(await run(process.execPath, [(0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js'), 'lock', def, '--fetch', '--cache-dir', cache, '--output', (0, node_path_1.join)(cache, 'lock.json')]));
        count = (0, node_fs_1.readdirSync)((0, node_path_1.join)(cache, 'blobs', 'sha256')).length;
        (0, node_fs_1.rmSync)(cache, { recursive: true, force: true });
        const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-dnf-'));
        theirs.push(await run('dnf', [
            '-q', '--installroot', (0, node_path_1.join)(root, 'root'), '--releasever', '29', '--forcearch', 'x86_64',
            '--setopt=reposdir=/dev/null', `--setopt=cachedir=${(0, node_path_1.join)(root, 'cache')}`, '--setopt=gpgcheck=True',
            '--setopt=install_weak_deps=False', '--setopt=multilib_policy=all', '--noplugins',
            '--repofrompath', `t,${base}`, '--repo', 't', `--setopt=t.gpgkey=file://${repo.keyFile}`,
            'install', '--downloadonly', '--downloaddir', (0, node_path_1.join)(root, 'dl'), '-y', ...PACKAGES,
        ]));
        (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
    }
}
finally {
    await mirrors.close();
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
}
const a = median(ours);
const b = median(theirs);
process.stdout.write(`resolve + download (${PACKAGES.length} requested, cold cache, ${RUNS} runs, loopback HTTP; cache held ${count} blobs incl. metadata)\n` +
    `  fexpod lock --fetch (libsolv + verify): median ${a.toFixed(0)} ms\n` +
    `  dnf install --downloadonly:            median ${b.toFixed(0)} ms\n` +
    `  ratio fexpod/dnf: ${(a / b).toFixed(2)}\n` +
    `  (runs: fexpod ${ours.map((x) => x.toFixed(0)).join(" ")} ms; dnf ${theirs.map((x) => x.toFixed(0)).join(" ")} ms)\n`);
