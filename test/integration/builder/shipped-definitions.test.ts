/**
 * The shipped Fedora definitions cannot be resolved here (no Fedora mirror), but everything up to
 * the solver can be run for real: `fexpod lock images/X.toml --repo fedora=… --repo updates=…`
 * against a loopback repository parses and checks the whole definition, applies both overrides,
 * syncs both repositories and hands libsolv the definition's package set, which then names the
 * Fedora packages the test repository lacks (exit 3, unresolvable) — not a definition error.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTestRepo, tempDir } from '../../helpers/test-repo.js';
import { fileExists, integration, onPath, repoRoot } from '../../helpers/integration.js';

const exec = promisify(execFile);
const req = integration(onPath('rpmbuild'), onPath('rpmsign'), onPath('createrepo_c'), onPath('gpg'), fileExists('/usr/bin/python3'));
const work = tempDir('shipped-it');
let repoUrl = '';

before(() => {
  if (req.skip) return;
  repoUrl = `file://${makeTestRepo(join(work, 'repo'), { only: (n) => n.startsWith('glibc') || ['setup', 'filesystem', 'basesystem'].includes(n) }).dir}/`;
});
after(() => rmSync(work, { recursive: true, force: true }));

const shipped = [
  { file: 'fex-rootfs-fedora.toml', missing: 'SDL3' },
  { file: 'thunks-sysroot-fedora.toml', missing: 'libstdc++-devel' },
  { file: 'mesa-overlay-fedora.toml', missing: 'mesa-dri-drivers' },
];
for (const c of shipped) {
  test(`images/${c.file} gets through every check to the solver with --repo overrides of both repositories`, req, async () => {
    const out = join(work, `${c.file}.lock.json`);
    const args = [join(repoRoot(), 'dist', 'src', 'cli.js'), 'lock', join(repoRoot(), 'images', c.file), '--repo', `fedora=${repoUrl}`, '--repo', `updates=${repoUrl}`, '-o', out, '--cache-dir', join(work, 'cache')];
    const r = await exec(process.execPath, args).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code ?? -1, stderr: err.stderr ?? '' }),
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cannot resolve the package set \(repositories: fedora, updates\)/);
    assert.match(r.stderr, new RegExp(`no package provides ${c.missing.replace(/[+]/g, '\\+')} \\(requested in the definition\\)`));
    assert.ok(!existsSync(out), 'no lock is written for an unresolvable definition');
  });
}
