import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, FexpodError } from '../../../src/common/errors.js';
import { parseDefinition } from '../../../src/builder/definition.js';
import { buildLock, checkLockMatches, parseLock, serializeLock, vanishedPackages } from '../../../src/builder/lock/lock.js';
import type { PackageRecord } from '../../../src/builder/repo/primary.js';
import type { SyncedRepo } from '../../../src/builder/repo/repo-sync.js';
import { interpretSolverOutput, ResolveError, solverInput } from '../../../src/builder/lock/solver.js';

const def = parseDefinition('img.toml', `name = "img"\nrelease = 42\narches = ["x86_64", "i686"]\npackages = ["glibc"]\nexcludes = ["*-debuginfo"]\n[repos.fedora]\nbaseurl = "https://user:secret@mirror.example/f/"\n`);

function rec(name: string, arch: string, sum: string): PackageRecord {
  return { name, epoch: 0, version: '2.41', release: '1.fc42', arch, checksum: { type: 'sha256', value: sum.repeat(64) }, size: 100, location: `Packages/${name}.${arch}.rpm`, locationBase: undefined, sourcerpm: `${name}-2.41-1.fc42.src.rpm` };
}
const repo: SyncedRepo = {
  id: 'fedora',
  baseUrls: ['https://user:secret@mirror.example/f/'],
  repomdSha256: 'a'.repeat(64),
  repomd: { revision: '1', entries: new Map() },
  primary: { digest: { alg: 'sha256', hex: 'b'.repeat(64) }, path: '/cache/blobs/sha256/bbb', compression: 'zstd' },
  filelists: undefined,
  packages: [rec('glibc', 'x86_64', '1'), rec('glibc', 'i686', '2'), rec('glibc-common', 'x86_64', '3')],
};

test('solver input: primary arch policy, multilib arches, excludes, suffixed metadata links', () => {
  const { input, links } = solverInput(def, [repo], '/tmp/s');
  assert.equal(input.arch, 'x86_64');
  assert.deepEqual(input.multilib, ['i686']);
  assert.deepEqual(input.excludes, ['*-debuginfo']);
  assert.deepEqual(links, [{ link: '/tmp/s/0-primary.xml.zst', target: '/cache/blobs/sha256/bbb' }]);
  assert.equal(input.repos[0]?.filelists, null);
});

test('solver output maps back to records; the lock is sorted, redacted and round-trips', () => {
  const res = interpretSolverOutput(
    {
      ok: true,
      jobs: ['glibc.x86_64', 'glibc.i686'],
      packages: [
        { repo: 'fedora', pkgid: '3'.repeat(64), name: 'glibc-common', evr: '2.41-1.fc42', arch: 'x86_64', location: null },
        { repo: 'fedora', pkgid: '1'.repeat(64), name: 'glibc', evr: '2.41-1.fc42', arch: 'x86_64', location: null },
        { repo: 'fedora', pkgid: null, name: 'glibc', evr: '2.41-1.fc42', arch: 'i686', location: null },
      ],
    },
    [repo],
  );
  const lock = buildLock(def, [repo], res);
  assert.deepEqual(lock.packages.map((p) => `${p.name}.${p.arch}`), ['glibc.i686', 'glibc.x86_64', 'glibc-common.x86_64']);
  assert.deepEqual(lock.repos[0]?.baseurls, ['https://***@mirror.example/f/']);
  assert.doesNotMatch(serializeLock(lock), /secret/);
  assert.deepEqual(parseLock('x.json', serializeLock(lock)), lock);
  checkLockMatches('x.json', lock, def);
  const changed = parseDefinition('img.toml', `name = "img"\nrelease = 42\narches = ["x86_64"]\npackages = ["glibc"]\n`);
  assert.throws(() => checkLockMatches('x.json', lock, changed), (e: unknown) => e instanceof FexpodError && /--locked refuses to re-resolve/.test(e.message));
  assert.deepEqual(vanishedPackages(lock, [{ ...repo, packages: repo.packages.slice(1) }]).map((p) => `${p.name}.${p.arch}`), ['glibc.x86_64']);
});

test('solver problems become a ResolveError naming the missing dependency and who needs it', () => {
  assert.throws(
    () =>
      interpretSolverOutput(
        { ok: false, problems: [{ kind: 'missing', text: 'nothing provides libfoo', missing: [{ dep: 'libfoo.so.1()(64bit)', requiredBy: 'bar-1-1.fc42.x86_64' }], rules: [] }] },
        [repo],
      ),
    (e: unknown) => e instanceof ResolveError && /nothing provides libfoo\.so\.1\(\)\(64bit\) \(required by bar-1-1\.fc42\.x86_64\)/.test(e.message) && e.exitCode === 3,
  );
});

const badLocks = [
  { name: 'not JSON', text: '{', key: '' },
  { name: 'a future schema', text: '{"schemaVersion": 2}', key: 'schemaVersion' },
  { name: 'a bad sha256', text: JSON.stringify({ schemaVersion: 1, definition: { name: 'x', digest: `sha256:${'0'.repeat(64)}`, release: '42', arches: ['x86_64'], weakDeps: false }, repos: [], packages: [{ name: 'a', epoch: 0, version: '1', release: '1', arch: 'x86_64', sha256: 'zz', size: 1, location: 'a.rpm', repo: 'r', sourcerpm: null }] }), key: 'packages.0.sha256' },
];
for (const c of badLocks) {
  test(`parseLock rejects ${c.name} with the key and a fix`, () => {
    assert.throws(() => parseLock('img.lock.json', c.text), (e: unknown) => e instanceof ConfigError && e.keyPath === c.key && e.fix !== undefined);
  });
}
