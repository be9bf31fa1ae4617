import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/common/log.js';
import { build, type BuildDeps, type InstalledSet } from '../../../src/builder/build.js';
import { parseDefinition, type ImageDefinition } from '../../../src/builder/definition.js';
import { bufferContent, type TreeEntry } from '../../../src/builder/tree/tree.js';
import type { ExtractedRpm } from '../../../src/builder/rpm/rpm-extract.js';
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

function fakeDeps(files: Record<string, string>, calls: string[]): BuildDeps {
  return {
    runner: { run: async () => ({ stdout: '', stderr: '' }) },
    privileged: true,
    pageSize: 4096,
    env: {},
    log: silentLogger,
    toolVersion: 'test',
    loadDefinition: async (file: string): Promise<ImageDefinition> => parseDefinition(file, files[file.split('/').pop() ?? ''] ?? ''),
    resolve: async (def) => {
      calls.push(`resolve ${def.name}: ${def.packages.join(' ')}`);
      return { packages: def.packages.map((name) => ({ name, epoch: 0, version: '1', release: '1', arch: 'x86_64', sha256: '0'.repeat(64) })) };
    },
    fetch: async (_def, set) => set.packages.map((p) => p.name),
    install: async (pending): Promise<InstalledSet> => {
      const names = await Promise.all(pending);
      return {
      entries: names.flatMap((n) => TREES[n] ?? []).filter((e, i, all) => all.findIndex((x) => x.path === e.path) === i),
      packages: names.map((name) => ({ name, arch: 'x86_64', header: { number: () => 1_700_000_000, string: () => undefined } }) as unknown as ExtractedRpm),
      };
    },
    ldSoCache: (entries) => Buffer.from(`cache:${entries.filter((e) => e.path.endsWith('.so.6') || e.path.endsWith('.so')).length}`),
  };
}

test('overlay pipeline: the base is installed and profiled, base + overlay packages installed together, only the difference is kept', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fexpod-unit-build-'));
  const calls: string[] = [];
  try {
    const r = await build({ definitionFile: '/defs/ovl.toml', outDir: out }, fakeDeps({ 'base.toml': BASE, 'ovl.toml': OVERLAY }, calls));
    assert.deepEqual(calls, ['resolve base: glibc', 'resolve ovl: glibc mesa']);
    assert.equal(r.sourceDateEpoch, 1_700_000_000, 'default epoch: newest package build time');
    assert.equal(r.entries, 6, 'usr, usr/lib64, usr/lib64/dri, iris_dri.so, etc, etc/ld.so.cache');
    const sbom = JSON.parse(readFileSync(join(out, 'ovl.spdx.json'), 'utf8')) as { packages: { name: string }[] };
    assert.deepEqual(sbom.packages.map((p) => p.name), ['ovl', 'glibc', 'mesa']);
    assert.deepEqual(readdirSync(out), ['ovl.spdx.json'], 'only the requested output, no temp leftovers');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--format overrides the definition and SOURCE_DATE_EPOCH is passed through', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fexpod-unit-build-'));
  try {
    const r = await build({ definitionFile: '/defs/base.toml', outDir: out, formats: ['sbom'], sourceDateEpoch: 42 }, fakeDeps({ 'base.toml': BASE }, []));
    assert.equal(r.sourceDateEpoch, 42);
    const sbom = JSON.parse(readFileSync(join(out, 'base.spdx.json'), 'utf8')) as { creationInfo: { created: string } };
    assert.equal(sbom.creationInfo.created, '1970-01-01T00:00:42Z');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
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
    const out = mkdtempSync(join(tmpdir(), 'fexpod-unit-build-'));
    const calls: string[] = [];
    const base = fakeDeps({ 'base.toml': BASE.replace('["glibc"]', '["glibc", "mesa"]') }, calls);
    const events: string[] = [];
    try {
      const deps: BuildDeps = {
        ...base,
        fetch: async (_def, set, onReady) => {
          onReady?.(0, set.packages[0]?.name ?? '');
          events.push('fetched 0');
          await new Promise((r) => setTimeout(r, 20));
          if (c.fail) throw new Error('HTTP 500 for mesa');
          events.push('fetched 1');
          return set.packages.map((p) => p.name);
        },
        install: async (pending, def, epoch) => {
          events.push(`extracting ${await pending[0]}`);
          try {
            events.push(`extracting ${await pending[1]}`);
          } catch {
            events.push('extract stopped');
            throw new Error('stopped');
          }
          return base.install(pending, def, epoch);
        },
      };
      const run = build({ definitionFile: '/defs/base.toml', outDir: out, formats: ['sbom'] }, deps);
      if (c.fail) {
        await assert.rejects(run, /HTTP 500 for mesa/);
        assert.deepEqual(events, ['fetched 0', 'extracting glibc', 'extract stopped']);
      } else {
        await run;
        assert.deepEqual(events, ['fetched 0', 'extracting glibc', 'fetched 1', 'extracting mesa']);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
