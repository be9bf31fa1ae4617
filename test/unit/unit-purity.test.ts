/**
 * `npm test` (scripts/test.sh) runs the unit tests alongside the integration
 * tests, which change machine-global state under the binfmt test lock. That is
 * safe only while no unit test reaches for that state: none may import the
 * lock, the integration tests' helpers (podman, the hook's host setup), the
 * stand-in bases or the test user. (helpers/foreign-image.js is allowed for its
 * pure parts: test-repo.js takes cacheDir from it.) Walks every import
 * reachable from each compiled unit test file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../helpers/integration.js';

const DIST_TEST = join(repoRoot(), 'dist', 'test');
const FROM = /\bfrom\s*["'](\.[^"']+)["']|\bimport\(\s*["'](\.[^"']+)["']\s*\)|^\s*import\s*["'](\.[^"']+)["']/gm;

/** Test modules that change machine-global state (or build images in podman's shared storage). */
const GLOBAL_STATE = [
  'helpers/binfmt-lock.js',
  'helpers/standin-base.js',
  'helpers/standin-prepared.js',
  'helpers/test-user.js',
  'helpers/lab-fex.js',
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []));
}

function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() ?? '';
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(FROM)) todo.push(resolve(dirname(file), m[1] ?? m[2] ?? m[3] ?? ''));
  }
  return [...seen].map((f) => relative(DIST_TEST, f));
}

test('no unit test loads a module that changes machine-global state (they run alongside the integration tests)', () => {
  const files = testFiles(join(DIST_TEST, 'unit'));
  assert.ok(files.length > 50, `only ${files.length} unit test files under ${DIST_TEST}/unit: is the build there?`);
  const offenders = files.flatMap((f) =>
    reachable(f)
      .filter((m) => GLOBAL_STATE.includes(m) || m.startsWith('integration/'))
      .map((m) => `${relative(DIST_TEST, f)} → ${m}`),
  );
  assert.deepEqual(offenders, []);
});
