/**
 * Integration tests use the real thing (podman, binfmt_misc, QEMU, the registry,
 * rpmbuild/createrepo_c). On a laptop that lacks a part they skip; in CI
 * FEXPOD_REQUIRE_INTEGRATION=1 turns every such skip into a failure.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const REQUIRE_INTEGRATION = process.env['FEXPOD_REQUIRE_INTEGRATION'] === '1';

export interface Requirement {
  readonly what: string;
  readonly ok: boolean;
}

export function onPath(cmd: string): Requirement {
  const dirs = (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter);
  const ok = dirs.some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return { what: `${cmd} on PATH`, ok };
}

export function isRoot(): Requirement {
  return { what: 'running as root', ok: process.getuid?.() === 0 };
}

export function fileExists(path: string): Requirement {
  try {
    accessSync(path, constants.F_OK);
    return { what: path, ok: true };
  } catch {
    return { what: path, ok: false };
  }
}

/**
 * Returns the options object for node:test: `{ skip: reason }` when a requirement
 * is missing, or throws (fails) when integration is required.
 *
 *   test('podman runs arm64', integration(onPath('podman'), isRoot()), async () => {...})
 */
export function integration(...reqs: Requirement[]): { skip?: string } {
  const missing = reqs.filter((r) => !r.ok).map((r) => r.what);
  if (missing.length === 0) return {};
  const reason = `integration test needs: ${missing.join(', ')}`;
  if (REQUIRE_INTEGRATION) {
    // A test file that cannot run its integration tests fails loudly in CI.
    throw new Error(`${reason} (FEXPOD_REQUIRE_INTEGRATION=1 forbids skipping)`);
  }
  return { skip: reason };
}

/** Path to the public test corpus: test/fixtures/corpus in this repository, never a copy outside it. */
export function corpusDir(): string {
  return join(repoRoot(), 'test', 'fixtures', 'corpus');
}

/** The repository root, from dist/test/helpers back up. */
export function repoRoot(): string {
  return new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
}

/** For a test that finds out inside its body that a part is missing: skip, or fail in CI. */
export function skipOrFail(t: { skip(message?: string): void }, reason: string): void {
  if (REQUIRE_INTEGRATION) throw new Error(`${reason} (FEXPOD_REQUIRE_INTEGRATION=1 forbids skipping)`);
  t.skip(reason);
}
