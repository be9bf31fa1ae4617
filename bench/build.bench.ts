/**
 * fexpod build vs the pipeline a user would otherwise script, on the same
 * package set (images/demo.toml: static busybox + a base layout + the corpus'
 * setup/filesystem/basesystem) from the same loopback repository, both cold
 * (fresh package cache, fresh metadata), both ending in an OCI layout and an
 * EroFS image:
 *
 *   fexpod:   fexpod build demo.toml --format oci,erofs   (resolve, fetch+verify, install, profile, outputs)
 *   scripted: dnf --installroot (throwaway config; gpgcheck with the same keys where fexpod
 *             checks signatures) → tar → podman import
 *             → skopeo copy containers-storage: oci: → mkfs.erofs -zlz4hc
 *
 * Two package sets: "demo" (5 small packages) and "python" (the demo plus
 * the host's Python standard library cut into 34 RPMs: ~1400 files, 54 MB;
 * unsigned, so gpgcheck is off for both sides there), and "libs" (the python set
 * plus 40 MB of the host's shared libraries as 20 x86_64 packages and an ldconfig
 * run at the end of the transaction as glibc's file trigger does: the scriptlet work dnf does on Fedora). FEXPOD_BENCH_SET
 * picks one (default: all).
 *
 * Prints the median times, their ratio (target: fexpod ≤ 0.5× the scripted
 * pipeline) and fexpod's peak RSS (GNU time). Needs root, dnf, podman, skopeo.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemoRepo } from '../test/helpers/demo-repo.js';
import { cacheDir } from '../test/helpers/foreign-image.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const cli = join(repoRoot, 'dist', 'src', 'cli.js');
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '5');
const PY = '/usr/lib/python3.11';

/** The host's Python stdlib as 34 RPMs (one per top-level dir + one for the loose files), cached. */
function pythonRpms(): { dir: string; names: string[] } {
  const dir = join(cacheDir(), 'bench-python-rpms', 'v1');
  const parts = readdirSync(PY).filter((f) => f !== '__pycache__' && f !== 'site-packages' && statSync(join(PY, f)).isDirectory()).sort();
  const names = [...parts.map((p) => `pystd-${p.replace(/[^A-Za-z0-9]/g, '-').replace(/^-+/, '')}`), 'pystd-top'];
  if (existsSync(join(dir, 'done'))) return { dir, names };
  const top = mkdtempSync(join(tmpdir(), 'fexpod-bench-rpmbuild-'));
  try {
    const spec = (name: string, install: string, files: string) => `Name: ${name}\nVersion: 3.11\nRelease: 1.fc42\nSummary: Python stdlib part\nLicense: Python-2.0.1\nBuildArch: noarch\nAutoReqProv: no\nRequires: demo-filesystem\n%global __os_install_post %{nil}\n%global debug_package %{nil}\n%description\npart of the Python standard library\n%install\nmkdir -p %{buildroot}${PY}\n${install}\n%files\n${files}\n`;
    const loose = readdirSync(PY).filter((f) => statSync(join(PY, f)).isFile());
    const specs: [string, string][] = parts.map((p, i) => [names[i] ?? p, spec(names[i] ?? p, `cp -a ${PY}/${p} %{buildroot}${PY}/`, `${PY}/${p}`)]);
    specs.push(['pystd-top', spec('pystd-top', loose.map((f) => `cp -a ${PY}/${f} %{buildroot}${PY}/`).join('\n'), `%dir ${PY}\n${loose.map((f) => `${PY}/${f}`).join('\n')}`)]);
    buildSpecsInto(top, specs, 'noarch', dir);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
  return { dir, names };
}

/** rpmbuild each spec under `top`, then move the RPMs into the cache dir `dir` in one rename (marked done). */
function buildSpecsInto(top: string, specs: readonly [string, string][], target: string, dir: string): void {
  for (const [name, text] of specs) {
    writeFileSync(join(top, `${name}.spec`), text);
    run('rpmbuild', ['--define', `_topdir ${join(top, 'rpmbuild')}`, '--define', '_binary_payload w19.zstdio', '--target', target, '-bb', join(top, `${name}.spec`)]);
  }
  const out = join(top, 'out');
  mkdirSync(out);
  for (const f of readdirSync(join(top, 'rpmbuild', 'RPMS', target))) renameSync(join(top, 'rpmbuild', 'RPMS', target, f), join(out, f));
  writeFileSync(join(out, 'done'), '');
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(out, dir);
}

const LIBDIR = '/usr/lib/x86_64-linux-gnu';

/**
 * A Fedora-like library set: the host's shared libraries (regular lib*.so.N files, up to
 * 40 MB) as 20 x86_64 packages in /usr/lib64, and bench-ldconfig, which ships the host's
 * static ldconfig and runs it once at the end of the transaction, as glibc's file trigger
 * (%transfiletriggerin -P 2000000 -p /sbin/ldconfig -- /usr/lib64 …) does on Fedora
 * (library packages there have no %post ldconfig since F28). It is a %posttrans here:
 * Debian's rpm did not fire that file trigger in an --installroot (checked: no
 * etc/ld.so.cache). fexpod runs no scriptlets and writes etc/ld.so.cache itself. Cached.
 */
function libRpms(): { dir: string; names: string[] } | undefined {
  if (!existsSync(LIBDIR) || !existsSync('/sbin/ldconfig')) return undefined;
  const dir = join(cacheDir(), 'bench-lib-rpms', 'v3');
  const N = 20;
  const names = ['bench-ldconfig', ...Array.from({ length: N }, (_, i) => `benchlib-${String(i).padStart(2, '0')}`)];
  if (existsSync(join(dir, 'done'))) return { dir, names };
  const libs: string[] = [];
  let total = 0;
  for (const f of readdirSync(LIBDIR).filter((x) => /^lib.*\.so\.\d/.test(x)).sort()) {
    const st = lstatSync(join(LIBDIR, f), { throwIfNoEntry: false });
    if (!st?.isFile() || total + st.size > 40 << 20) continue;
    libs.push(f);
    total += st.size;
  }
  const top = mkdtempSync(join(tmpdir(), 'fexpod-bench-rpmbuild-'));
  try {
    const head = (name: string) => `Name: ${name}\nVersion: 1.0\nRelease: 1.fc42\nSummary: bench library set\nLicense: MIT\nAutoReqProv: no\nRequires: demo-filesystem\n%global __os_install_post %{nil}\n%global debug_package %{nil}\n%global _build_id_links none\n%description\nbench\n`;
    const specs: [string, string][] = [[
      'bench-ldconfig',
      // Debian's ldconfig does not search /usr/lib64 by itself (Fedora's does): a conf file says so
      `${head('bench-ldconfig')}%install\nmkdir -p %{buildroot}/usr/sbin %{buildroot}/etc/ld.so.conf.d\ncp /sbin/ldconfig %{buildroot}/usr/sbin/ldconfig\necho /usr/lib64 > %{buildroot}/etc/ld.so.conf.d/lib64.conf\n` +
        `%posttrans -p /usr/sbin/ldconfig\n` +
        `%files\n/usr/sbin/ldconfig\n/etc/ld.so.conf.d/lib64.conf\n`,
    ]];
    for (let i = 0; i < N; i++) {
      const mine = libs.filter((_, j) => j % N === i);
      const name = names[i + 1] ?? `benchlib-${i}`;
      specs.push([name, `${head(name)}%install\nmkdir -p %{buildroot}/usr/lib64\n${mine.map((f) => `cp ${LIBDIR}/${f} %{buildroot}/usr/lib64/`).join('\n')}\n%files\n${mine.map((f) => `/usr/lib64/${f}`).join('\n')}\n`]);
    }
    buildSpecsInto(top, specs, 'x86_64', dir);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
  return { dir, names };
}

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

/** Runs a command under GNU time; returns its CPU seconds (user+sys, children included) and peak RSS. */
function cpuRun(cmd: string, args: string[]): { cpu: number; rssKb: number } {
  const out = run('/usr/bin/time', ['-f', 'fexpod-bench-time %U %S %M', cmd, ...args]);
  const m = /fexpod-bench-time ([\d.]+) ([\d.]+) (\d+)/.exec(out);
  return { cpu: Number(m?.[1] ?? 0) + Number(m?.[2] ?? 0), rssKb: Number(m?.[3] ?? 0) };
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface BenchSet { readonly name: string; readonly packages: string[]; readonly extraRpms?: string; readonly gpgcheck: boolean }

const SETS: BenchSet[] = [];
const want = process.env['FEXPOD_BENCH_SET'];
if (!want || want === 'demo') SETS.push({ name: 'demo', packages: ['basesystem', 'demo-busybox'], gpgcheck: true });
if ((!want || want === 'python') && existsSync(PY)) {
  const py = pythonRpms();
  SETS.push({ name: 'python', packages: ['basesystem', 'demo-busybox', ...py.names], extraRpms: py.dir, gpgcheck: false });
}
const libSet = (!want || want === 'libs') && existsSync(PY) ? libRpms() : undefined;
if (libSet) {
  // the python set plus the library packages and the ldconfig file trigger, in one repository
  const py = pythonRpms();
  const both = join(cacheDir(), 'bench-libs-python-rpms', 'v3');
  if (!existsSync(join(both, 'done'))) {
    mkdirSync(both, { recursive: true });
    for (const d of [py.dir, libSet.dir]) for (const f of readdirSync(d).filter((x) => x.endsWith('.rpm'))) copyFileSync(join(d, f), join(both, f));
    writeFileSync(join(both, 'done'), '');
  }
  SETS.push({ name: 'libs', packages: ['basesystem', 'demo-busybox', ...py.names, ...libSet.names], extraRpms: both, gpgcheck: false });
}

for (const set of SETS) benchSet(set);

function benchSet(set: BenchSet): void {
const PACKAGES = set.packages;
const work = mkdtempSync(join(tmpdir(), 'fexpod-bench-build-'));
const repo = makeDemoRepo(join(work, 'repo'), set.extraRpms);
mkdirSync(join(work, 'keys'));
const keys = repo.keyFiles.map((k) => {
  const d = join(work, 'keys', k.split('/').pop() ?? 'key');
  copyFileSync(k, d);
  return d;
});
const def = join(work, 'demo.toml');
let text = readFileSync(join(repoRoot, 'images', 'demo.toml'), 'utf8').replace(/^gpgkey = .*$/m, `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`);
text = text.replace(/^packages = .*$/m, `packages = ${JSON.stringify(PACKAGES)}`);
if (!set.gpgcheck) text = text.replace(/^gpgcheck = true$/m, 'gpgcheck = false');
writeFileSync(def, text);
const port = 20000 + (process.pid % 20000) + SETS.indexOf(set);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: repo.dir, stdio: 'ignore' });
const url = `http://127.0.0.1:${port}/`;
for (let i = 0; i < 50; i++) {
  if (spawnSync('curl', ['-fs', `${url}repodata/repomd.xml`], { stdio: 'ignore' }).status === 0) break;
  execFileSync('sleep', ['0.1']);
}
function fexpodOnce(i: number): { ms: number; cpu: number; rssKb: number } {
  const d = join(work, `fexpod-${i}`);
  rmSync(join(work, 'demo.lock.json'), { force: true });
  let r = { cpu: 0, rssKb: 0 };
  const ms = timed(() => {
    r = cpuRun(process.execPath, [cli, 'build', def, '--repo', `demo=${url}`, '--format', 'oci,erofs', '-o', join(d, 'out'), '--cache-dir', join(d, 'cache')]);
  });
  rmSync(d, { recursive: true, force: true });
  return { ms, ...r };
}

function scriptedOnce(i: number): { ms: number; cpu: number } {
  const d = join(work, `dnf-${i}`);
  const root = join(d, 'root');
  mkdirSync(root, { recursive: true });
  const image = `localhost/fexpod-bench-dnf:run${i + 1}`;
  let cpu = 0;
  const ms = timed(() => {
    cpu += cpuRun('dnf', [
      '-y', '-q', `--installroot=${root}`, '--releasever=42', '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(d, 'cache')}`,
      '--setopt=install_weak_deps=False', '--setopt=tsflags=nodocs', `--repofrompath=demo,${url}`, '--repo=demo',
      // the same signature checks as fexpod: dnf imports the keys into the installroot and checks every package
      ...(set.gpgcheck ? ['--setopt=demo.gpgcheck=1', `--setopt=demo.gpgkey=${keys.map((k) => `file://${k}`).join(' ')}`] : ['--nogpgcheck']),
      'install', ...PACKAGES,
    ]).cpu;
    cpu += cpuRun('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', join(d, 'layer.tar'), '.']).cpu;
    cpu += cpuRun('podman', ['import', '-q', join(d, 'layer.tar'), image]).cpu;
    cpu += cpuRun('skopeo', ['copy', '-q', `containers-storage:${image}`, `oci:${join(d, 'oci')}:demo`]).cpu;
    cpu += cpuRun('mkfs.erofs', ['--quiet', '-zlz4hc', join(d, 'demo.erofs'), root]).cpu;
  });
  spawnSync('podman', ['rmi', '-f', image], { stdio: 'ignore' });
  rmSync(d, { recursive: true, force: true });
  return { ms, cpu };
}

try {
  // warm-up (page cache, python, podman storage)
  fexpodOnce(-1);
  scriptedOnce(-1);
  const f: number[] = [];
  const fc: number[] = [];
  const s: number[] = [];
  const sc: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = fexpodOnce(i);
    f.push(r.ms);
    fc.push(r.cpu);
    rss = Math.max(rss, r.rssKb);
    const q = scriptedOnce(i);
    s.push(q.ms);
    sc.push(q.cpu);
  }
  const fm = median(f);
  const sm = median(s);
  const fcm = median(fc);
  const scm = median(sc);
  process.stdout.write(`build set "${set.name}" (${PACKAGES.length} requested packages + deps, cold cache, OCI layout + EroFS), ${RUNS} runs each, median:\n`);
  process.stdout.write(`  fexpod build                                                   wall ${fm.toFixed(0)} ms, CPU ${fcm.toFixed(2)} s, peak RSS ${(rss / 1024).toFixed(0)} MiB\n`);
  process.stdout.write(`  dnf --installroot + tar + podman import + skopeo + mkfs.erofs   wall ${sm.toFixed(0)} ms, CPU ${scm.toFixed(2)} s\n`);
  process.stdout.write(`  ratio fexpod/scripted: wall ${(fm / sm).toFixed(2)}x, CPU ${(fcm / scm).toFixed(2)}x (target <= 0.5x; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]})\n`);
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
}
