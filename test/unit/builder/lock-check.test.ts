/**
 * A lock edited by hand is refused when it is loaded, naming the lock file, the key path and
 * the fix: a source package (it would put its spec and sources into /), a package of an
 * architecture the definition does not allow, a repository whose gpgcheck or keys differ from
 * the definition's, a repository the definition does not have, a size no RPM can have.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/common/errors.js';
import { silentLogger } from '../../../src/common/log.js';
import { parseDefinition } from '../../../src/builder/definition.js';
import { nodePackageRepos } from '../../../src/builder/build-deps.js';
import { resolve } from '../../../src/builder/steps/resolve.js';
import { checkLockContent, RPM_ARCH_FAMILY } from '../../../src/builder/lock/lock-check.js';
import { checkLocked } from '../../../src/builder/lock/lock-definition.js';
import { serializeLock, type Lock, type LockedPackage } from '../../../src/builder/lock/lock.js';
import { repoRoot } from '../../helpers/integration.js';

const TOML = `name = "img"\nrelease = 42\narches = ["x86_64", "i686"]\npackages = ["glibc"]\n[repos.fedora]\nbaseurl = "http://127.0.0.1:9/f/"\ngpgkey = ["file:///keys/k.asc"]\n`;
const def = parseDefinition('img.toml', TOML);

const pkg = (over: Partial<LockedPackage> = {}): LockedPackage => ({
  name: 'glibc', epoch: 0, version: '2.41', release: '1.fc42', arch: 'x86_64', sha256: '1'.repeat(64), size: 2_000_000,
  location: 'Packages/g/glibc-2.41-1.fc42.x86_64.rpm', repo: 'fedora', sourcerpm: 'glibc-2.41-1.fc42.src.rpm', ...over,
});

function lockWith(packages: LockedPackage[], repo: Partial<Lock['repos'][number]> = {}): Lock {
  return {
    schemaVersion: 1,
    definition: { name: 'img', digest: def.digest, release: '42', arches: ['x86_64', 'i686'], weakDeps: false },
    repos: [{ id: 'fedora', repomd: `sha256:${'a'.repeat(64)}`, baseurls: ['http://127.0.0.1:9/f/'], gpgcheck: true, gpgkeys: ['file:///keys/k.asc'], ...repo }],
    packages,
  };
}

test('a lock as fexpod writes it passes (x86_64, i686 and its family, noarch)', () => {
  checkLockContent('img.lock.json', lockWith([pkg(), pkg({ arch: 'i686' }), pkg({ name: 'tzdata', arch: 'noarch' }), pkg({ name: 'old', arch: 'i586' })]), def);
});

const refused = [
  { name: 'a source package (arch src)', lock: lockWith([pkg(), pkg({ name: 'empty', version: '0', release: '0', arch: 'src', location: 'empty-0-0.src.rpm', sourcerpm: null })]), key: 'packages.1', problem: /empty-0-0\.src is a source package \(empty-0-0\.src\.rpm\)/ },
  { name: 'a .src.rpm listed under a binary arch', lock: lockWith([pkg({ location: 'Packages/g/glibc-2.41-1.fc42.src.rpm' })]), key: 'packages.0', problem: /is a source package/ },
  { name: 'an arch the definition does not allow', lock: lockWith([pkg({ arch: 'aarch64' })]), key: 'packages.0.arch', problem: /glibc-2\.41-1\.fc42\.aarch64 is built for aarch64, which the definition's arches \(x86_64, i686\) do not allow/ },
  { name: 'gpgcheck turned off in the lock only', lock: lockWith([pkg()], { gpgcheck: false }), key: 'repos.0.gpgcheck', problem: /gpgcheck false, the definition says true/ },
  { name: 'other keys in the lock only', lock: lockWith([pkg()], { gpgkeys: ['https://evil.example/k.asc'] }), key: 'repos.0.gpgkeys', problem: /other keys/ },
  { name: 'a repository the definition does not have', lock: lockWith([pkg({ repo: 'other' })], { id: 'other' }), key: 'repos.0.id', problem: /repository other is not in the definition/ },
  { name: 'a 0-byte package', lock: lockWith([pkg({ size: 0 })]), key: 'packages.0.size', problem: /0 bytes: too small to be an RPM/ },
  { name: 'arches edited', lock: { ...lockWith([pkg()]), definition: { ...lockWith([]).definition, arches: ['x86_64', 'aarch64'] } }, key: 'definition.arches', problem: /definition\.arches|says/ },
];
for (const c of refused) {
  test(`refused: ${c.name}`, () => {
    assert.throws(() => checkLockContent('img.lock.json', c.lock, def), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.keyPath, c.key);
      assert.match(e.message, /^img\.lock\.json: /);
      assert.match(e.message, c.problem);
      assert.match(e.fix ?? '', /regenerate it with "fexpod lock img\.toml"/);
      return true;
    });
  });
}

test('--locked refuses a hand-edited lock before touching the network', async () => {
  await assert.rejects(checkLocked('img.lock.json', lockWith([pkg({ arch: 'src', location: 'x.src.rpm' })]), def, undefined), ConfigError);
});

test('fexpod build (no --locked): a hand-edited lock that still matches the digest is refused, not used or silently rewritten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-lock-check-'));
  try {
    const defFile = join(dir, 'img.toml');
    writeFileSync(defFile, TOML);
    const d = parseDefinition(defFile, TOML);
    const lockFile = join(dir, 'img.lock.json');
    const text = serializeLock({ ...lockWith([pkg(), pkg({ name: 'empty', arch: 'src', location: 'empty-0-0.src.rpm' })]), definition: { ...lockWith([]).definition, digest: d.digest } });
    writeFileSync(lockFile, text);
    const repos = nodePackageRepos({ env: {}, cacheDir: join(dir, 'cache'), log: silentLogger, progress: { stream: process.stderr, mode: 'quiet', now: Date.now } });
    const ctx = { definition: d, options: { lockFile, resolve: 'when-stale' as const, offline: false, jobs: 1 }, deps: { log: silentLogger, repos } };
    await assert.rejects(resolve(ctx), (e: unknown) =>
      e instanceof Error && e.cause instanceof ConfigError && e.cause.keyPath === 'packages.1' && e.message.startsWith(`resolving ${defFile}: ${lockFile}: `));
    assert.equal(readFileSync(lockFile, 'utf8'), text, 'the lock is left as it was');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the arch families equal the solver\'s (resolve.py ARCH_FAMILY)', () => {
  const py = readFileSync(join(repoRoot(), 'src', 'builder', 'solv', 'resolve.py'), 'utf8');
  const block = /ARCH_FAMILY = \{([\s\S]*?)\n\}/.exec(py)?.[1] ?? '';
  const fromPy: Record<string, string[]> = {};
  for (const m of block.matchAll(/"([^"]+)": \[([^\]]*)\]/g)) fromPy[m[1]!] = [...m[2]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
  assert.deepEqual(fromPy, RPM_ARCH_FAMILY);
});
