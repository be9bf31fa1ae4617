/**
 * `fexpod lock` as a user runs it: the real CLI against loopback mirrors.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { parseLock } from '../../../src/builder/lock/lock.js';
import { makeTestRepo, serveMirrors, tempDir, type TestMirrors, type TestRepo } from '../../helpers/test-repo.js';
import { corpusDir, fileExists, integration, onPath, repoRoot } from '../../helpers/integration.js';

const exec = promisify(execFile);
const req = integration(onPath('rpmbuild'), onPath('rpmsign'), onPath('createrepo_c'), onPath('zstd'), onPath('xz'), onPath('bzip2'), onPath('gpg'), fileExists('/usr/bin/python3'));
const work = tempDir('lock-it');
let repo: TestRepo;
let mirrors: TestMirrors;

before(async () => {
  if (req.skip) return;
  repo = makeTestRepo(join(work, 'repo'), { compression: 'zst' });
  mirrors = await serveMirrors(repo.dir, 2);
});
after(async () => {
  await mirrors?.close();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
async function fexpod(...args: string[]): Promise<Run> {
  try {
    const r = await exec(process.execPath, [join(repoRoot(), 'dist', 'src', 'cli.js'), ...args], { env: { ...process.env, FEXPOD_DEBUG: '' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function writeDef(dir: string, packages: string[], repoLine: string): string {
  mkdirSync(dir, { recursive: true });
  const f = join(dir, 'img.toml');
  writeFileSync(f, `name = "img"\nrelease = 29\narches = ["x86_64", "i686"]\npackages = ${JSON.stringify(packages)}\n[repos.fedora]\n${repoLine}\ngpgkey = ["file://${repo.keyFile}"]\n`);
  return f;
}

test('fexpod lock writes a deterministic lock; --json prints exactly one document', req, async () => {
  const dir = join(work, 'a');
  const def = writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem'], `metalink = "${mirrors.metalinkUrl}"`);
  const r = await fexpod('lock', def, '--json', '--cache-dir', join(dir, 'cache'));
  assert.equal(r.code, 0, r.stderr);
  const doc: unknown = JSON.parse(r.stdout);
  assert.ok(typeof doc === 'object' && doc !== null && 'packages' in doc);
  const lockText = readFileSync(join(dir, 'img.lock.json'), 'utf8');
  const lock = parseLock('img.lock.json', lockText);
  assert.equal(lock.schemaVersion, 1);
  assert.equal(lock.packages.length, 8);
  const glibc = lock.packages.find((p) => p.name === 'glibc' && p.arch === 'i686')!;
  assert.deepEqual(Object.keys(glibc).sort(), ['arch', 'epoch', 'location', 'name', 'release', 'repo', 'sha256', 'size', 'sourcerpm', 'version']);
  assert.equal(glibc.sourcerpm, 'glibc-2.28-9.fc29.src.rpm');
  assert.equal(lock.repos[0]?.repomd, `sha256:${repo.repomdSha256}`);
  // Same inputs, same bytes.
  const r2 = await fexpod('lock', def, '--output', join(dir, 'again.json'), '--cache-dir', join(dir, 'cache'));
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(readFileSync(join(dir, 'again.json'), 'utf8'), lockText);
});

test('--repo overrides a repository from the command line (same lock, local mirror)', req, async () => {
  const dir = join(work, 'b');
  const def = writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem'], 'metalink = "https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch"');
  const r = await fexpod('lock', def, '--repo', `fedora=${mirrors.mirrorUrl(1)}`, '--cache-dir', join(dir, 'cache'), '--fetch');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /fetched and verified 8 packages/);
  const lock = parseLock('l', readFileSync(join(dir, 'img.lock.json'), 'utf8'));
  assert.deepEqual(lock.repos[0]?.baseurls, [mirrors.mirrorUrl(1)]);
});

test('--fetch --json: one JSON document on stdout, progress events as JSON lines on stderr', req, async () => {
  const dir = join(work, 'j');
  const def = writeDef(dir, ['setup'], `metalink = "${mirrors.metalinkUrl}"`);
  const r = await fexpod('lock', def, '--fetch', '--json', '--cache-dir', join(dir, 'cache'));
  assert.equal(r.code, 0, r.stderr);
  const doc: unknown = JSON.parse(r.stdout);
  assert.ok(typeof doc === 'object' && doc !== null && 'fetched' in doc && doc.fetched === 1);
  const eventSchema = z.object({ event: z.string(), what: z.string() });
  const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => eventSchema.parse(JSON.parse(l)));
  assert.ok(events.some((e) => e.event === 'done' && /^setup-/.test(e.what)), r.stderr);
});

test('--locked refuses to re-resolve a lock made for another version of the definition', req, async () => {
  const dir = join(work, 'c');
  const def = writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem'], `metalink = "${mirrors.metalinkUrl}"`);
  assert.equal((await fexpod('lock', def, '--cache-dir', join(dir, 'cache'))).code, 0);
  const ok = await fexpod('lock', def, '--locked', '--fetch', '--cache-dir', join(dir, 'cache'));
  assert.equal(ok.code, 0, ok.stderr);
  writeDef(dir, ['glibc', 'setup', 'filesystem', 'basesystem', 'flac'], `metalink = "${mirrors.metalinkUrl}"`);
  const stale = await fexpod('lock', def, '--locked', '--cache-dir', join(dir, 'cache'));
  assert.equal(stale.code, 3);
  assert.match(stale.stderr, /--locked refuses to re-resolve/);
  assert.match(stale.stderr, /fix: run "fexpod lock/);
});

// Broken input gives one clear message, never a stack trace.
const broken = [
  { name: 'a definition with a typo', setup: (dir: string) => { writeFileSync(join(dir, 'img.toml'), 'name = "img"\nrelease = 29\npackages = ["glibc"]\narchs = ["x86_64"]\n'); }, code: 2, msg: /img\.toml: unknown key "archs"/ },
  { name: 'an unresolvable package', setup: (dir: string) => { writeDef(dir, ['glibc-devel'], `metalink = "${mirrors.metalinkUrl}"`); }, code: 3, msg: /nothing provides libgcc\(x86-64\) \(required by glibc-devel-2\.28-9\.fc29\.x86_64\)/ },
  {
    name: "createrepo_c's malformed primary.xml (error_00) on a mirror",
    setup: (dir: string) => {
      const r = join(dir, 'bad-repo');
      cpSync(join(corpusDir(), 'repos', 'createrepo_c-testdata', 'repo_01'), r, { recursive: true });
      // Replace primary with the malformed fixture and fix up repomd.xml so only the content is wrong.
      const primary = readdirSync(join(r, 'repodata')).find((f) => f.includes('primary'))!;
      const fixture = readFileSync(join(corpusDir(), 'repos', 'createrepo_c-testdata', 'modified_repo_files', 'error_00-primary.xml'));
      const gz = execFileSync('gzip', ['-n', '-c'], { input: fixture });
      let repomd = readFileSync(join(r, 'repodata', 'repomd.xml'), 'utf8');
      const oldSum = /<data type="primary">\s*<checksum type="sha256">([0-9a-f]+)</.exec(repomd)![1]!;
      const oldOpen = /<data type="primary">[\s\S]*?<open-checksum type="sha256">([0-9a-f]+)</.exec(repomd)![1]!;
      repomd = repomd.replace(oldSum, createHash('sha256').update(gz).digest('hex')).replace(oldOpen, createHash('sha256').update(fixture).digest('hex'));
      repomd = repomd.replace(/(<data type="primary">[\s\S]*?<size>)\d+/, `$1${gz.length}`);
      writeFileSync(join(r, 'repodata', primary), gz);
      writeFileSync(join(r, 'repodata', 'repomd.xml'), repomd);
      writeFileSync(join(dir, 'img.toml'), `name = "img"\nrelease = 29\npackages = ["fake_bash"]\n[repos.bad]\nbaseurl = "file://${r}/"\ngpgcheck = false\n`);
    },
    code: 1,
    msg: /primary metadata: <package> at line 3 \(fake_bash\) has no <checksum>/,
  },
  {
    name: "createrepo_c's repo_01 as shipped (its primary.xml.gz does not hash to repomd.xml's checksum)",
    setup: (dir: string) => {
      writeFileSync(join(dir, 'img.toml'), `name = "img"\nrelease = 29\npackages = ["fake_bash"]\n[repos.bad]\nbaseurl = "file://${join(corpusDir(), 'repos', 'createrepo_c-testdata', 'repo_01')}/"\ngpgcheck = false\n`);
    },
    code: 1,
    msg: /primary metadata: every mirror failed:[\s\S]*wrong bytes: sha256 is/,
  },
  {
    name: "createrepo_c's repomd.xml without a data type",
    setup: (dir: string) => {
      const r = join(dir, 'bad-repo2');
      cpSync(join(corpusDir(), 'repos', 'createrepo_c-testdata', 'repo_01'), r, { recursive: true });
      cpSync(join(corpusDir(), 'repos', 'createrepo_c-testdata', 'modified_repo_files', 'missing_type-repomd.xml'), join(r, 'repodata', 'repomd.xml'));
      writeFileSync(join(dir, 'img.toml'), `name = "img"\nrelease = 29\npackages = ["fake_bash"]\n[repos.bad]\nbaseurl = "file://${r}/"\ngpgcheck = false\n`);
    },
    code: 1,
    msg: /repomd\.xml is malformed: <data> at line \d+ has no type attribute/,
  },
];

for (const c of broken) {
  test(`${c.name}: a clear error, no stack trace`, req, async () => {
    const dir = join(work, `broken-${broken.indexOf(c)}`);
    mkdirSync(dir, { recursive: true });
    c.setup(dir);
    const r = await fexpod('lock', join(dir, 'img.toml'), '--cache-dir', join(dir, 'cache'));
    assert.equal(r.code, c.code, r.stderr);
    assert.match(r.stderr, /^fexpod: error: /m);
    assert.match(r.stderr, c.msg);
    assert.match(r.stderr, /fix: /);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.equal(r.stdout, '');
  });
}
