/**
 * fexpod's libsolv resolution against dnf (the oracle) on the same loopback repository, built
 * from the corpus dnf-ci-fedora specs and served behind a metalink.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/common/log.js';
import { BlobCache } from '../../../src/builder/fetch/cache.js';
import { parseDefinition } from '../../../src/builder/definition.js';
import { nodeHttpClient } from '../../../src/builder/fetch/http.js';
import { lockDefinition } from '../../../src/builder/lock/lock-definition.js';
import { pythonSolverRunner, ResolveError } from '../../../src/builder/lock/solver.js';
import { dnfResolve, makeTestRepo, serveMirrors, tempDir, type MetadataCompression, type TestMirrors, type TestRepo } from '../../helpers/test-repo.js';
import { fileExists, integration, onPath } from '../../helpers/integration.js';

const req = integration(onPath('rpmbuild'), onPath('rpmsign'), onPath('createrepo_c'), onPath('zstd'), onPath('xz'), onPath('bzip2'), onPath('dnf'), onPath('gpg'), fileExists('/usr/bin/python3'));

const repos = new Map<MetadataCompression, { repo: TestRepo; mirrors: TestMirrors }>();
const work = tempDir('resolve-it');

before(async () => {
  if (req.skip) return;
  for (const c of ['zst', 'gz', 'xz', 'bz2'] as const) {
    const repo = makeTestRepo(join(work, c), { compression: c });
    repos.set(c, { repo, mirrors: await serveMirrors(repo.dir, 2) });
  }
});
after(async () => {
  for (const r of repos.values()) await r.mirrors.close();
  rmSync(work, { recursive: true, force: true });
});

function definition(metalink: string, keyFile: string, arches: string[], packages: string[], weakDeps = false, excludes: readonly string[] = []): string {
  return `name = "t"
release = 29
weak_deps = ${weakDeps}
excludes = ${JSON.stringify(excludes)}
arches = ${JSON.stringify(arches)}
packages = ${JSON.stringify(packages)}
[repos.fedora]
metalink = "${metalink}"
gpgkey = ["file://${keyFile}"]
`;
}

async function fexpodResolve(c: MetadataCompression, arches: string[], packages: string[], weakDeps = false, excludes: readonly string[] = []): Promise<string[]> {
  const { repo, mirrors } = repos.get(c)!;
  const def = parseDefinition('t.toml', definition(mirrors.metalinkUrl, repo.keyFile, arches, packages, weakDeps, excludes));
  const { lock } = await lockDefinition(def, {
    http: nodeHttpClient(),
    cache: new BlobCache(join(work, `cache-${c}`)),
    log: silentLogger,
    runSolver: pythonSolverRunner(),
  });
  return lock.packages.map((p) => `${p.name}.${p.arch}`).sort();
}

const BASE = ['glibc', 'setup', 'filesystem', 'basesystem'];
const cases = [
  { name: 'x86_64 alone, zst metadata', c: 'zst', arches: ['x86_64'], packages: BASE },
  { name: 'x86_64 + i686 multilib, zst metadata', c: 'zst', arches: ['x86_64', 'i686'], packages: BASE },
  { name: 'x86_64 alone, gz metadata', c: 'gz', arches: ['x86_64'], packages: BASE },
  { name: 'x86_64 + i686 multilib, gz metadata', c: 'gz', arches: ['x86_64', 'i686'], packages: BASE },
  { name: 'x86_64 + i686, more packages, xz metadata', c: 'xz', arches: ['x86_64', 'i686'], packages: [...BASE, 'flac', 'lame', 'http-parser'] },
  { name: 'x86_64 alone, more packages, bz2 metadata', c: 'bz2', arches: ['x86_64'], packages: [...BASE, 'flac', 'lame', 'wget'] },
  { name: 'weak dependencies on (abcde recommends flac)', c: 'gz', arches: ['x86_64'], packages: [...BASE, 'abcde'], weakDeps: true },
  { name: 'weak dependencies off', c: 'gz', arches: ['x86_64'], packages: [...BASE, 'abcde'], weakDeps: false },
  { name: 'excludes (glibc-all-langpacks hidden: a single langpack provides glibc-langpack)', c: 'zst', arches: ['x86_64', 'i686'], packages: BASE, excludes: ['glibc-all-langpacks'] },
] as const;

for (const c of cases) {
  test(`resolves exactly as dnf does: ${c.name}`, req, async () => {
    const weak = 'weakDeps' in c ? c.weakDeps : false;
    const excludes = 'excludes' in c ? c.excludes : [];
    const ours = await fexpodResolve(c.c, [...c.arches], [...c.packages], weak, excludes);
    // dnf reads the same files directly (this process serves the HTTP mirrors, so no sync call to them).
    const oracle = dnfResolve({ repoUrl: `file://${repos.get(c.c)!.repo.dir}`, packages: c.packages, multilib: c.arches.length > 1, weakDeps: weak, excludes }).packages;
    if ('weakDeps' in c) assert.equal(ours.includes('flac.x86_64'), weak);
    assert.deepEqual(ours, oracle);
    assert.ok(ours.length >= 6);
  });
}

test('unresolvable request: names what is missing and who required it', req, async () => {
  await assert.rejects(fexpodResolve('zst', ['x86_64'], ['glibc-devel']), (e: unknown) => {
    assert.ok(e instanceof ResolveError);
    assert.match(e.message, /nothing provides libgcc\(x86-64\) \(required by glibc-devel-2\.28-9\.fc29\.x86_64\)/);
    assert.equal(e.exitCode, 3);
    return true;
  });
});

test('unknown package name: says no package provides it', req, async () => {
  await assert.rejects(fexpodResolve('zst', ['x86_64'], ['glibc', 'no-such-package']), (e: unknown) => {
    return e instanceof ResolveError && /no package provides no-such-package/.test(e.message);
  });
});
