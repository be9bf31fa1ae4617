/**
 * Resolve + verified download on the large set (bench/large-set.ts, 64
 * packages, ~180 MB of RPMs): `fexpod lock --fetch` against `dnf install
 * --downloadonly`, both cold (fresh cache, fresh metadata), from the same
 * loopback repository. The packages are signed (signedLargeSet) and gpgcheck
 * is on at both sides, with the same keys, as a user runs them; both also
 * check every package's sha256. Target (issue 9): ≤ 0.7×.
 * FEXPOD_BENCH_RUNS (default 3).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, signedLargeSet } from './large-set.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '3');

function timed(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-800)}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const set = signedLargeSet(1);
const packages = ['basesystem', 'demo-busybox', ...set.names];
const s = serve(set, 25000 + (process.pid % 20000), packages);
const ours: number[] = [];
const theirs: number[] = [];
try {
  for (let i = -1; i < RUNS; i++) {
    const d = mkdtempSync(join(tmpdir(), 'fexpod-bench-resolve-large-'));
    try {
      const a = await timed(process.execPath, [join(repoRoot, 'dist', 'src', 'cli.js'), 'lock', s.def, '--repo', `demo=${s.url}`, '--fetch', '--cache-dir', join(d, 'cache'), '--output', join(d, 'lock.json')]);
      const b = await timed('dnf', [
        '-q', '-y', '--installroot', join(d, 'root'), '--releasever', '42', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(d, 'dnfcache')}`,
        '--setopt=install_weak_deps=False', '--noplugins', `--repofrompath=demo,${s.url}`, '--repo=demo',
        '--setopt=demo.gpgcheck=1', `--setopt=demo.gpgkey=${s.keys.map((k) => `file://${k}`).join(' ')}`,
        'install', '--downloadonly', '--downloaddir', join(d, 'dl'), ...packages,
      ]);
      if (i >= 0) { ours.push(a); theirs.push(b); }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }
} finally {
  s.close();
}
const [a, b] = [median(ours), median(theirs)];
process.stdout.write(
  `resolve + download, large set (${packages.length} requested packages, signed, gpgcheck on at both sides, cold cache, ${RUNS} runs, loopback HTTP)\n` +
    `  fexpod lock --fetch:          median ${a.toFixed(0)} ms (${ours.map((x) => x.toFixed(0)).join(' ')})\n` +
    `  dnf install --downloadonly:   median ${b.toFixed(0)} ms (${theirs.map((x) => x.toFixed(0)).join(' ')})\n` +
    `  ratio fexpod/dnf: ${(a / b).toFixed(2)} (target <= 0.7)\n`,
);
