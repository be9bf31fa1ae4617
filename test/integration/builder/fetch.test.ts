/**
 * Downloads against loopback mirrors with injected faults: 500s, truncated bodies, wrong bytes,
 * a stale metalink, a process killed midway; the cache never holds a bad entry.
 */
import { test, after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/common/log.js';
import { BlobCache } from '../../../src/builder/fetch/cache.js';
import { parseDefinition } from '../../../src/builder/definition.js';
import { fetchLocked } from '../../../src/builder/fetch/package-fetch.js';
import type { BlobEvent } from '../../../src/builder/fetch/fetch-blob.js';
import { nodeHttpClient, type HttpClient } from '../../../src/builder/fetch/http.js';
import { checkLocked, lockDefinition } from '../../../src/builder/lock/lock-definition.js';
import { VanishedPackagesError, type Lock } from '../../../src/builder/lock/lock.js';
import { readKeys } from '../../../src/builder/rpm/rpm-signature.js';
import { verifyRpmFile } from '../../../src/builder/rpm/verify.js';
import { pythonSolverRunner } from '../../../src/builder/lock/solver.js';
import { makeTestRepo, serveMirrors, tempDir, type TestMirrors, type TestRepo } from '../../helpers/test-repo.js';
import { corpusDir, fileExists, integration, onPath, repoRoot } from '../../helpers/integration.js';

const req = integration(onPath('rpmbuild'), onPath('rpmsign'), onPath('createrepo_c'), onPath('zstd'), onPath('xz'), onPath('bzip2'), onPath('gpg'), fileExists('/usr/bin/python3'));
const PACKAGES = ['glibc', 'setup', 'filesystem', 'basesystem'];

let repo: TestRepo;
let mirrors: TestMirrors;
let lock: Lock;
const work = tempDir('fetch-it');
let n = 0;
const freshCache = () => join(work, `cache-${n++}`);

function defText(metalink: string, keyFile: string, packages = PACKAGES): string {
  return `name = "t"\nrelease = 29\narches = ["x86_64", "i686"]\npackages = ${JSON.stringify(packages)}\n[repos.fedora]\nmetalink = "${metalink}"\ngpgkey = ["file://${keyFile}"]\n`;
}

const deps = (cacheDir: string) => ({ http: nodeHttpClient(), cache: new BlobCache(cacheDir), log: silentLogger, runSolver: pythonSolverRunner() });

async function keysOf(file: string) {
  return new Map([['fedora', await readKeys([{ name: file, data: new Uint8Array(readFileSync(file)) }])]]);
}

/** Every cache entry's content hashes to its name. */
function assertCacheSound(cacheDir: string): number {
  const dir = join(cacheDir, 'blobs', 'sha256');
  if (!existsSync(dir)) return 0;
  let count = 0;
  for (const f of readdirSync(dir)) {
    if (f.startsWith('.partial-')) continue;
    assert.equal(createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'), f, `cache entry ${f} is corrupt`);
    count++;
  }
  return count;
}

before(async () => {
  if (req.skip) return;
  repo = makeTestRepo(join(work, 'repo'), { compression: 'zst' });
  mirrors = await serveMirrors(repo.dir, 2);
  lock = (await lockDefinition(parseDefinition('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache()))).lock;
});
after(async () => {
  await mirrors?.close();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  mirrors?.faults.clear();
  if (mirrors) {
    mirrors.requests.length = 0;
    mirrors.metalinkHashes = [];
    mirrors.metalinkCurrentHash = undefined;
  }
});

test('fetches and verifies every locked package; a second run is all cache hits', req, async () => {
  const cacheDir = freshCache();
  const events: BlobEvent[] = [];
  const keys = await keysOf(repo.keyFile);
  const paths = await fetchLocked(lock, { cacheDir, http: nodeHttpClient(), keys, onEvent: (e) => events.push(e) });
  assert.equal(paths.size, lock.packages.length);
  assert.equal(events.filter((e) => e.type === 'done').length, lock.packages.length);
  assert.equal(assertCacheSound(cacheDir), lock.packages.length);
  const again: BlobEvent[] = [];
  await fetchLocked(lock, { cacheDir, http: nodeHttpClient(), keys, onEvent: (e) => again.push(e) });
  assert.deepEqual(new Set(again.map((e) => e.type)), new Set(['cached']));
});

const faults = [
  { name: 'HTTP 500', fault: { status: 500 } },
  { name: 'a truncated body', fault: { truncate: 0.5 } },
  { name: 'wrong bytes', fault: { corrupt: true } },
];
for (const c of faults) {
  test(`a mirror that returns ${c.name} is skipped for the next one`, req, async () => {
    const cacheDir = freshCache();
    mirrors.faults.set(0, [{ match: /^Packages\//, ...c.fault }]);
    const events: BlobEvent[] = [];
    const paths = await fetchLocked(lock, { cacheDir, http: nodeHttpClient(), keys: await keysOf(repo.keyFile), onEvent: (e) => events.push(e) });
    assert.equal(paths.size, lock.packages.length);
    assert.ok(events.some((e) => e.type === 'retry'), 'some retry reported');
    assert.ok(mirrors.requests.some((r) => r.mirror === 1 && r.path.includes('/Packages/')), 'mirror 1 served packages');
    assert.equal(assertCacheSound(cacheDir), lock.packages.length);
  });
}

test('metadata: a mirror with a broken repomd.xml or wrong bytes is skipped', req, async () => {
  mirrors.faults.set(0, [{ match: /repomd\.xml$/, corrupt: true }, { match: /primary/, status: 500 }]);
  const res = await lockDefinition(parseDefinition('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache()));
  assert.deepEqual(res.lock.packages, lock.packages);
  assert.ok(mirrors.requests.some((r) => r.mirror === 1 && r.path.endsWith('repomd.xml')));
});

test('metalink: a repomd.xml listed only as an alternate (mirrors lag) is accepted', req, async () => {
  mirrors.metalinkCurrentHash = 'f'.repeat(64);
  mirrors.metalinkHashes = [repo.repomdSha256];
  const res = await lockDefinition(parseDefinition('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache()));
  assert.equal(res.lock.repos[0]?.repomd, `sha256:${repo.repomdSha256}`);
});

test('metalink: a repomd.xml whose hash the metalink does not list is refused on every mirror', req, async () => {
  mirrors.metalinkCurrentHash = 'f'.repeat(64);
  await assert.rejects(lockDefinition(parseDefinition('t.toml', defText(mirrors.metalinkUrl, repo.keyFile)), deps(freshCache())), (e: unknown) => {
    return e instanceof Error && /no mirror served a usable repomd\.xml/.test(e.message) && /not one the metalink lists/.test(e.message);
  });
});

test('a package tampered on every mirror stops the fetch, naming it', req, async () => {
  const victim = lock.packages.find((p) => p.name === 'setup')!;
  mirrors.faults.set(0, [{ match: /setup-/, corrupt: true }]);
  mirrors.faults.set(1, [{ match: /setup-/, corrupt: true }]);
  const cacheDir = freshCache();
  await assert.rejects(fetchLocked(lock, { cacheDir, http: nodeHttpClient(), keys: await keysOf(repo.keyFile) }), (e: unknown) => {
    return e instanceof Error && e.message.includes(victim.location.split('/').pop()!) && /wrong bytes/.test(e.message);
  });
  assertCacheSound(cacheDir);
});

test('signatures: packages signed by a key the definition does not trust are refused', req, async () => {
  const fedora42 = join(corpusDir(), 'keys', 'RPM-GPG-KEY-fedora-42-primary');
  await assert.rejects(fetchLocked(lock, { cacheDir: freshCache(), http: nodeHttpClient(), keys: await keysOf(fedora42) }), (e: unknown) => {
    return e instanceof Error && /failed verification/.test(e.message) && /glibc-2\.28-9\.fc29\.x86_64: signed with key ID [0-9a-f]{16}, which is not among the trusted keys/.test(e.message);
  });
});

test('--offline uses the cache alone and names what is missing', req, async () => {
  const cacheDir = freshCache();
  const noNetwork: HttpClient = { get: () => Promise.reject(new Error('network used in offline mode')) };
  await assert.rejects(fetchLocked(lock, { cacheDir, http: noNetwork, offline: true, keys: await keysOf(repo.keyFile) }), /--offline: \d+ package\(s\) are not in the cache.*glibc-2\.28-9\.fc29\.x86_64/s);
  await fetchLocked(lock, { cacheDir, http: nodeHttpClient(), keys: await keysOf(repo.keyFile) });
  const paths = await fetchLocked(lock, { cacheDir, http: noNetwork, offline: true, keys: await keysOf(repo.keyFile) });
  assert.equal(paths.size, lock.packages.length);
});

test('vanished packages: --locked and fetch both name them', req, async () => {
  // A newer state of the repository without glibc-common.
  const shrunk = makeTestRepo(join(work, 'repo-shrunk'), { compression: 'gz', only: (name) => name !== 'glibc-common' });
  const m2 = await serveMirrors(shrunk.dir, 1);
  try {
    const def = parseDefinition('t.toml', defText(m2.metalinkUrl, repo.keyFile));
    await assert.rejects(checkLocked('t.lock.json', lock, def, deps(freshCache())), (e: unknown) => {
      return e instanceof VanishedPackagesError && /vanished from the mirrors: glibc-common-2\.28-9\.fc29\.x86_64$/.test(e.message);
    });
    await assert.rejects(
      fetchLocked(lock, { cacheDir: freshCache(), http: nodeHttpClient(), keys: await keysOf(repo.keyFile), mirrors: new Map([['fedora', [m2.mirrorUrl(0)]]]) }),
      (e: unknown) => e instanceof VanishedPackagesError && /glibc-common-2\.28-9\.fc29\.x86_64/.test(e.message),
    );
  } finally {
    await m2.close();
  }
});

test('killing a fetch midway and rerunning: no corrupt cache entry, resumes with Range, finishes', req, async () => {
  const dir = tempDir('kill');
  const cacheDir = join(dir, 'cache');
  const def = join(dir, 't.toml');
  writeFileSync(def, defText(mirrors.metalinkUrl, repo.keyFile));
  writeFileSync(join(dir, 't.lock.json'), JSON.stringify(lock, null, 2));
  const cli = join(repoRoot(), 'dist', 'src', 'cli.js');
  const run = () => spawn(process.execPath, [cli, 'lock', def, '--locked', '--fetch', '--cache-dir', cacheDir, '-j', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Slow mirrors: 64 bytes every 10 ms.
  mirrors.faults.set(0, [{ match: /^Packages\//, throttleBytes: 64 }]);
  mirrors.faults.set(1, [{ match: /^Packages\//, throttleBytes: 64 }]);
  const child = run();
  const partialDir = join(cacheDir, 'blobs', 'sha256');
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(() => {
      const partials = lock.packages
        .map((p) => join(partialDir, `.partial-${p.sha256}`))
        .filter((f) => existsSync(f) && statSync(f).size > 512);
      if (partials.length > 0) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      } else if (Date.now() - t0 > 60_000) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error('no partial download appeared'));
      }
    }, 5);
  });
  await new Promise((r) => child.once('close', r));
  assertCacheSound(cacheDir);
  assert.ok(readdirSync(partialDir).some((f) => f.startsWith('.partial-')), 'a partial download was left behind');
  mirrors.faults.clear();
  mirrors.requests.length = 0;
  const second = run();
  const code = await new Promise<number | null>((r) => second.once('close', r));
  assert.equal(code, 0);
  assertCacheSound(cacheDir);
  for (const p of lock.packages) assert.ok(existsSync(join(partialDir, p.sha256)), `${p.name} is in the cache`);
  assert.ok(mirrors.requests.some((r) => r.status === 206 && r.range !== undefined), `the rerun resumed with a Range request: ${JSON.stringify(mirrors.requests)}`);
  assert.equal(readdirSync(partialDir).filter((f) => f.startsWith('.partial-')).length, 0);
  rmSync(dir, { recursive: true, force: true });
});

/** Every entry of the cache is a package of the lock that verifies with the trusted key. */
async function assertCacheVerified(cacheDir: string, keyFile: string): Promise<number> {
  const dir = join(cacheDir, 'blobs', 'sha256');
  if (!existsSync(dir)) return 0;
  const keys = (await keysOf(keyFile)).get('fedora') ?? [];
  let count = 0;
  for (const f of readdirSync(dir)) {
    if (f.startsWith('.partial-')) continue;
    const p = lock.packages.find((x) => x.sha256 === f);
    assert.ok(p, `cache entry ${f} is a package of the lock`);
    await verifyRpmFile(join(dir, f), p, { gpgcheck: true, keys });
    count++;
  }
  return count;
}

function runKillChild(lockFile: string, cacheDir: string, keyFile: string, killAt: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const main = new URL('./fetch-kill-main.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [main, lockFile, cacheDir, keyFile, killAt], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stderr })));
}

// download: mid-transfer; verify: downloaded, not yet checked; verified: checked, not yet
// renamed; done: renamed. A package that fails verification must leave nothing at any of them.
for (const at of ['bytes', 'verify', 'verified', 'done'] as const) {
  test(`SIGKILL at "${at}": no unverified cache entry ever, with a trusted or an untrusted key; a rerun completes`, req, async () => {
    const dir = tempDir(`kill-${at}`);
    try {
      const cacheDir = join(dir, 'cache');
      const lockFile = join(dir, 't.lock.json');
      writeFileSync(lockFile, JSON.stringify(lock));
      const untrusted = join(corpusDir(), 'keys', 'RPM-GPG-KEY-fedora-42-primary');
      const bad = await runKillChild(lockFile, cacheDir, untrusted, at);
      // verification fails before "verified" and "done" are ever reached
      if (at === 'bytes' || at === 'verify') assert.equal(bad.signal, 'SIGKILL', bad.stderr);
      else assert.equal(bad.code, 4, bad.stderr);
      assert.equal(await assertCacheVerified(cacheDir, repo.keyFile), 0, 'a package that failed (or was not yet through) verification left no entry');
      const killed = await runKillChild(lockFile, cacheDir, repo.keyFile, at);
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      // every entry verifies (a partial the first run completed may have been committed first)
      const kept = await assertCacheVerified(cacheDir, repo.keyFile);
      if (at === 'done') assert.ok(kept >= 1, 'the renamed package is an entry');
      const again = await runKillChild(lockFile, cacheDir, untrusted, 'none');
      assert.equal(again.code, 4, 'a cached package is verified again with the keys of this run');
      assert.match(again.stderr, /which is not among the trusted keys/);
      const rerun = await runKillChild(lockFile, cacheDir, repo.keyFile, 'none');
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.equal(await assertCacheVerified(cacheDir, repo.keyFile), new Set(lock.packages.map((p) => p.sha256)).size);
      assert.deepEqual(readdirSync(join(cacheDir, 'blobs', 'sha256')).filter((f) => f.startsWith('.partial-')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('mirrorlist: a dead first mirror falls through to the next', req, async () => {
  mirrors.faults.set(0, [{ status: 503 }]);
  const text = defText(mirrors.metalinkUrl, repo.keyFile).replace(`metalink = "${mirrors.metalinkUrl}"`, `mirrorlist = "${mirrors.mirrorlistUrl}"`);
  const res = await lockDefinition(parseDefinition('t.toml', text), deps(freshCache()));
  assert.deepEqual(res.lock.packages, lock.packages);
  assert.deepEqual(res.lock.repos[0]?.baseurls, [mirrors.mirrorUrl(1), mirrors.mirrorUrl(0)]);
});

test('redirects are followed (metadata and packages)', req, async () => {
  const text = defText(mirrors.metalinkUrl, repo.keyFile).replace(`metalink = "${mirrors.metalinkUrl}"`, `baseurl = "${mirrors.redirectUrl(1)}"`);
  const res = await lockDefinition(parseDefinition('t.toml', text), deps(freshCache()));
  const paths = await fetchLocked(res.lock, { cacheDir: freshCache(), http: nodeHttpClient(), keys: await keysOf(repo.keyFile) });
  assert.equal(paths.size, lock.packages.length);
  assert.ok(mirrors.requests.some((r) => r.status === 302));
});

test('credentials in a mirror URL never appear in errors or the lock', req, async () => {
  const secretBase = mirrors.mirrorUrl(0).replace('http://', 'http://alice:s3cret@');
  mirrors.faults.set(0, [{ match: /^Packages\//, status: 500 }]);
  const text = defText(mirrors.metalinkUrl, repo.keyFile).replace(`metalink = "${mirrors.metalinkUrl}"`, `baseurl = "${secretBase}"`);
  const res = await lockDefinition(parseDefinition('t.toml', text), deps(freshCache()));
  assert.doesNotMatch(JSON.stringify(res.lock), /s3cret/);
  await assert.rejects(
    fetchLocked(res.lock, { cacheDir: freshCache(), http: nodeHttpClient(), keys: await keysOf(repo.keyFile), mirrors: new Map([['fedora', [secretBase]]]) }),
    (e: unknown) => e instanceof Error && /HTTP 500/.test(e.message) && !/s3cret/.test(e.message) && /\*\*\*@/.test(e.message),
  );
});

test('gpgkey over https/http: keys load from a URL, and a missing key file names the fix', req, async () => {
  const { loadKeys, bundledKeysDir } = await import('../../../src/builder/fetch/keys.js');
  const keyDeps = { http: nodeHttpClient(), readFile: async (p: string) => new Uint8Array(readFileSync(p)), bundledDir: bundledKeysDir() };
  const keys = await loadKeys([`${mirrors.mirrorUrl(0)}RPM-GPG-KEY-fexpod-test`], keyDeps);
  assert.equal(keys.length, 1);
  const paths = await fetchLocked(lock, { cacheDir: freshCache(), http: nodeHttpClient(), keys: new Map([['fedora', keys]]) });
  assert.equal(paths.size, lock.packages.length);
  // Fedora's default key path on a non-Fedora builder: the bundled copy stands in (42 is bundled) …
  const fedora42 = await loadKeys(['file:///nonexistent/rpm-gpg/RPM-GPG-KEY-fedora-42-primary'], keyDeps);
  assert.match(fedora42[0]?.getUserIDs()[0] ?? '', /Fedora \(42\)/);
  // … and a release fexpod has no copy of is a clear error.
  await assert.rejects(loadKeys(['file:///nonexistent/RPM-GPG-KEY-fedora-7-primary'], keyDeps), /no bundled copy of RPM-GPG-KEY-fedora-7-primary/);
});
