/**
 * The demo repository: test/fixtures/demo-specs (a base layout and the host's
 * static busybox as RPMs) built with rpmbuild for x86_64, signed with a
 * throwaway key, plus the corpus' setup/filesystem/basesystem from
 * test-repo.ts, as one createrepo_c repository. Cached by spec contents.
 *
 *   node dist/test/helpers/demo-repo.js DIR   builds it into DIR and prints its JSON summary
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from './foreign-image.js';
import { repoRoot } from './integration.js';
import { testRpms } from './test-repo.js';

export const DEMO_BUSYBOX = '/bin/busybox';
/** A real shared library (the host's zlib) for the stand-in GL driver package (demo-gl). */
export const DEMO_LIB = hostLib('libz.so.1');

function hostLib(name: string): string {
  for (const d of ['/lib', '/usr/lib']) {
    try {
      for (const m of readdirSync(d).filter((x) => x.endsWith('-linux-gnu') || x.endsWith('-linux-gnueabihf')).sort()) {
        if (existsSync(join(d, m, name))) return join(d, m, name);
      }
    } catch {
      // not there
    }
  }
  return join('/lib64', name);
}
/** Corpus packages the demo image pulls in (basesystem requires the other two). */
export const CORPUS_PACKAGES = ['basesystem', 'filesystem', 'setup'];

export interface DemoRepo {
  readonly dir: string;
  /** Keys that signed its packages (demo key, corpus test key). */
  readonly keyFiles: readonly string[];
}

function specsDir(): string {
  return join(repoRoot(), 'test', 'fixtures', 'demo-specs');
}

function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
}

/** Builds (or reuses) the signed demo RPMs; returns their directory (RPMs + RPM-GPG-KEY-fexpod-demo). */
export function demoRpms(): string {
  const h = createHash('sha256').update('v1');
  for (const f of readdirSync(specsDir()).sort()) h.update(f).update(readFileSync(join(specsDir(), f)));
  h.update(readFileSync(DEMO_BUSYBOX)).update(readFileSync(DEMO_LIB));
  const final = join(cacheDir(), 'demo-rpms', h.digest('hex').slice(0, 16));
  if (existsSync(join(final, 'done'))) return final;
  const work = mkdtempSync(join(cacheDir(), 'demo-rpms-build-'));
  try {
    const top = join(work, 'rpmbuild');
    const out = join(work, 'out');
    mkdirSync(join(top, 'SOURCES'), { recursive: true });
    mkdirSync(out);
    cpSync(DEMO_BUSYBOX, join(top, 'SOURCES', 'busybox'));
    cpSync(DEMO_LIB, join(top, 'SOURCES', 'libz.so.1'), { dereference: true });
    for (const spec of readdirSync(specsDir()).filter((f) => f.endsWith('.spec')).sort()) {
      run('rpmbuild', [
        '--define', `_topdir ${top}`, '--define', '_binary_payload w19.zstdio', '--define', '_buildhost fexpod-demo',
        '--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 1',
        '--target', 'x86_64', '-bb', join(specsDir(), spec),
      ], { ...process.env, SOURCE_DATE_EPOCH: '1700000000' });
    }
    for (const a of readdirSync(join(top, 'RPMS'))) for (const f of readdirSync(join(top, 'RPMS', a))) renameSync(join(top, 'RPMS', a, f), join(out, f));
    signRpms(out, join(work, 'gnupg'), 'fexpod demo key <demo@fexpod.invalid>', 'RPM-GPG-KEY-fexpod-demo');
    return publishCached(out, final);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Signs every RPM in `dir` with a throwaway RSA key made in `gnupg` (a new directory) and writes
 * the public key next to them as `keyName`; returns its path.
 */
export function signRpms(dir: string, gnupg: string, uid: string, keyName: string): string {
  mkdirSync(gnupg, { mode: 0o700 });
  const env = { ...process.env, GNUPGHOME: gnupg };
  run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', uid, 'rsa2048', 'sign', 'never'], env);
  const keyId = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(run('gpg', ['--batch', '--with-colons', '--list-keys'], env))?.[1];
  if (!keyId) throw new Error('gpg did not report the new key id');
  const keyFile = join(dir, keyName);
  writeFileSync(keyFile, run('gpg', ['--batch', '--armor', '--export', keyId], env));
  const gpg = run('sh', ['-c', 'command -v gpg']).trim();
  const rpms = readdirSync(dir).filter((f) => f.endsWith('.rpm')).map((f) => join(dir, f));
  run('rpmsign', ['--define', `_gpg_name ${keyId}`, '--define', `_gpg_path ${gnupg}`, '--define', `__gpg ${gpg}`, '--addsign', ...rpms], env);
  return keyFile;
}

/** Marks a finished build directory done and moves it into the cache in one rename (a concurrent run that finished first wins). */
export function publishCached(out: string, final: string): string {
  writeFileSync(join(out, 'done'), '');
  mkdirSync(dirname(final), { recursive: true });
  try {
    renameSync(out, final);
  } catch {
    // another run finished first
  }
  return final;
}

function rpmName(file: string): string {
  return file.replace(/\.rpm$/, '').split('-').slice(0, -2).join('-');
}

/** createrepo_c over the demo RPMs plus the corpus base packages (x86_64 + noarch), and any RPMs in extraRpmsDir. */
export function makeDemoRepo(dir: string, extraRpmsDir?: string): DemoRepo {
  const demo = demoRpms();
  const corpus = testRpms();
  const pkgDir = join(dir, 'Packages');
  mkdirSync(pkgDir, { recursive: true });
  const put = (src: string, name: string) => {
    try {
      linkSync(src, join(pkgDir, name));
    } catch {
      cpSync(src, join(pkgDir, name));
    }
  };
  for (const f of readdirSync(demo).filter((x) => x.endsWith('.rpm'))) put(join(demo, f), f);
  for (const a of ['x86_64', 'noarch']) {
    for (const f of readdirSync(join(corpus.rpmsDir, a))) if (CORPUS_PACKAGES.includes(rpmName(f))) put(join(corpus.rpmsDir, a, f), f);
  }
  if (extraRpmsDir) for (const f of readdirSync(extraRpmsDir).filter((x) => x.endsWith('.rpm'))) put(join(extraRpmsDir, f), f);
  run('createrepo_c', ['--quiet', '--no-database', '--simple-md-filenames', '--revision', '1', '--set-timestamp-to-revision', dir]);
  return { dir, keyFiles: [join(demo, 'RPM-GPG-KEY-fexpod-demo'), corpus.keyFile] };
}

// Run as a script (scripts/demo-build.sh), not when node --test walks dist/test/ and loads it.
const asScript = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (asScript && process.env['NODE_TEST_CONTEXT'] === undefined) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node dist/test/helpers/demo-repo.js DIR\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(makeDemoRepo(dir)) + '\n');
}
