/**
 * `@group` entries in a definition's packages, against the real tools:
 *   - dnf (the oracle) resolves `dnf install @group` on the same loopback repositories, built
 *     with createrepo_c -g from test/fixtures/comps (group + group_gz, and group_zst / plain group
 *     variants); dnf is given the comps as pungi publishes them (arch-filtered with libcomps),
 *     fexpod the unfiltered source, as a repository made from fedora-comps would carry it;
 *   - python3-libcomps (dnf's comps library) reads Fedora 41's real comps: every group and
 *     environment fexpod reads from it, after the arch filter, must be what libcomps reads.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { BlobCache } from '../../../src/builder/fetch/cache.js';
import { archFilter, parseComps } from '../../../src/builder/repo/comps.js';
import { parseDefinition } from '../../../src/builder/definition.js';
import { UnknownGroupError } from '../../../src/builder/repo/groups.js';
import { nodeHttpClient } from '../../../src/builder/fetch/http.js';
import { lockDefinition } from '../../../src/builder/lock/lock-definition.js';
import { pythonSolverRunner } from '../../../src/builder/lock/solver.js';
import { dnfResolve, makeTestRepo, tempDir } from '../../helpers/test-repo.js';
import { corpusDir, fileExists, integration, onPath, repoRoot } from '../../helpers/integration.js';

const req = integration(onPath('rpmbuild'), onPath('rpmsign'), onPath('createrepo_c'), onPath('zstd'), onPath('dnf'), onPath('gpg'), fileExists('/usr/bin/python3'));
const work = tempDir('groups-it');
const COMPS = join(repoRoot(), 'test', 'fixtures', 'comps');
const dirs: Record<string, string> = {};

/** What pungi publishes: the comps filtered to one arch by libcomps (dnf's comps library). */
function pungiFilter(src: string, arch: string, out: string): string {
  execFileSync('/usr/bin/python3', ['-c', 'import sys, libcomps\nc = libcomps.Comps()\nc.fromxml_f(sys.argv[1])\nc.arch_filter([sys.argv[2]]).xml_f(sys.argv[3])', src, arch, out]);
  return out;
}

/** Drops one <data> entry from repomd.xml (a repository that publishes only the plain comps). */
function dropRepomdData(repoDir: string, type: string): void {
  const p = join(repoDir, 'repodata', 'repomd.xml');
  writeFileSync(p, readFileSync(p, 'utf8').replace(new RegExp(`\\s*<data type="${type}">[\\s\\S]*?</data>`), ''));
}

before(() => {
  if (req.skip) return;
  const test = join(COMPS, 'comps-test.xml');
  const extra = join(COMPS, 'comps-test-extra.xml');
  dirs['gz'] = makeTestRepo(join(work, 'gz'), { comps: test }).dir;
  dirs['zst'] = makeTestRepo(join(work, 'zst'), { comps: test, compression: 'zst' }).dir;
  dirs['plain'] = makeTestRepo(join(work, 'plain'), { comps: test }).dir;
  dropRepomdData(dirs['plain'], 'group_gz');
  dirs['extra'] = makeTestRepo(join(work, 'extra'), { comps: extra, only: (n) => ['ninja-build', 'yum', 'abcde', 'wget'].includes(n) }).dir;
  dirs['none'] = makeTestRepo(join(work, 'none'), { only: (n) => n === 'dwm' }).dir;
  dirs['oracle'] = makeTestRepo(join(work, 'oracle'), { comps: pungiFilter(test, 'x86_64', join(work, 'comps-x86_64.xml')) }).dir;
  dirs['oracle-extra'] = makeTestRepo(join(work, 'oracle-extra'), { comps: pungiFilter(extra, 'x86_64', join(work, 'extra-x86_64.xml')), only: (n) => ['ninja-build', 'yum', 'abcde', 'wget'].includes(n) }).dir;
});
after(() => rmSync(work, { recursive: true, force: true }));

async function fexpodLock(repos: readonly string[], arches: readonly string[], packages: readonly string[]) {
  const def = parseDefinition(
    't.toml',
    `name = "t"\nrelease = 29\narches = ${JSON.stringify(arches)}\npackages = ${JSON.stringify(packages)}\n` +
      repos.map((r) => `[repos.${r}]\nbaseurl = "file://${dirs[r]}/"\ngpgcheck = false\n`).join(''),
  );
  const log = memoryLogger();
  const { lock } = await lockDefinition(def, { http: nodeHttpClient(), cache: new BlobCache(join(work, 'cache')), log, runSolver: pythonSolverRunner() });
  return { lock, log, names: lock.packages.map((p) => `${p.name}.${p.arch}`).sort() };
}

const cases = [
  { name: '@core, x86_64 alone, group_gz metadata', repos: ['gz'], oracle: ['oracle'], arches: ['x86_64'], packages: ['@core'] },
  { name: '@core, x86_64 + i686 multilib (basearchonly wget stays x86_64), group_zst metadata', repos: ['zst'], oracle: ['oracle'], arches: ['x86_64', 'i686'], packages: ['@core'] },
  { name: 'an environment and a package, plain group metadata', repos: ['plain'], oracle: ['oracle'], arches: ['x86_64'], packages: ['@minimal-environment', 'flac'] },
  { name: 'groups of two repositories merge (a group redefined, another added)', repos: ['gz', 'extra'], oracle: ['oracle', 'oracle-extra'], arches: ['x86_64'], packages: ['@audio', '@build'] },
  { name: 'merged groups, multilib, by name and by glob', repos: ['gz', 'extra'], oracle: ['oracle', 'oracle-extra'], arches: ['x86_64', 'i686'], packages: ['@Core', '@aud*'] },
] as const;

for (const c of cases) {
  test(`groups resolve exactly as dnf install does: ${c.name}`, req, async () => {
    const ours = await fexpodLock(c.repos, c.arches, c.packages);
    const [first, ...more] = c.oracle.map((r) => `file://${dirs[r]}`);
    const oracle = dnfResolve({ repoUrl: first!, moreRepoUrls: more, packages: c.packages, multilib: c.arches.length > 1 }).packages;
    assert.deepEqual(ours.names, oracle);
    assert.ok(ours.names.length >= 4);
  });
}

test('the lock records which group gave which package; dnf\'s warnings are passed on', req, async () => {
  const { lock, log, names } = await fexpodLock(['gz'], ['x86_64'], ['@core', 'flac']);
  assert.ok(names.includes('flac.x86_64'));
  assert.deepEqual(lock.groups, [{ spec: '@core', groups: ['core'], packages: ['basesystem', 'filesystem', 'glibc', 'http-parser', 'lame', 'setup', 'wget'] }]);
  assert.ok(!names.includes('kernel.x86_64'), 'optional packages are not installed');
  assert.ok(!names.includes('nodejs-docs.noarch'), 'a conditional package whose condition is not installed is not');
  assert.ok(!names.includes('dwm.x86_64'), 'an aarch64-only group package is not installed for x86_64');
  assert.ok(log.lines.some((l) => l.includes('No match for group package "no-such-package"')), log.lines.join('\n'));
});

test('an unknown group: a clear error naming the group and the repositories searched', req, async () => {
  await assert.rejects(fexpodLock(['gz', 'none'], ['x86_64'], ['glibc', '@x86-emulation']), (e: unknown) => {
    assert.ok(e instanceof UnknownGroupError, String(e));
    assert.equal(e.message, 'no group or environment matches "@x86-emulation" in the comps of repositories gz, none (none has no group metadata)');
    assert.equal(e.exitCode, 3);
    return true;
  });
});

const LIBCOMPS_DUMP = `
import json, sys, libcomps
c = libcomps.Comps()
c.fromxml_f(sys.argv[1])
f = c.arch_filter([sys.argv[2]])
types = {0: "default", 1: "optional", 2: "conditional", 3: "mandatory"}
json.dump({
  "groups": {g.id: [[p.name, types.get(p.type, "unknown"), p.requires or "", bool(p.basearchonly)] for p in g.packages] for g in f.groups},
  "environments": {e.id: [[x.name for x in e.group_ids], [x.name for x in e.option_ids]] for e in f.environments},
}, sys.stdout)
`;

for (const arch of ['x86_64', 'aarch64']) {
  test(`Fedora 41's real comps read as libcomps reads them (${arch}): every group and environment`, req, () => {
    // fedora-comps' source marks translatable names as _name; its build makes them <name>.
    const file = join(work, `comps-f41-${arch}.xml`);
    writeFileSync(file, readFileSync(join(corpusDir(), 'comps-f41.xml.in'), 'utf8').replace(/<(\/?)_(name|description)>/g, '<$1$2>'));
    const oracle: unknown = JSON.parse(execFileSync('/usr/bin/python3', ['-c', LIBCOMPS_DUMP, file, arch], { maxBuffer: 64 << 20 }).toString());
    const ours = archFilter(parseComps(readFileSync(file, 'utf8'), file), arch);
    const mine = {
      groups: Object.fromEntries(ours.groups.map((g) => [g.id, g.packages.map((p) => [p.name, p.type, p.requires ?? '', p.basearchonly])])),
      environments: Object.fromEntries(ours.environments.map((e) => [e.id, [e.groups.map((x) => x.id), e.options.map((x) => x.id)]])),
    };
    assert.deepEqual(mine, oracle);
    assert.ok(ours.groups.length > 100 && ours.environments.length > 10);
  });
}
