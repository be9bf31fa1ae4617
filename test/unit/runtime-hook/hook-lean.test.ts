/**
 * The hook is started by Podman for every container: everything compiled into
 * dist/hook/ (its entry and whatever it can load, the rootless private-binfmt
 * route included) may require only node builtins and its own small modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../helpers/integration.js';

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

test('dist/hook requires nothing but node: builtins and relative modules', () => {
  const root = join(repoRoot(), 'dist', 'hook');
  const files = jsFiles(root);
  assert.ok(files.some((f) => f.endsWith('private-binfmt.js')), 'the rootless route is part of the hook build');
  const bad: string[] = [];
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? '';
      if (!spec.startsWith('node:') && !spec.startsWith('./') && !spec.startsWith('../')) bad.push(`${relative(root, f)}: ${spec}`);
    }
  }
  assert.deepEqual(bad, []);
});
