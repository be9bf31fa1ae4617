/**
 * The repository trust chain beyond sha256 (docs/lock.md "What is verified"):
 *   - metadata checksums: createrepo_c --repomd-checksum sha1/sha224/sha384/sha512 repositories
 *     lock to what dnf resolves on them; md5 is refused;
 *   - repo_gpgcheck: repomd.xml signed with gpg --detach-sign --armor (a throwaway key) is
 *     verified against the repository's keys before it is read; missing, foreign and broken
 *     signatures are refused with their own fix; a mirror with altered metadata is skipped.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FexpodError } from '../../../src/common/errors.js';
import { silentLogger } from '../../../src/common/log.js';
import { BlobCache } from '../../../src/builder/fetch/cache.js';
import { parseDefinition } from '../../../src/builder/definition.js';
import { nodeHttpClient } from '../../../src/builder/fetch/http.js';
import { nodeKeyDeps } from '../../../src/builder/fetch/keys.js';
import { lockDefinition } from '../../../src/builder/lock/lock-definition.js';
import { pythonSolverRunner } from '../../../src/builder/lock/solver.js';
import { dnfResolve, makeTestRepo, serveMirrors, signRepomd, tempDir, type TestRepo } from '../../helpers/test-repo.js';
import { fileExists, integration, onPath, repoRoot } from '../../helpers/integration.js';

const exec = promisify(execFile);
const req = integration(onPath('rpmbuild'), onPath('rpmsign'), onPath('createrepo_c'), onPath('dnf'), onPath('gpg'), onPath('gpgconf'), fileExists('/usr/bin/python3'));
const work = tempDir('trust-it');
const BASE = ['glibc', 'setup', 'filesystem', 'basesystem'];
const small = (n: string) => n.startsWith('glibc') || ['setup', 'filesystem', 'basesystem', 'filesystem-content'].includes(n);
let signed: TestRepo;
let repomdKey: { keyFile: string; keyId: string };
let otherKey: { keyFile: string; keyId: string };

before(() => {
  if (req.skip) return;
  signed = makeTestRepo(join(work, 'signed'), { only: small });
  repomdKey = signRepomd(signed.dir);
  // A second key that signs nothing of this repository.
  const scratch = makeTestRepo(join(work, 'scratch'), { only: (n) => n === 'setup' });
  otherKey = signRepomd(scratch.dir, 'another key');
});
after(() => rmSync(work, { recursive: true, force: true }));

function definition(baseurl: string, keys: readonly string[], repoGpgcheck: boolean): string {
  return `name = "t"\nrelease = 29\narches = ["x86_64"]\npackages = ${JSON.stringify(BASE)}\n[repos.r]\nbaseurl = "${baseurl}"\ngpgkey = ${JSON.stringify(keys.map((k) => `file://${k}`))}\nrepo_gpgcheck = ${repoGpgcheck}\n`;
}

async function lock(text: string, cache = 'cache') {
  const http = nodeHttpClient();
  return lockDefinition(parseDefinition('t.toml', text), { http, cache: new BlobCache(join(work, cache)), log: silentLogger, runSolver: pythonSolverRunner(), keys: nodeKeyDeps(http) });
}

for (const alg of ['sha1', 'sha224', 'sha384', 'sha512']) {
  test(`metadata with ${alg} checksums is accepted, and locks to what dnf resolves`, req, async () => {
    const repo = makeTestRepo(join(work, alg), { only: small, createrepoArgs: ['--repomd-checksum', alg] });
    assert.match(readFileSync(join(repo.dir, 'repodata', 'repomd.xml'), 'utf8'), new RegExp(`<checksum type="${alg}">`));
    const { lock: l } = await lock(definition(`file://${repo.dir}/`, [repo.keyFile], false), `cache-${alg}`);
    const oracle = dnfResolve({ repoUrl: `file://${repo.dir}`, packages: BASE, multilib: false }).packages;
    assert.deepEqual(l.packages.map((p) => `${p.name}.${p.arch}`).sort(), oracle);
  });
}

test('md5 metadata checksums are refused with a clear error', req, async () => {
  const repo = makeTestRepo(join(work, 'md5'), { only: small, createrepoArgs: ['--repomd-checksum', 'md5'] });
  await assert.rejects(lock(definition(`file://${repo.dir}/`, [repo.keyFile], false), 'cache-md5'), (e: unknown) => {
    assert.ok(e instanceof FexpodError, String(e));
    assert.equal(e.message, 'repository r: primary metadata is protected only by an md5 checksum, which fexpod refuses (md5 collisions are cheap to make)');
    assert.match(e.fix ?? '', /createrepo_c --checksum sha256/);
    return true;
  });
});

test('repo_gpgcheck: a repomd.xml signed by a key of the repository is accepted', req, async () => {
  const { lock: l } = await lock(definition(`file://${signed.dir}/`, [signed.keyFile, repomdKey.keyFile], true));
  assert.ok(l.packages.length >= 5);
});

const refusals = [
  {
    name: 'no repomd.xml.asc',
    setup: (dir: string) => rmSync(join(dir, 'repodata', 'repomd.xml.asc')),
    keys: () => [signed.keyFile, repomdKey.keyFile],
    msg: 'repo_gpgcheck is on, but the mirror has no repodata/repomd.xml.asc (HTTP 404): repomd.xml is not signed',
    fix: /set repo_gpgcheck = false for this repository if it does not sign its metadata/,
  },
  {
    name: 'a signature by a key the repository does not list',
    setup: () => {},
    keys: () => [signed.keyFile, otherKey.keyFile],
    msg: `repomd.xml is signed with key ID ${'KEY'}, which is not among the repository's keys`,
    fix: /list the key that signs the repository's metadata in its gpgkey/,
  },
  {
    name: 'repomd.xml altered after signing',
    setup: (dir: string) => appendFileSync(join(dir, 'repodata', 'repomd.xml'), '<!-- altered -->\n'),
    keys: () => [signed.keyFile, repomdKey.keyFile],
    msg: 'repomd.xml does not match its signature',
    fix: /try another mirror/,
  },
];
for (const c of refusals) {
  test(`repo_gpgcheck refuses ${c.name}, naming the mirror, with the fix`, req, async () => {
    const dir = join(work, `refuse-${refusals.indexOf(c)}`);
    mkdirSync(dir, { recursive: true });
    cpSync(signed.dir, dir, { recursive: true });
    c.setup(dir);
    await assert.rejects(lock(definition(`file://${dir}/`, c.keys(), true), `cache-refuse-${refusals.indexOf(c)}`), (e: unknown) => {
      assert.ok(e instanceof FexpodError, String(e));
      assert.ok(e.message.startsWith(`repository r: no mirror served a usable repomd.xml:\n  file://${dir}/repodata/repomd.xml: `), e.message);
      assert.ok(e.message.includes(c.msg.replace('KEY', repomdKey.keyId)), e.message);
      assert.match(e.fix ?? '', c.fix);
      return true;
    });
  });
}

test('repo_gpgcheck: a mirror serving altered metadata is skipped for the next, whose signature verifies', req, async () => {
  const mirrors = await serveMirrors(signed.dir, 2);
  try {
    mirrors.faults.set(0, [{ match: /^repodata\/repomd\.xml$/, corrupt: true }]);
    const { lock: l } = await lock(definition(mirrors.mirrorUrl(0), [signed.keyFile, repomdKey.keyFile], true).replace(`baseurl = "${mirrors.mirrorUrl(0)}"`, `baseurl = ["${mirrors.mirrorUrl(0)}", "${mirrors.mirrorUrl(1)}"]`), 'cache-mirrors');
    assert.ok(l.packages.length >= 5);
    const asc = mirrors.requests.filter((r) => r.path.endsWith('repomd.xml.asc')).map((r) => r.mirror);
    assert.deepEqual(asc, [0, 1], 'the signature is fetched from the mirror that served repomd.xml');
    assert.equal(l.repos[0]?.baseurls[0], mirrors.mirrorUrl(1), 'the verified mirror is used first');
  } finally {
    await mirrors.close();
  }
});

test('fexpod lock (the CLI) checks repo_gpgcheck with the keys of the definition', req, async () => {
  const dir = join(work, 'cli');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'img.toml');
  const run = async (text: string) => {
    writeFileSync(file, text);
    try {
      await exec(process.execPath, [join(repoRoot(), 'dist', 'src', 'cli.js'), 'lock', file, '--cache-dir', join(dir, 'cache')]);
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { code?: number; stderr?: string };
      return { code: e.code ?? -1, stderr: e.stderr ?? '' };
    }
  };
  const good = await run(definition(`file://${signed.dir}/`, [signed.keyFile, repomdKey.keyFile], true));
  assert.equal(good.code, 0, good.stderr);
  const bad = await run(definition(`file://${signed.dir}/`, [signed.keyFile], true));
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stderr, new RegExp(`repomd.xml is signed with key ID ${repomdKey.keyId}, which is not among the repository's keys`));
  assert.match(bad.stderr, /fix: list the key that signs the repository's metadata in its gpgkey/);
});
