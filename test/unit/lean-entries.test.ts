/**
 * The Podman hook and the muvm dispatcher start for every container and every
 * x86 program: their CommonJS builds (dist/hook/) must load node builtins and
 * fexpod's own small modules only — no npm package, nothing of the builder.
 * Walks every require() reachable from each entry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers/integration.js';

const HOOK_DIST = join(repoRoot(), 'dist', 'hook');

function closure(entry: string): { files: string[]; external: string[] } {
  const files: string[] = [];
  const external: string[] = [];
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() ?? '';
    if (files.includes(file)) continue;
    files.push(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)|import\("([^"]+)"\)/g)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.endsWith('.js') ? spec : `${spec}.js`);
        assert.ok(existsSync(target), `${relative(HOOK_DIST, file)} requires ${spec}, which tsconfig.hook.json did not build`);
        todo.push(target);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) external.push(`${relative(HOOK_DIST, file)}: ${spec}`);
    }
  }
  return { files, external };
}

for (const entry of ['runtime-hook/hook-main.js', 'emulator/microvm/dispatch-main.js']) {
  test(`${entry} (CommonJS build) loads no npm package and nothing of the builder`, () => {
    const { files, external } = closure(join(HOOK_DIST, entry));
    assert.deepEqual(external, []);
    assert.deepEqual(files.filter((f) => f.includes('/builder/')), []);
    assert.ok(files.length < 40, `${files.length} modules`);
  });
}
