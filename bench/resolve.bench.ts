/**
 * Resolve + download: `fexpod lock --fetch` against `dnf install --downloadonly` on the same
 * loopback repository (the corpus dnf-ci-fedora specs, x86_64 + i686, zst metadata), each with
 * a cold cache. Prints both medians and the ratio (fexpod / dnf; below 1 means fexpod is faster).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestRepo, serveMirrors, tempDir } from '../test/helpers/test-repo.js';
import { repoRoot } from '../test/helpers/integration.js';

const PACKAGES = ['glibc', 'setup', 'filesystem', 'basesystem', 'flac', 'lame', 'http-parser', 'wget'];
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`))));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const work = tempDir('bench-resolve');
const repo = makeTestRepo(join(work, 'repo'), { compression: 'zst' });
const mirrors = await serveMirrors(repo.dir, 1);
const base = mirrors.mirrorUrl(0);
const def = join(work, 'bench.toml');
writeFileSync(def, `name = "bench"\nrelease = 29\narches = ["x86_64", "i686"]\npackages = ${JSON.stringify(PACKAGES)}\n[repos.fedora]\nbaseurl = "${base}"\ngpgkey = ["file://${repo.keyFile}"]\n`);

const ours: number[] = [];
const theirs: number[] = [];
let count = 0;
try {
  for (let i = 0; i < RUNS; i++) {
    const cache = mkdtempSync(join(tmpdir(), 'fexpod-bench-cache-'));
    ours.push(await run(process.execPath, [join(repoRoot(), 'dist', 'src', 'cli.js'), 'lock', def, '--fetch', '--cache-dir', cache, '--output', join(cache, 'lock.json')]));
    count = readdirSync(join(cache, 'blobs', 'sha256')).length;
    rmSync(cache, { recursive: true, force: true });
    const root = mkdtempSync(join(tmpdir(), 'fexpod-bench-dnf-'));
    theirs.push(
      await run('dnf', [
        '-q', '--installroot', join(root, 'root'), '--releasever', '29', '--forcearch', 'x86_64',
        '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(root, 'cache')}`, '--setopt=gpgcheck=True',
        '--setopt=install_weak_deps=False', '--setopt=multilib_policy=all', '--noplugins',
        '--repofrompath', `t,${base}`, '--repo', 't', `--setopt=t.gpgkey=file://${repo.keyFile}`,
        'install', '--downloadonly', '--downloaddir', join(root, 'dl'), '-y', ...PACKAGES,
      ]),
    );
    rmSync(root, { recursive: true, force: true });
  }
} finally {
  await mirrors.close();
  rmSync(work, { recursive: true, force: true });
}
const a = median(ours);
const b = median(theirs);
process.stdout.write(
  `resolve + download (${PACKAGES.length} requested, cold cache, ${RUNS} runs, loopback HTTP; cache held ${count} blobs incl. metadata)\n` +
    `  fexpod lock --fetch (libsolv + verify): median ${a.toFixed(0)} ms\n` +
    `  dnf install --downloadonly:            median ${b.toFixed(0)} ms\n` +
    `  ratio fexpod/dnf: ${(a / b).toFixed(2)}\n` +
    `  (runs: fexpod ${ours.map((x) => x.toFixed(0)).join(" ")} ms; dnf ${theirs.map((x) => x.toFixed(0)).join(" ")} ms)\n`,
);
