/**
 * The build pipeline (build.ts) over its steps with stand-in repositories and
 * packages: the real resolve/fetch/extract/profile/layer/outputs steps run,
 * only the effects behind them (repository metadata, downloads, payload
 * extraction) are replaced, so the order of the steps, what travels between
 * them and the overlap of fetch and extract are what is tested.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../../../src/common/hash.js';
import { silentLogger } from '../../../src/common/log.js';
import { build } from '../../../src/builder/build.js';
import { buildContext, type BuildDeps, type BuildRequest, type PackageRepos } from '../../../src/builder/build-context.js';
import { parseDefinition, type ImageDefinition } from '../../../src/builder/definition.js';
import type { Lock } from '../../../src/builder/lock/lock.js';
import type { ExtractedRpm } from '../../../src/builder/rpm/rpm-extract.js';
import { S_IFDIR, S_IFREG, type RpmFile } from '../../../src/builder/rpm/rpm-files.js';
import { bufferContent, type ContentSource, type TreeEntry } from '../../../src/builder/tree/tree.js';
import { repoRoot } from '../../helpers/integration.js';

const m = { uid: 0, gid: 0, mtime: 50 };
const d = (path: string): TreeEntry => ({ path, type: 'dir', mode: 0o755, ...m });
const f = (path: string, body: string): TreeEntry => ({ path, type: 'file', mode: 0o644, ...m, content: bufferContent(Buffer.from(body)) });

const BASE = `name = "base"\nrelease = 42\narches = ["x86_64"]\npackages = ["glibc"]\n[repos.r]\nbaseurl = "http://127.0.0.1:1/"\ngpgcheck = false\n`;
const OVERLAY = `name = "ovl"\nrelease = 42\narches = ["x86_64"]\nprofile = "overlay"\nbase = "base.toml"\npackages = ["mesa"]\n[repos.r]\nbaseurl = "http://127.0.0.1:1/"\ngpgcheck = false\n[outputs]\nformats = ["sbom"]\n`;

const TREES: Record<string, TreeEntry[]> = {
  glibc: [d('etc'), f('etc/passwd', 'root'), d('usr'), d('usr/lib64'), f('usr/lib64/libc.so.6', 'libc')],
  mesa: [d('usr'), d('usr/lib64'), d('usr/lib64/dri'), f('usr/lib64/dri/iris_dri.so', 'iris')],
};

/** A stand-in for an extracted package: the tree's entries as RPM file records. */
function standinRpm(name: string): ExtractedRpm {
  const entries = TREES[name] ?? [];
  const content = new Map<number, ContentSource>();
  const files: RpmFile[] = entries.map((e, index) => {
    if (e.content) content.set(index, e.content);
    return {
      index, path: `/${e.path}`, mode: (e.type === 'dir' ? S_IFDIR : S_IFREG) | e.mode, size: e.content?.size ?? 0, user: 'root', group: 'root',
      mtime: e.mtime, linkTo: '', flags: 0, digest: '', lang: '', caps: '', color: 0, rdev: 0, hardlinks: [],
    };
  });
  return { nevra: `${name}-1-1.x86_64`, name, arch: 'x86_64', header: { number: () => 1_700_000_000, string: () => undefined } as unknown as ExtractedRpm['header'], files, content };
}

const shaOf = (name: string) => sha256Hex(name);

function standinLock(def: ImageDefinition): Lock {
  return {
    schemaVersion: 1,
    definition: { name: def.name, digest: def.digest, release: def.release, arches: [...def.arches], weakDeps: true },
    repos: [{ id: 'r', repomd: `sha256:${'0'.repeat(64)}`, baseurls: ['http://127.0.0.1:1/'], gpgcheck: false, gpgkeys: [] }],
    packages: def.packages.map((name) => ({ name, epoch: 0, version: '1', release: '1', arch: 'x86_64', sha256: shaOf(name), size: 100_000, location: `${name}.rpm`, repo: 'r', sourcerpm: null })),
  };
}

function standinDeps(calls: string[], fetch?: PackageRepos['fetch'], events?: string[]): BuildDeps {
  return {
    runner: { run: async () => ({ stdout: '', stderr: '' }) },
    privileged: true,
    pageSize: 4096,
    env: {},
    log: silentLogger,
    toolVersion: 'test',
    repos: {
      cacheDir: '/nonexistent',
      lock: async (def) => {
        calls.push(`resolve ${def.name}: ${def.packages.join(' ')}`);
        return standinLock(def);
      },
      check: async () => {},
      fetch: fetch ?? (async (lock) => new Map(lock.packages.map((p) => [p.sha256, p.name]))),
    },
    extraction: {
      stats: { extracted: 0, reused: 0 },
      extract: async (path) => {
        events?.push(`extracting ${path}`);
        return standinRpm(path);
      },
    },
    ldSoCache: (entries) => Buffer.from(`cache:${entries.filter((e) => e.path.endsWith('.so.6') || e.path.endsWith('.so')).length}`),
  };
}

async function withDefinitions<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-unit-build-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runBuild(req: BuildRequest, deps: BuildDeps) {
  const load = async (file: string) => parseDefinition(file, readFileSync(file, 'utf8'));
  return build(await buildContext(req, load, deps));
}

test('overlay pipeline: the base is installed and profiled, base + overlay packages installed together, only the difference is kept', async () => {
  await withDefinitions({ 'base.toml': BASE, 'ovl.toml': OVERLAY }, async (dir) => {
    const out = join(dir, 'out');
    const calls: string[] = [];
    const { result: r } = await runBuild({ definitionFile: join(dir, 'ovl.toml'), outDir: out, rebuild: true }, standinDeps(calls));
    assert.deepEqual(calls, ['resolve base: glibc', 'resolve ovl: glibc mesa']);
    assert.deepEqual(readdirSync(dir).filter((x) => x.endsWith('.lock.json')).sort(), ['base.lock.json', 'ovl.lock.json'], 'each definition has its own lock');
    assert.equal(r.sourceDateEpoch, 1_700_000_000, 'default epoch: newest package build time');
    assert.equal(r.entries, 6, 'usr, usr/lib64, usr/lib64/dri, iris_dri.so, etc, etc/ld.so.cache');
    const sbom = JSON.parse(readFileSync(join(out, 'ovl.spdx.json'), 'utf8')) as { packages: { name: string }[] };
    assert.deepEqual(sbom.packages.map((p) => p.name), ['ovl', 'glibc', 'mesa']);
    assert.deepEqual(readdirSync(out), ['ovl.spdx.json'], 'only the requested output, no temp leftovers');
  });
});

test('--format overrides the definition and SOURCE_DATE_EPOCH is passed through', async () => {
  await withDefinitions({ 'base.toml': BASE }, async (dir) => {
    const out = join(dir, 'out');
    const { result: r } = await runBuild({ definitionFile: join(dir, 'base.toml'), outDir: out, formats: ['sbom'], sourceDateEpoch: 42 }, standinDeps([]));
    assert.equal(r.sourceDateEpoch, 42);
    const sbom = JSON.parse(readFileSync(join(out, 'base.spdx.json'), 'utf8')) as { creationInfo: { created: string } };
    assert.equal(sbom.creationInfo.created, '1970-01-01T00:00:42Z');
  });
});

test('a second identical build reuses the recorded outputs without fetching; a matching lock is not resolved again', async () => {
  await withDefinitions({ 'base.toml': BASE }, async (dir) => {
    const out = join(dir, 'out');
    const calls: string[] = [];
    const fetched: string[] = [];
    const deps = standinDeps(calls, async (lock) => {
      fetched.push(lock.definition.name);
      return new Map(lock.packages.map((p) => [p.sha256, p.name]));
    });
    const req = { definitionFile: join(dir, 'base.toml'), outDir: out, formats: ['sbom' as const] };
    const first = await runBuild(req, deps);
    const second = await runBuild(req, deps);
    assert.deepEqual(calls, ['resolve base: glibc'], 'the lock written by the first build is used by the second');
    assert.deepEqual(fetched, ['base'], 'nothing fetched the second time');
    assert.equal(second.result.reused, true);
    assert.equal(second.result.manifestDigest, first.result.manifestDigest);
  });
});

for (const file of readdirSync(join(repoRoot(), 'images')).filter((x) => x.endsWith('.toml')).sort()) {
  test(`shipped definition images/${file} parses, with its profile and output options`, () => {
    const path = join(repoRoot(), 'images', file);
    const def = parseDefinition(path, readFileSync(path, 'utf8'));
    const kind = def.profile.kind;
    if (kind === 'rootfs' && file.startsWith('fex-rootfs')) {
      assert.equal(def.outputs.options.erofs_name, 'default.erofs');
      assert.deepEqual(def.arches, ['x86_64', 'i686']);
      assert.ok(def.outputs.formats.includes('erofs'));
    }
    if (kind === 'sysroot') for (const p of ['glibc-devel', 'libstdc++', 'libstdc++-devel', 'kernel-headers']) assert.ok(def.packages.includes(p), p);
    if (kind === 'overlay') assert.equal(def.base, 'fex-rootfs-fedora.toml');
  });
}

const fetchCases = [
  {
    name: 'extraction starts on each package as soon as fetch reports it verified, before the whole fetch ends',
    fail: false,
  },
  {
    name: 'a fetch failure fails the build with the fetch error; the packages never reported are never extracted',
    fail: true,
  },
];
for (const c of fetchCases) {
  test(`fetch ∥ extract: ${c.name}`, async () => {
    await withDefinitions({ 'base.toml': BASE.replace('["glibc"]', '["glibc", "mesa"]') }, async (dir) => {
      const events: string[] = [];
      const fetch: PackageRepos['fetch'] = async (lock, _def, opts) => {
        const [first] = lock.packages;
        opts.onVerified?.(first?.sha256 ?? '', first?.name ?? '');
        events.push('fetched 0');
        await new Promise((r) => setTimeout(r, 20));
        if (c.fail) throw new Error('HTTP 500 for mesa');
        events.push('fetched 1');
        return new Map(lock.packages.map((p) => [p.sha256, p.name]));
      };
      const run = runBuild({ definitionFile: join(dir, 'base.toml'), outDir: join(dir, 'out'), formats: ['sbom'] }, standinDeps([], fetch, events));
      if (c.fail) {
        await assert.rejects(run, /fetching the packages of base: HTTP 500 for mesa/);
        assert.deepEqual(events, ['fetched 0', 'extracting glibc']);
      } else {
        await run;
        assert.deepEqual(events, ['fetched 0', 'extracting glibc', 'fetched 1', 'extracting mesa']);
      }
    });
  });
}
