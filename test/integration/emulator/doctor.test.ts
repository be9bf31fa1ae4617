/**
 * Runs the real `fexpod doctor --json` on this host, as root and as an
 * unprivileged user (uid 65534 via setpriv), and checks the documents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { integration, isRoot, onPath, repoRoot, fileExists } from '../../helpers/integration.js';

const req = integration(isRoot(), onPath('setpriv'), fileExists('/proc/sys/fs/binfmt_misc/register'));
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

interface Run {
  code: number | null;
  doc: Record<string, unknown>;
  stderr: string;
}

function runDoctor(cli: string, asNobody: boolean, extra: string[] = []): Run {
  const argv = [process.execPath, cli, 'doctor', '--json', ...extra];
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: asNobody ? '/nonexistent' : (process.env['HOME'] ?? '/root') };
  const r = asNobody
    ? spawnSync('setpriv', [...NOBODY, ...argv], { encoding: 'utf8', env, timeout: 60_000 })
    : spawnSync(argv[0] ?? 'node', argv.slice(1), { encoding: 'utf8', env, timeout: 60_000 });
  let doc: unknown;
  assert.doesNotThrow(() => (doc = JSON.parse(r.stdout)), `stdout is not one JSON document:\n${r.stdout}\n${r.stderr}`);
  assert.ok(typeof doc === 'object' && doc !== null);
  return { code: r.status, doc: doc as Record<string, unknown>, stderr: r.stderr };
}

/** The CLI at a path uid 65534 can read (a hard-linked copy when the checkout is private). */
function cliForNobody(): { cli: string; cleanup: () => void } {
  const cli = join(repoRoot(), 'dist', 'src', 'cli.js');
  const probe = spawnSync('setpriv', [...NOBODY, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(cli)})`]);
  if (probe.status === 0) return { cli, cleanup: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-doctor-cli-'));
  chmodSync(dir, 0o755);
  for (const p of ['package.json', 'dist/src', 'node_modules']) {
    try {
      execFileSync('cp', ['-al', join(repoRoot(), p), join(dir, p)]);
    } catch {
      cpSync(join(repoRoot(), p), join(dir, p), { recursive: true });
    }
  }
  return { cli: join(dir, 'dist', 'src', 'cli.js'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const KEYS = ['hostArch', 'pageSize', 'kernel', 'binfmt', 'emulators', 'routes', 'conflicts', 'advice', 'healthy'];

test('doctor --json as root: one valid document with every section; exit code follows "healthy"', req, () => {
  const r = runDoctor(join(repoRoot(), 'dist', 'src', 'cli.js'), false);
  for (const k of KEYS) assert.ok(k in r.doc, `missing ${k}`);
  assert.equal(r.doc['hostArch'], process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : r.doc['hostArch']);
  const binfmt = r.doc['binfmt'] as { mounted: boolean; writable: boolean };
  assert.equal(binfmt.mounted, true);
  assert.equal(binfmt.writable, true);
  assert.equal(r.code, r.doc['healthy'] === true ? 0 : 1);
  const pageSize = r.doc['pageSize'] as { bytes: number; source: string };
  assert.equal(pageSize.source, 'auxv');
  assert.equal(pageSize.bytes, Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()));
});

test('doctor --json as uid 65534: explains that binfmt_misc is not writable and what to do', req, () => {
  const { cli, cleanup } = cliForNobody();
  try {
    const r = runDoctor(cli, true);
    for (const k of KEYS) assert.ok(k in r.doc, `missing ${k}`);
    assert.equal(r.doc['rootless'], true);
    const binfmt = r.doc['binfmt'] as { writable: boolean };
    assert.equal(binfmt.writable, false);
    const advice = r.doc['advice'] as { problem: string; fix: string }[];
    const a = advice.find((x) => /binfmt_misc is not writable as uid 65534/.test(x.problem));
    assert.ok(a, JSON.stringify(advice, null, 2));
    assert.match(a.fix, /sudo fexpod binfmt install/);
    assert.equal(r.code, r.doc['healthy'] === true ? 0 : 1);
  } finally {
    cleanup();
  }
});

test('doctor (text) as root prints a verdict and no JSON', req, () => {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'src', 'cli.js'), 'doctor'], { encoding: 'utf8', timeout: 60_000 });
  assert.match(r.stdout, /^verdict: /m);
  assert.match(r.stdout, /^binfmt_misc {3}mounted yes/m);
});
