/**
 * The large benchmark set: real binaries of this host (its shared libraries
 * and programs, regular files only) cut into rpmbuild-made packages, cached
 * outside the repository (cacheDir()/bench-large-rpms). `scale` 1 is ~440 MB
 * in 60 packages; scale 2 twice that (the bounded-memory check).
 *
 * Payloads are zstd level 3 (Fedora uses 19: slower to build here, about as
 * fast to decompress, which is what a build pays).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../test/helpers/foreign-image.js';
import { makeDemoRepo, signRpms } from '../test/helpers/demo-repo.js';

const repoRoot = new URL('../../', import.meta.url).pathname;

const SOURCES = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/bin'];
const MB = 1024 * 1024;

export interface LargeSet {
  readonly dir: string;
  readonly names: readonly string[];
  readonly bytes: number;
  /** The public key that signed the packages (signedLargeSet); undefined: unsigned. */
  readonly keyFile?: string;
}

const BENCH_KEY = 'RPM-GPG-KEY-fexpod-bench';

/**
 * The same set signed with a throwaway key (cached next to it), for comparisons with gpgcheck
 * on at both sides, as a user runs them (Fedora's packages are signed).
 */
export function signedLargeSet(scale: 1 | 2): LargeSet {
  const plain = largeSet(scale);
  const dir = `${plain.dir}-signed`;
  if (!existsSync(join(dir, 'done'))) {
    const top = mkdtempSync(join(tmpdir(), 'fexpod-bench-large-sign-'));
    try {
      const out = join(top, 'out');
      mkdirSync(out);
      for (const f of readdirSync(plain.dir).filter((x) => x.endsWith('.rpm'))) copyFileSync(join(plain.dir, f), join(out, f));
      signRpms(out, join(top, 'gnupg'), 'fexpod bench key <bench@fexpod.invalid>', BENCH_KEY);
      writeFileSync(join(out, 'done'), '');
      renameSync(out, dir);
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  }
  return { ...plain, dir, keyFile: join(dir, BENCH_KEY) };
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

/** Regular files of the sources, biggest-first cut at 64 MiB each, until `target` bytes. */
function pickFiles(target: number): { src: string; dest: string; size: number }[] {
  const out: { src: string; dest: string; size: number }[] = [];
  const taken = new Set<string>();
  let total = 0;
  for (const dir of SOURCES.filter((d) => existsSync(d))) {
    const destDir = dir.endsWith('/bin') ? '/usr/libexec/large' : '/usr/lib64';
    for (const f of readdirSync(dir).sort()) {
      if (!/^[A-Za-z0-9._+-]+$/.test(f)) continue;
      const st = lstatSync(join(dir, f), { throwIfNoEntry: false });
      if (!st?.isFile() || st.size === 0 || st.size > 64 * MB) continue;
      if (total + st.size > target || taken.has(`${destDir}/${f}`)) continue;
      taken.add(`${destDir}/${f}`);
      out.push({ src: join(dir, f), dest: `${destDir}/${f}`, size: st.size });
      total += st.size;
    }
  }
  return out;
}

export function largeSet(scale: 1 | 2): LargeSet {
  const packages = 60 * scale;
  const target = 440 * MB * scale;
  const dir = join(cacheDir(), 'bench-large-rpms', `v3-x${scale}`);
  const names = Array.from({ length: packages }, (_, i) => `large-${String(i).padStart(3, '0')}`);
  const files = pickFiles(target);
  const bytes = files.reduce((n, f) => n + f.size, 0);
  if (existsSync(join(dir, 'done'))) return { dir, names, bytes };
  const top = mkdtempSync(join(tmpdir(), 'fexpod-bench-large-'));
  try {
    for (const [i, name] of names.entries()) {
      const mine = files.filter((_, j) => j % packages === i);
      const spec = `Name: ${name}\nVersion: 1.0\nRelease: 1.fc42\nSummary: bench large set\nLicense: MIT\nAutoReqProv: no\nRequires: demo-filesystem\n` +
        `%global __os_install_post %{nil}\n%global debug_package %{nil}\n%global _build_id_links none\n%description\nbench\n` +
        `%install\nmkdir -p %{buildroot}/usr/lib64 %{buildroot}/usr/libexec/large\n${mine.map((f) => `cp ${f.src} %{buildroot}${f.dest}`).join('\n')}\n` +
        `%files\n${mine.map((f) => f.dest).join('\n')}\n`;
      writeFileSync(join(top, `${name}.spec`), spec);
      run('rpmbuild', ['--define', `_topdir ${join(top, 'rpmbuild')}`, '--define', '_binary_payload w3.zstdio', '--target', 'x86_64', '-bb', join(top, `${name}.spec`)]);
    }
    const out = join(top, 'out');
    mkdirSync(out);
    for (const f of readdirSync(join(top, 'rpmbuild', 'RPMS', 'x86_64'))) renameSync(join(top, 'rpmbuild', 'RPMS', 'x86_64', f), join(out, f));
    writeFileSync(join(out, 'done'), '');
    mkdirSync(join(dir, '..'), { recursive: true });
    renameSync(out, dir);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
  return { dir, names, bytes };
}

export interface Served {
  readonly url: string;
  readonly def: string;
  readonly work: string;
  /** The keys the definition trusts (copies in work/keys), for the other side's gpgcheck. */
  readonly keys: readonly string[];
  close(): void;
}

/** The set (with the demo repo's base packages) served on loopback, and a definition building `packages` from it. */
export function serve(set: LargeSet, port: number, packages: readonly string[]): Served {
  const work = mkdtempSync(join(tmpdir(), 'fexpod-bench-large-'));
  const repo = makeDemoRepo(join(work, 'repo'), set.dir);
  mkdirSync(join(work, 'keys'));
  const keys = [...repo.keyFiles, ...(set.keyFile ? [set.keyFile] : [])].map((k) => {
    const d = join(work, 'keys', k.split('/').pop() ?? 'key');
    copyFileSync(k, d);
    return d;
  });
  let text = readFileSync(join(repoRoot, 'images', 'demo.toml'), 'utf8').replace(/^gpgkey = .*$/m, `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`);
  text = text.replace(/^packages = .*$/m, `packages = ${JSON.stringify(packages)}`);
  // the unsigned set: no signature checks on either side
  if (!set.keyFile) text = text.replace(/^gpgcheck = true$/m, 'gpgcheck = false');
  const def = join(work, 'large.toml');
  writeFileSync(def, text);
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1'], { cwd: repo.dir, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    if (spawnSync('curl', ['-fs', `${url}repodata/repomd.xml`], { stdio: 'ignore' }).status === 0) break;
    execFileSync('sleep', ['0.1']);
  }
  return { url, def, work, keys, close: () => { server.kill(); rmSync(work, { recursive: true, force: true }); } };
}

