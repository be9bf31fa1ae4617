"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod lock` as a user runs it: the real CLI against loopback mirrors.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const zod_1 = require("zod");
const lock_js_1 = require("../../../src/builder/lock/lock.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const exec = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpmsign'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('zstd'), (0, integration_js_1.onPath)('xz'), (0, integration_js_1.onPath)('bzip2'), (0, integration_js_1.onPath)('gpg'), (0, integration_js_1.fileExists)('/usr/bin/python3'));
const work = (0, test_repo_js_1.tempDir)('lock-it');
let repo;
let mirrors;
(0, node_test_1.before)(async () => {
    if (req.skip)
        return;
    repo = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'repo'), { compression: 'zst' });
    mirrors = await (0, test_repo_js_1.serveMirrors)(repo.dir, 2);
});
(0, node_test_1.after)(async () => {
    await mirrors?.close();
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
});
async function fexpod(...args) {
    try {
        const r = await exec(process.execPath, [(0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js'), ...args], { env: { ...process.env, FEXPOD_DEBUG: '' } });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
    }
    catch (err) {
        const e = err;
        return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
}
function writeDef(dir, packages, repoLine) {
    (0, node_fs_1.mkdirSync)(dir, { recursive: true });
    const f = (0, node_path_1.join)(dir, 'img.toml');
    (0, node_fs_1.writeFileSync)(f, `name = "img"\nrelease = 29\narches = ["x86_64", "i686"]\npackages = ${JSON.stringify(packages)}\n[repos.fedora]\n${repoLine}\ngpgkey = ["file://${repo.keyFile}"]\n`);
    return f;
}
(0, node_test_1.test)('fexpod lock writes a deterministic lock; --json prints exactly one document', req, async () => {
    const dir = (0, node_path_1.join)(work, 'a');
    const def = writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem'], `metalink = "${mirrors.metalinkUrl}"`);
    const r = await fexpod('lock', def, '--json', '--cache-dir', (0, node_path_1.join)(dir, 'cache'));
    strict_1.default.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    strict_1.default.ok(typeof doc === 'object' && doc !== null && 'packages' in doc);
    const lockText = (0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'img.lock.json'), 'utf8');
    const lock = (0, lock_js_1.parseLock)('img.lock.json', lockText);
    strict_1.default.equal(lock.schemaVersion, 1);
    strict_1.default.equal(lock.packages.length, 8);
    const glibc = lock.packages.find((p) => p.name === 'glibc' && p.arch === 'i686');
    strict_1.default.deepEqual(Object.keys(glibc).sort(), ['arch', 'epoch', 'location', 'name', 'release', 'repo', 'sha256', 'size', 'sourcerpm', 'version']);
    strict_1.default.equal(glibc.sourcerpm, 'glibc-2.28-9.fc29.src.rpm');
    strict_1.default.equal(lock.repos[0]?.repomd, `sha256:${repo.repomdSha256}`);
    // Same inputs, same bytes.
    const r2 = await fexpod('lock', def, '--output', (0, node_path_1.join)(dir, 'again.json'), '--cache-dir', (0, node_path_1.join)(dir, 'cache'));
    strict_1.default.equal(r2.code, 0, r2.stderr);
    strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'again.json'), 'utf8'), lockText);
});
(0, node_test_1.test)('--repo overrides a repository from the command line (same lock, local mirror)', req, async () => {
    const dir = (0, node_path_1.join)(work, 'b');
    const def = writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem'], 'metalink = "https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch"');
    const r = await fexpod('lock', def, '--repo', `fedora=${mirrors.mirrorUrl(1)}`, '--cache-dir', (0, node_path_1.join)(dir, 'cache'), '--fetch');
    strict_1.default.equal(r.code, 0, r.stderr);
    strict_1.default.match(r.stderr, /fetched and verified 8 packages/);
    const lock = (0, lock_js_1.parseLock)('l', (0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'img.lock.json'), 'utf8'));
    strict_1.default.deepEqual(lock.repos[0]?.baseurls, [mirrors.mirrorUrl(1)]);
});
(0, node_test_1.test)('--fetch --json: one JSON document on stdout, progress events as JSON lines on stderr', req, async () => {
    const dir = (0, node_path_1.join)(work, 'j');
    const def = writeDef(dir, ['setup'], `metalink = "${mirrors.metalinkUrl}"`);
    const r = await fexpod('lock', def, '--fetch', '--json', '--cache-dir', (0, node_path_1.join)(dir, 'cache'));
    strict_1.default.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    strict_1.default.ok(typeof doc === 'object' && doc !== null && 'fetched' in doc && doc.fetched === 1);
    const eventSchema = zod_1.z.object({ event: zod_1.z.string(), what: zod_1.z.string() });
    const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => eventSchema.parse(JSON.parse(l)));
    strict_1.default.ok(events.some((e) => e.event === 'done' && /^setup-/.test(e.what)), r.stderr);
});
(0, node_test_1.test)('--locked refuses to re-resolve a lock made for another version of the definition', req, async () => {
    const dir = (0, node_path_1.join)(work, 'c');
    const def = writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem'], `metalink = "${mirrors.metalinkUrl}"`);
    strict_1.default.equal((await fexpod('lock', def, '--cache-dir', (0, node_path_1.join)(dir, 'cache'))).code, 0);
    const ok = await fexpod('lock', def, '--locked', '--fetch', '--cache-dir', (0, node_path_1.join)(dir, 'cache'));
    strict_1.default.equal(ok.code, 0, ok.stderr);
    writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem', 'flac'], `metalink = "${mirrors.metalinkUrl}"`);
    const stale = await fexpod('lock', def, '--locked', '--cache-dir', (0, node_path_1.join)(dir, 'cache'));
    strict_1.default.equal(stale.code, 3);
    strict_1.default.match(stale.stderr, /--locked refuses to re-resolve/);
    strict_1.default.match(stale.stderr, /fix: run "fexpod lock/);
});
// Broken input gives one clear message, never a stack trace.
const broken = [
    { name: 'a definition with a typo', setup: (dir) => { (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'img.toml'), 'name = "img"\nrelease = 29\npackages = ["glibc"]\narchs = ["x86_64"]\n'); }, code: 2, msg: /img\.toml: unknown key "archs"/ },
    { name: 'an unresolvable package', setup: (dir) => { writeDef(dir, ['glibc-devel'], `metalink = "${mirrors.metalinkUrl}"`); }, code: 3, msg: /nothing provides libgcc\(x86-64\) \(required by glibc-devel-2\.28-9\.fc29\.x86_64\)/ },
    {
        name: "createrepo_c's malformed primary.xml (error_00) on a mirror",
        setup: (dir) => {
            const r = (0, node_path_1.join)(dir, 'bad-repo');
            (0, node_fs_1.cpSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'repo_01'), r, { recursive: true });
            // Replace primary with the malformed fixture and fix up repomd.xml so only the content is wrong.
            const primary = (0, node_fs_1.readdirSync)((0, node_path_1.join)(r, 'repodata')).find((f) => f.includes('primary'));
            const fixture = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'modified_repo_files', 'error_00-primary.xml'));
            const gz = (0, node_child_process_1.execFileSync)('gzip', ['-n', '-c'], { input: fixture });
            let repomd = (0, node_fs_1.readFileSync)((0, node_path_1.join)(r, 'repodata', 'repomd.xml'), 'utf8');
            const oldSum = /<data type="primary">\s*<checksum type="sha256">([0-9a-f]+)</.exec(repomd)[1];
            const oldOpen = /<data type="primary">[\s\S]*?<open-checksum type="sha256">([0-9a-f]+)</.exec(repomd)[1];
            repomd = repomd.replace(oldSum, (0, node_crypto_1.createHash)('sha256').update(gz).digest('hex')).replace(oldOpen, (0, node_crypto_1.createHash)('sha256').update(fixture).digest('hex'));
            repomd = repomd.replace(/(<data type="primary">[\s\S]*?<size>)\d+/, `$1${gz.length}`);
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(r, 'repodata', primary), gz);
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(r, 'repodata', 'repomd.xml'), repomd);
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'img.toml'), `name = "img"\nrelease = 29\npackages = ["fake_bash"]\n[repos.bad]\nbaseurl = "file://${r}/"\ngpgcheck = false\n`);
        },
        code: 1,
        msg: /primary metadata: <package> at line 3 \(fake_bash\) has no <checksum>/,
    },
    {
        name: "createrepo_c's repo_01 as shipped (its primary.xml.gz does not hash to repomd.xml's checksum)",
        setup: (dir) => {
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'img.toml'), `name = "img"\nrelease = 29\npackages = ["fake_bash"]\n[repos.bad]\nbaseurl = "file://${(0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'repo_01')}/"\ngpgcheck = false\n`);
        },
        code: 1,
        msg: /primary metadata: every mirror failed:[\s\S]*wrong bytes: sha256 is/,
    },
    {
        name: "createrepo_c's repomd.xml without a data type",
        setup: (dir) => {
            const r = (0, node_path_1.join)(dir, 'bad-repo2');
            (0, node_fs_1.cpSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'repo_01'), r, { recursive: true });
            (0, node_fs_1.cpSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'modified_repo_files', 'missing_type-repomd.xml'), (0, node_path_1.join)(r, 'repodata', 'repomd.xml'));
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'img.toml'), `name = "img"\nrelease = 29\npackages = ["fake_bash"]\n[repos.bad]\nbaseurl = "file://${r}/"\ngpgcheck = false\n`);
        },
        code: 1,
        msg: /repomd\.xml is malformed: <data> at line \d+ has no type attribute/,
    },
];
for (const c of broken) {
    (0, node_test_1.test)(`${c.name}: a clear error, no stack trace`, req, async () => {
        const dir = (0, node_path_1.join)(work, `broken-${broken.indexOf(c)}`);
        (0, node_fs_1.mkdirSync)(dir, { recursive: true });
        c.setup(dir);
        const r = await fexpod('lock', (0, node_path_1.join)(dir, 'img.toml'), '--cache-dir', (0, node_path_1.join)(dir, 'cache'));
        strict_1.default.equal(r.code, c.code, r.stderr);
        strict_1.default.match(r.stderr, /^fexpod: error: /m);
        strict_1.default.match(r.stderr, c.msg);
        strict_1.default.match(r.stderr, /fix: /);
        strict_1.default.doesNotMatch(r.stderr, /^\s+at /m);
        strict_1.default.equal(r.stdout, '');
    });
}
