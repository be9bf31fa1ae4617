"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Downloads against loopback mirrors with injected faults: 500s, truncated bodies, wrong bytes,
 * a stale metalink, a process killed midway; the cache never holds a bad entry.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const cache_js_1 = require("../../../src/builder/fetch/cache.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const package_fetch_js_1 = require("../../../src/builder/fetch/package-fetch.js");
const http_js_1 = require("../../../src/builder/fetch/http.js");
const lock_definition_js_1 = require("../../../src/builder/lock/lock-definition.js");
const lock_js_1 = require("../../../src/builder/lock/lock.js");
const rpm_signature_js_1 = require("../../../src/builder/rpm/rpm-signature.js");
const verify_js_1 = require("../../../src/builder/rpm/verify.js");
const solver_js_1 = require("../../../src/builder/lock/solver.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpmsign'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('zstd'), (0, integration_js_1.onPath)('xz'), (0, integration_js_1.onPath)('bzip2'), (0, integration_js_1.onPath)('gpg'), (0, integration_js_1.fileExists)('/usr/bin/python3'));
const PACKAGES = ['glibc', 'setup', 'filesystem', 'basesystem'];
let repo;
let mirrors;
let lock;
const work = (0, test_repo_js_1.tempDir)('fetch-it');
let n = 0;
const freshCache = () => (0, node_path_1.join)(work, `cache-${n++}`);
function defText(metalink, keyFile, packages = PACKAGES) {
    return `name = "t"\nrelease = 29\narches = ["x86_64", "i686"]\npackages = ${JSON.stringify(packages)}\n[repos.fedora]\nmetalink = "${metalink}"\ngpgkey = ["file://${keyFile}"]\n`;
}
const deps = (cacheDir) => ({ http: (0, http_js_1.nodeHttpClient)(), cache: new cache_js_1.BlobCache(cacheDir), log: log_js_1.silentLogger, runSolver: (0, solver_js_1.pythonSolverRunner)() });
async function keysOf(file) {
    return new Map([['fedora', await (0, rpm_signature_js_1.readKeys)([{ name: file, data: new Uint8Array((0, node_fs_1.readFileSync)(file)) }])]]);
}
/** Every cache entry's content hashes to its name. */
function assertCacheSound(cacheDir) {
    const dir = (0, node_path_1.join)(cacheDir, 'blobs', 'sha256');
    if (!(0, node_fs_1.existsSync)(dir))
        return 0;
    let count = 0;
    for (const f of (0, node_fs_1.readdirSync)(dir)) {
        if (f.startsWith('.partial-'))
            continue;
        strict_1.default.equal((0, node_crypto_1.createHash)('sha256').update((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, f))).digest('hex'), f, `cache entry ${f} is corrupt`);
        count++;
    }
    return count;
}
(0, node_test_1.before)(async () => {
    if (req.skip)
        return;
    repo = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'repo'), { compression: 'zst' });
    mirrors = await (0, test_repo_js_1.serveMirrors)(repo.dir, 2);
    lock = (await (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache()))).lock;
});
(0, node_test_1.after)(async () => {
    await mirrors?.close();
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
});
(0, node_test_1.beforeEach)(() => {
    mirrors?.faults.clear();
    if (mirrors) {
        mirrors.requests.length = 0;
        mirrors.metalinkHashes = [];
        mirrors.metalinkCurrentHash = undefined;
    }
});
(0, node_test_1.test)('fetches and verifies every locked package; a second run is all cache hits', req, async () => {
    const cacheDir = freshCache();
    const events = [];
    const keys = await keysOf(repo.keyFile);
    const paths = await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: (0, http_js_1.nodeHttpClient)(), keys, onEvent: (e) => events.push(e) });
    strict_1.default.equal(paths.size, lock.packages.length);
    strict_1.default.equal(events.filter((e) => e.type === 'done').length, lock.packages.length);
    strict_1.default.equal(assertCacheSound(cacheDir), lock.packages.length);
    const again = [];
    await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: (0, http_js_1.nodeHttpClient)(), keys, onEvent: (e) => again.push(e) });
    strict_1.default.deepEqual(new Set(again.map((e) => e.type)), new Set(['cached']));
});
const faults = [
    { name: 'HTTP 500', fault: { status: 500 } },
    { name: 'a truncated body', fault: { truncate: 0.5 } },
    { name: 'wrong bytes', fault: { corrupt: true } },
];
for (const c of faults) {
    (0, node_test_1.test)(`a mirror that returns ${c.name} is skipped for the next one`, req, async () => {
        const cacheDir = freshCache();
        mirrors.faults.set(0, [{ match: /^Packages\//, ...c.fault }]);
        const events = [];
        const paths = await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(repo.keyFile), onEvent: (e) => events.push(e) });
        strict_1.default.equal(paths.size, lock.packages.length);
        strict_1.default.ok(events.some((e) => e.type === 'retry'), 'some retry reported');
        strict_1.default.ok(mirrors.requests.some((r) => r.mirror === 1 && r.path.includes('/Packages/')), 'mirror 1 served packages');
        strict_1.default.equal(assertCacheSound(cacheDir), lock.packages.length);
    });
}
(0, node_test_1.test)('metadata: a mirror with a broken repomd.xml or wrong bytes is skipped', req, async () => {
    mirrors.faults.set(0, [{ match: /repomd\.xml$/, corrupt: true }, { match: /primary/, status: 500 }]);
    const res = await (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache()));
    strict_1.default.deepEqual(res.lock.packages, lock.packages);
    strict_1.default.ok(mirrors.requests.some((r) => r.mirror === 1 && r.path.endsWith('repomd.xml')));
});
(0, node_test_1.test)('metalink: a repomd.xml listed only as an alternate (mirrors lag) is accepted', req, async () => {
    mirrors.metalinkCurrentHash = 'f'.repeat(64);
    mirrors.metalinkHashes = [repo.repomdSha256];
    const res = await (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache()));
    strict_1.default.equal(res.lock.repos[0]?.repomd, `sha256:${repo.repomdSha256}`);
});
(0, node_test_1.test)('metalink: a repomd.xml whose hash the metalink does not list is refused on every mirror', req, async () => {
    mirrors.metalinkCurrentHash = 'f'.repeat(64);
    await strict_1.default.rejects((0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache())), (e) => {
        return e instanceof Error && /no mirror served a usable repomd\.xml/.test(e.message) && /not one the metalink lists/.test(e.message);
    });
});
(0, node_test_1.test)('a package tampered on every mirror stops the fetch, naming it', req, async () => {
    const victim = lock.packages.find((p) => p.name === 'setup');
    mirrors.faults.set(0, [{ match: /setup-/, corrupt: true }]);
    mirrors.faults.set(1, [{ match: /setup-/, corrupt: true }]);
    const cacheDir = freshCache();
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(repo.keyFile) }), (e) => {
        return e instanceof Error && e.message.includes(victim.location.split('/').pop()) && /wrong bytes/.test(e.message);
    });
    assertCacheSound(cacheDir);
});
(0, node_test_1.test)('signatures: packages signed by a key the definition does not trust are refused', req, async () => {
    const fedora42 = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'keys', 'RPM-GPG-KEY-fedora-42-primary');
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir: freshCache(), http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(fedora42) }), (e) => {
        return e instanceof Error && /failed verification/.test(e.message) && /glibc-2\.28-9\.fc29\.x86_64: signed with key ID [0-9a-f]{16}, which is not among the trusted keys/.test(e.message);
    });
});
(0, node_test_1.test)('--offline uses the cache alone and names what is missing', req, async () => {
    const cacheDir = freshCache();
    const noNetwork = { get: () => Promise.reject(new Error('network used in offline mode')) };
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: noNetwork, offline: true, keys: await keysOf(repo.keyFile) }), /--offline: \d+ package\(s\) are not in the cache.*glibc-2\.28-9\.fc29\.x86_64/s);
    await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(repo.keyFile) });
    const paths = await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: noNetwork, offline: true, keys: await keysOf(repo.keyFile) });
    strict_1.default.equal(paths.size, lock.packages.length);
});
(0, node_test_1.test)('vanished packages: --locked and fetch both name them', req, async () => {
    // A newer state of the repository without glibc-common.
    const shrunk = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'repo-shrunk'), { compression: 'gz', only: (name) => name !== 'glibc-common' });
    const m2 = await (0, test_repo_js_1.serveMirrors)(shrunk.dir, 1);
    try {
        const def = (0, definition_js_1.parseDefinition)('t.toml', defText(m2.metalinkUrl, repo.keyFile));
        await strict_1.default.rejects((0, lock_definition_js_1.checkLocked)('t.lock.json', lock, def, deps(freshCache())), (e) => {
            return e instanceof lock_js_1.VanishedPackagesError && /vanished from the mirrors: glibc-common-2\.28-9\.fc29\.x86_64$/.test(e.message);
        });
        await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir: freshCache(), http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(repo.keyFile), mirrors: new Map([['fedora', [m2.mirrorUrl(0)]]]) }), (e) => e instanceof lock_js_1.VanishedPackagesError && /glibc-common-2\.28-9\.fc29\.x86_64/.test(e.message));
    }
    finally {
        await m2.close();
    }
});
(0, node_test_1.test)('killing a fetch midway and rerunning: no corrupt cache entry, resumes with Range, finishes', req, async () => {
    const dir = (0, test_repo_js_1.tempDir)('kill');
    const cacheDir = (0, node_path_1.join)(dir, 'cache');
    const def = (0, node_path_1.join)(dir, 't.toml');
    (0, node_fs_1.writeFileSync)(def, defText(mirrors.metalinkUrl, repo.keyFile));
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 't.lock.json'), JSON.stringify(lock, null, 2));
    const cli = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js');
    const run = () => (0, node_child_process_1.spawn)(process.execPath, [cli, 'lock', def, '--locked', '--fetch', '--cache-dir', cacheDir, '-j', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Slow mirrors: 64 bytes every 10 ms.
    mirrors.faults.set(0, [{ match: /^Packages\//, throttleBytes: 64 }]);
    mirrors.faults.set(1, [{ match: /^Packages\//, throttleBytes: 64 }]);
    const child = run();
    const partialDir = (0, node_path_1.join)(cacheDir, 'blobs', 'sha256');
    await new Promise((resolve, reject) => {
        const t0 = Date.now();
        const poll = setInterval(() => {
            const partials = lock.packages
                .map((p) => (0, node_path_1.join)(partialDir, `.partial-${p.sha256}`))
                .filter((f) => (0, node_fs_1.existsSync)(f) && (0, node_fs_1.statSync)(f).size > 512);
            if (partials.length > 0) {
                clearInterval(poll);
                child.kill('SIGKILL');
                resolve();
            }
            else if (Date.now() - t0 > 60_000) {
                clearInterval(poll);
                child.kill('SIGKILL');
                reject(new Error('no partial download appeared'));
            }
        }, 5);
    });
    await new Promise((r) => child.once('close', r));
    assertCacheSound(cacheDir);
    strict_1.default.ok((0, node_fs_1.readdirSync)(partialDir).some((f) => f.startsWith('.partial-')), 'a partial download was left behind');
    mirrors.faults.clear();
    mirrors.requests.length = 0;
    const second = run();
    const code = await new Promise((r) => second.once('close', r));
    strict_1.default.equal(code, 0);
    assertCacheSound(cacheDir);
    for (const p of lock.packages)
        strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(partialDir, p.sha256)), `${p.name} is in the cache`);
    strict_1.default.ok(mirrors.requests.some((r) => r.status === 206 && r.range !== undefined), `the rerun resumed with a Range request: ${JSON.stringify(mirrors.requests)}`);
    strict_1.default.equal((0, node_fs_1.readdirSync)(partialDir).filter((f) => f.startsWith('.partial-')).length, 0);
    (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
});
/** Every entry of the cache is a package of the lock that verifies with the trusted key. */
async function assertCacheVerified(cacheDir, keyFile) {
    const dir = (0, node_path_1.join)(cacheDir, 'blobs', 'sha256');
    if (!(0, node_fs_1.existsSync)(dir))
        return 0;
    const keys = (await keysOf(keyFile)).get('fedora') ?? [];
    let count = 0;
    for (const f of (0, node_fs_1.readdirSync)(dir)) {
        if (f.startsWith('.partial-'))
            continue;
        const p = lock.packages.find((x) => x.sha256 === f);
        strict_1.default.ok(p, `cache entry ${f} is a package of the lock`);
        await (0, verify_js_1.verifyRpmFile)((0, node_path_1.join)(dir, f), p, { gpgcheck: true, keys });
        count++;
    }
    return count;
}
function runKillChild(lockFile, cacheDir, keyFile, killAt) {
    const main = new URL('./fetch-kill-main.js', import.meta.url).pathname;
    const child = (0, node_child_process_1.spawn)(process.execPath, [main, lockFile, cacheDir, keyFile, killAt], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d.toString()));
    return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })));
}
// download: mid-transfer; verify: downloaded, not yet checked; verified: checked, not yet
// renamed; done: renamed. A package that fails verification must leave nothing at any of them.
for (const at of ['bytes', 'verify', 'verified', 'done']) {
    (0, node_test_1.test)(`SIGKILL at "${at}": no unverified cache entry ever, with a trusted or an untrusted key; a rerun completes`, req, async () => {
        const dir = (0, test_repo_js_1.tempDir)(`kill-${at}`);
        try {
            const cacheDir = (0, node_path_1.join)(dir, 'cache');
            const lockFile = (0, node_path_1.join)(dir, 't.lock.json');
            (0, node_fs_1.writeFileSync)(lockFile, JSON.stringify(lock));
            const untrusted = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'keys', 'RPM-GPG-KEY-fedora-42-primary');
            const bad = await runKillChild(lockFile, cacheDir, untrusted, at);
            // verification fails before "verified" and "done" are ever reached
            if (at === 'bytes' || at === 'verify')
                strict_1.default.equal(bad.signal, 'SIGKILL', bad.stderr);
            else
                strict_1.default.equal(bad.code, 4, bad.stderr);
            strict_1.default.equal(await assertCacheVerified(cacheDir, repo.keyFile), 0, 'a package that failed (or was not yet through) verification left no entry');
            const killed = await runKillChild(lockFile, cacheDir, repo.keyFile, at);
            strict_1.default.equal(killed.signal, 'SIGKILL', killed.stderr);
            // every entry verifies (a partial the first run completed may have been committed first)
            const kept = await assertCacheVerified(cacheDir, repo.keyFile);
            if (at === 'done')
                strict_1.default.ok(kept >= 1, 'the renamed package is an entry');
            const again = await runKillChild(lockFile, cacheDir, untrusted, 'none');
            strict_1.default.equal(again.code, 4, 'a cached package is verified again with the keys of this run');
            strict_1.default.match(again.stderr, /which is not among the trusted keys/);
            const rerun = await runKillChild(lockFile, cacheDir, repo.keyFile, 'none');
            strict_1.default.equal(rerun.code, 0, rerun.stderr);
            strict_1.default.equal(await assertCacheVerified(cacheDir, repo.keyFile), new Set(lock.packages.map((p) => p.sha256)).size);
            strict_1.default.deepEqual((0, node_fs_1.readdirSync)((0, node_path_1.join)(cacheDir, 'blobs', 'sha256')).filter((f) => f.startsWith('.partial-')), []);
        }
        finally {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.test)('mirrorlist: a dead first mirror falls through to the next', req, async () => {
    mirrors.faults.set(0, [{ status: 503 }]);
    const text = defText(mirrors.metalinkUrl, repo.keyFile).replace(`metalink = "${mirrors.metalinkUrl}"`, `mirrorlist = "${mirrors.mirrorlistUrl}"`);
    const res = await (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', text), deps(freshCache()));
    strict_1.default.deepEqual(res.lock.packages, lock.packages);
    strict_1.default.deepEqual(res.lock.repos[0]?.baseurls, [mirrors.mirrorUrl(1), mirrors.mirrorUrl(0)]);
});
(0, node_test_1.test)('redirects are followed (metadata and packages)', req, async () => {
    const text = defText(mirrors.metalinkUrl, repo.keyFile).replace(`metalink = "${mirrors.metalinkUrl}"`, `baseurl = "${mirrors.redirectUrl(1)}"`);
    const res = await (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', text), deps(freshCache()));
    const paths = await (0, package_fetch_js_1.fetchLocked)(res.lock, { cacheDir: freshCache(), http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(repo.keyFile) });
    strict_1.default.equal(paths.size, lock.packages.length);
    strict_1.default.ok(mirrors.requests.some((r) => r.status === 302));
});
(0, node_test_1.test)('credentials in a mirror URL never appear in errors or the lock', req, async () => {
    const secretBase = mirrors.mirrorUrl(0).replace('http://', 'http://alice:s3cret@');
    mirrors.faults.set(0, [{ match: /^Packages\//, status: 500 }]);
    const text = defText(mirrors.metalinkUrl, repo.keyFile).replace(`metalink = "${mirrors.metalinkUrl}"`, `baseurl = "${secretBase}"`);
    const res = await (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', text), deps(freshCache()));
    strict_1.default.doesNotMatch(JSON.stringify(res.lock), /s3cret/);
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(res.lock, { cacheDir: freshCache(), http: (0, http_js_1.nodeHttpClient)(), keys: await keysOf(repo.keyFile), mirrors: new Map([['fedora', [secretBase]]]) }), (e) => e instanceof Error && /HTTP 500/.test(e.message) && !/s3cret/.test(e.message) && /\*\*\*@/.test(e.message));
});
(0, node_test_1.test)('gpgkey over https/http: keys load from a URL, and a missing key file names the fix', req, async () => {
    const { loadKeys, bundledKeysDir } = await Promise.resolve().then(() => __importStar(require('../../../src/builder/fetch/keys.js')));
    const keyDeps = { http: (0, http_js_1.nodeHttpClient)(), readFile: async (p) => new Uint8Array((0, node_fs_1.readFileSync)(p)), bundledDir: bundledKeysDir() };
    const keys = await loadKeys([`${mirrors.mirrorUrl(0)}RPM-GPG-KEY-fexpod-test`], keyDeps);
    strict_1.default.equal(keys.length, 1);
    const paths = await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir: freshCache(), http: (0, http_js_1.nodeHttpClient)(), keys: new Map([['fedora', keys]]) });
    strict_1.default.equal(paths.size, lock.packages.length);
    // Fedora's default key path on a non-Fedora builder: the bundled copy stands in (42 is bundled) …
    const fedora42 = await loadKeys(['file:///nonexistent/rpm-gpg/RPM-GPG-KEY-fedora-42-primary'], keyDeps);
    strict_1.default.match(fedora42[0]?.getUserIDs()[0] ?? '', /Fedora \(42\)/);
    // … and a release fexpod has no copy of is a clear error.
    await strict_1.default.rejects(loadKeys(['file:///nonexistent/RPM-GPG-KEY-fedora-7-primary'], keyDeps), /no bundled copy of RPM-GPG-KEY-fedora-7-primary/);
});
