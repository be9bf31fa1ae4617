/**
 * fexpod build vs the pipeline a user would otherwise script, on the same
 * package set (images/demo.toml: static busybox + a base layout + the corpus'
 * setup/filesystem/basesystem) from the same loopback repository, both cold
 * (fresh package cache, fresh metadata), both ending in an OCI layout and an
 * EroFS image:
 *
 *   fexpod:   fexpod build demo.toml --format oci,erofs   (resolve, fetch+verify, install, profile, outputs)
 *   scripted: dnf --installroot (throwaway config, --nogpgcheck) → tar → podman import
 *             → skopeo copy containers-storage: oci: → mkfs.erofs -zlz4hc
 *
 * Prints the median times, their ratio (target: fexpod ≤ 0.5× the scripted
 * pipeline) and fexpod's peak RSS (GNU time). Needs root, dnf, podman, skopeo.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemoRepo } from '../test/helpers/demo-repo.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const cli = join(repoRoot, 'dist', 'src', 'cli.js');
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '5');
const PACKAGES = ['basesystem', 'demo-busybox'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout + r.stderr;
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const work = mkdtempSync(join(tmpdir(), 'fexpod-bench-build-'));
const repo = makeDemoRepo(join(work, 'repo'));
mkdirSync(join(work, 'keys'));
const keys = repo.keyFiles.map((k) => {
  const d = join(work, 'keys', k.split('/').pop() ?? 'key');
  copyFileSync(k, d);
  return d;
});
const def = join(work, 'demo.toml');
writeFileSync(def, readFileSync(join(repoRoot, 'images', 'demo.toml'), 'utf8').replace(/^gpgkey = .*$/m, `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`));
const port = 20000 + (process.pid % 20000);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: repo.dir, stdio: 'ignore' });
const url = `http://127.0.0.1:${port}/`;
for (let i = 0; i < 50; i++) {
  if (spawnSync('curl', ['-fs', `${url}repodata/repomd.xml`], { stdio: 'ignore' }).status === 0) break;
  execFileSync('sleep', ['0.1']);
}

function fexpodOnce(i: number): { ms: number; rssKb: number } {
  const d = join(work, `fexpod-${i}`);
  rmSync(join(work, 'demo.lock.json'), { force: true });
  let out = '';
  const ms = timed(() => {
    out = run('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, cli, 'build', def, '--repo', `demo=${url}`, '--format', 'oci,erofs', '-o', join(d, 'out'), '--cache-dir', join(d, 'cache')]);
  });
  rmSync(d, { recursive: true, force: true });
  return { ms, rssKb: Number(/maxrss=(\d+)/.exec(out)?.[1] ?? 0) };
}

function scriptedOnce(i: number): number {
  const d = join(work, `dnf-${i}`);
  const root = join(d, 'root');
  mkdirSync(root, { recursive: true });
  const image = `localhost/fexpod-bench-dnf:run${i + 1}`;
  const ms = timed(() => {
    run('dnf', [
      '-y', '-q', `--installroot=${root}`, '--releasever=42', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(d, 'cache')}`,
      '--setopt=install_weak_deps=False', '--setopt=tsflags=nodocs', `--repofrompath=demo,${url}`, '--repo=demo', '--nogpgcheck',
      'install', ...PACKAGES,
    ]);
    run('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', join(d, 'layer.tar'), '.']);
    run('podman', ['import', '-q', join(d, 'layer.tar'), image]);
    run('skopeo', ['copy', '-q', `containers-storage:${image}`, `oci:${join(d, 'oci')}:demo`]);
    run('mkfs.erofs', ['--quiet', '-zlz4hc', join(d, 'demo.erofs'), root]);
  });
  spawnSync('podman', ['rmi', '-f', image], { stdio: 'ignore' });
  rmSync(d, { recursive: true, force: true });
  return ms;
}

try {
  // warm-up (page cache, python, podman storage)
  fexpodOnce(-1);
  scriptedOnce(-1);
  const f: number[] = [];
  const s: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = fexpodOnce(i);
    f.push(r.ms);
    rss = Math.max(rss, r.rssKb);
    s.push(scriptedOnce(i));
  }
  const fm = median(f);
  const sm = median(s);
  process.stdout.write(`build (${PACKAGES.join(' ')} + deps, cold cache, OCI layout + EroFS), ${RUNS} runs each, median:\n`);
  process.stdout.write(`  fexpod build                                          ${fm.toFixed(0)} ms   (peak RSS ${(rss / 1024).toFixed(0)} MiB)\n`);
  process.stdout.write(`  dnf --installroot + tar + podman import + skopeo + mkfs.erofs   ${sm.toFixed(0)} ms\n`);
  process.stdout.write(`  ratio fexpod/scripted: ${(fm / sm).toFixed(2)}x (target <= 0.5x)\n`);
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
