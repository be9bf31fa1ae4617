/**
 * The Podman hook and the muvm dispatcher start for every container and every
 * x86 program: what their entries can load must be node builtins and fexpod's
 * own small modules only — no npm package, nothing of the builder, the
 * registry client, the publisher, setup or the RootFS installer. Walks every
 * require()/import reachable from each entry, in the CommonJS build Podman
 * runs (dist/hook/) and in the ES module build the hook falls back to
 * (dist/src/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers/integration.js';

const DIST = join(repoRoot(), 'dist');
/** Parts of fexpod the hook and the dispatcher must never load. */
const HEAVY_PARTS = ['builder', 'registry', 'publish', 'setup', 'rootfs'];
const SPECIFIERS = /\brequire\(\s*["']([^"']+)["']\s*\)|\bimport\(\s*["']([^"']+)["']\s*\)|\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;

/** Every module an entry can load (static: only those loaded at start, not the dynamic import()s). */
function closure(entry: string, opts: { staticOnly?: boolean } = {}): { files: string[]; external: string[] } {
  const files: string[] = [];
  const external: string[] = [];
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() ?? '';
    if (files.includes(file)) continue;
    files.push(file);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIERS)) {
      if (opts.staticOnly && m[2] !== undefined) continue;
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.endsWith('.js') ? spec : `${spec}.js`);
        assert.ok(existsSync(target), `${relative(DIST, file)} loads ${spec}, which the build did not make`);
        todo.push(target);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) external.push(`${relative(DIST, file)}: ${spec}`);
    }
  }
  return { files, external };
}

const entries = [
  { entry: 'hook/runtime-hook/hook-main.js', root: 'hook' },
  { entry: 'hook/emulator/microvm/dispatch-main.js', root: 'hook' },
  { entry: 'src/runtime-hook/hook-main.js', root: 'src' },
  { entry: 'src/emulator/microvm/dispatch-main.js', root: 'src' },
];

for (const { entry, root } of entries) {
  test(`dist/${entry} loads no npm package and nothing of ${HEAVY_PARTS.join(', ')}`, () => {
    const { files, external } = closure(join(DIST, entry));
    assert.deepEqual(external, []);
    const heavy = files.map((f) => relative(join(DIST, root), f)).filter((f) => HEAVY_PARTS.includes(f.split('/')[0] ?? ''));
    assert.deepEqual(heavy, []);
    assert.ok(files.length < 40, `${files.length} modules`);
  });
}

const partsOf = (files: readonly string[]) => new Set(files.map((f) => relative(join(DIST, 'src'), f).split('/')[0]));

test('the closure walk sees what an entry loads: the build command reaches the builder, its npm packages and the registry client', () => {
  const { files, external } = closure(join(DIST, 'src', 'builder', 'build-command.js'));
  const parts = partsOf(files);
  assert.ok(parts.has('builder') && parts.has('publish') && parts.has('registry'), [...parts].join(' '));
  assert.ok(external.some((e) => e.endsWith(': zod')), external.join('\n'));
});

test('fexpod build loads the registry client only to push (a dynamic import)', () => {
  const parts = partsOf(closure(join(DIST, 'src', 'builder', 'build-command.js'), { staticOnly: true }).files);
  assert.ok(parts.has('builder'));
  assert.equal(parts.has('registry'), false, [...parts].join(' '));
});
