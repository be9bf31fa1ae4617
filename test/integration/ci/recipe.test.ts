/**
 * The FEX CI recipe, run here: every `run:` step of
 * examples/ci/github-workflow.yml, in order, with bash in a temp workspace,
 * as GitHub's runner would — builder image (from the stand-in Fedora base),
 * the sysroot built inside it, extracted, and a cross-compile against it by
 * hand and through the toolchain file. What cannot exist here is swapped
 * through the workflow's own env: the base image (stand-in), the sysroot
 * definition (a stand-in over the loopback demo repository whose libc package
 * is Debian's amd64 libc rebuilt as an RPM). Every step runs (a step with an
 * `if:` false here would be skipped, as on a runner).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostArch } from '../../helpers/foreign-image.js';
import { integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';
import { makeDemoRepo } from '../../helpers/demo-repo.js';
import { serveMirrors } from '../../helpers/test-repo.js';
import { standinBase } from '../../helpers/standin-base.js';
import { standinSysrootDefinition, standinSysrootRpms } from '../../helpers/standin-sysroot.js';
import { workflowRunSteps } from '../../helpers/recipe.js';
import { podman } from './builder-image.js';

const WORKFLOW = join(repoRoot(), 'examples', 'ci', 'github-workflow.yml');
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const req = integration(...['podman', 'mmdebstrap', 'rpmbuild', 'createrepo_c', 'clang', 'ld.lld', 'cmake', 'make', 'jq', 'file'].map(onPath), isRoot());

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    // GitHub runs `run:` with `bash -e {0}`.
    const c = spawn('bash', ['--noprofile', '--norc', '-e', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
    c.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
    c.on('close', (status) => resolve({ status, out }));
  });
}

/** The one `if:` form the workflow uses: hashFiles('PATH') != '' (true when PATH exists in the workspace). */
function condition(expr: string, ws: string): boolean {
  const m = /^hashFiles\('([^']+)'\) != ''$/.exec(expr.trim());
  if (!m?.[1]) throw new Error(`the test does not know how to evaluate if: ${expr}`);
  return existsSync(join(ws, m[1]));
}

function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(20);
    readSync(fd, b, 0, 20, 0);
    assert.equal(b.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is an ELF file`);
    return b.readUInt16LE(18);
  } finally {
    closeSync(fd);
  }
}

test('the GitHub workflow\'s shell steps run here, down to the cross-compile against the fexpod sysroot (stand-in Fedora base and glibc packages)', { ...req, timeout: 40 * 60_000 }, async (t) => {
  const base = standinBase(hostArch());
  const ws = mkdtempSync(join(tmpdir(), 'fexpod-recipe-ws-'));
  const repoDir = mkdtempSync(join(tmpdir(), 'fexpod-recipe-repo-'));
  const image = `localhost/fexpod-recipe-test:${process.pid}`;
  const repo = makeDemoRepo(repoDir, standinSysrootRpms());
  const mirrors = await serveMirrors(repo.dir, 1);
  try {
    mkdirSync(join(ws, 'defs'));
    writeFileSync(join(ws, 'defs', 'sysroot.toml'), standinSysrootDefinition('ci-sysroot'));
    const overrides: Record<string, string> = {
      FEXPOD_SRC: repoRoot(),
      FEXPOD_IMAGE: image,
      FEXPOD_BASE: base.ref,
      BUILDER_FLAGS: existsSync(CA_BUNDLE) ? `--secret id=ca-certificates,src=${CA_BUNDLE}` : '',
      SYSROOT_DEFINITION: 'defs/sysroot.toml',
      SYSROOT_NAME: 'ci-sysroot',
      SYSROOT_FLAGS: `--repo demo=${mirrors.mirrorUrl(0)}`,
    };
    const inherited: Record<string, string> = {};
    // The runner's own: a run with its own podman storage or configuration (CONTAINERS_STORAGE_CONF,
    // CONTAINERS_CONF) has the stand-in base there, and the workflow's podman must look there too.
    for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'CONTAINERS_STORAGE_CONF', 'CONTAINERS_CONF']) if (process.env[k] !== undefined) inherited[k] = process.env[k] ?? '';
    const steps = workflowRunSteps(WORKFLOW);
    assert.ok(steps.length >= 4, 'the workflow has its run steps');
    let ran = 0;
    for (const step of steps) {
      for (const k of Object.keys(overrides)) assert.ok(k in step.env, `the workflow's env has ${k}`);
      if (step.if !== undefined && !condition(step.if, ws)) {
        t.diagnostic(`not run here (if: ${step.if}): ${step.name}`);
        continue;
      }
      const t0 = Date.now();
      const r = await bash(step.run, ws, { ...inherited, ...step.env, ...overrides });
      assert.equal(r.status, 0, `step "${step.name}" failed:\n${r.out}`);
      t.diagnostic(`${step.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      ran++;
    }
    assert.equal(ran, steps.length, 'every step ran');
    assert.ok(existsSync(join(ws, 'sysroot', 'usr', 'include', 'stdio.h')));
    for (const b of ['out/hello/hello-clang', 'out/hello-build/hello']) assert.equal(elfMachine(join(ws, b)), 62, `${b} is x86-64`);
    if (hostArch().name === 'x86_64') {
      const run = await bash('./out/hello/hello-clang && ./out/hello-build/hello', ws, inherited);
      assert.equal(run.out, 'built against the fexpod sysroot\n'.repeat(2));
    }
  } finally {
    podman(['rmi', '-f', image]);
    await mirrors.close();
    rmSync(ws, { recursive: true, force: true });
    rmSync(repoDir, { recursive: true, force: true });
  }
});
