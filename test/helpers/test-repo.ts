/**
 * A real, signed RPM repository for builder tests, served over loopback HTTP.
 *
 *   testRpms()            rpmbuild every spec in corpus/specs/dnf-ci-fedora for x86_64 and i686
 *                         (zstd payloads as Fedora), sign them with a throwaway OpenPGP key;
 *                         cached under the test cache, keyed by the spec contents.
 *   makeTestRepo(dir, …)  createrepo_c over a chosen set of arches, metadata recompressed to
 *                         zst / xz / bz2 / gz with repomd.xml rewritten to match.
 *   serveMirrors(…)       a Node HTTP server with N "mirrors" of the same repo (/m0/, /m1/ …),
 *                         a MirrorManager-shaped metalink at /metalink, Range support and fault
 *                         injection per mirror (500, truncated, wrong bytes, slow).
 *
 * Shared with the image engineer: build a repo, serve it, point a definition at it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from './integration.js';
import { cacheDir } from './foreign-image.js';

const BUILD_VERSION = 'v1';

export interface TestRpms {
  /** Directory with x86_64/, i686/ and noarch/ subdirectories of signed RPMs. */
  readonly rpmsDir: string;
  /** ASCII-armored public key that signed them. */
  readonly keyFile: string;
  /** Long key id (hex, upper case). */
  readonly keyId: string;
}

function specsDir(): string {
  return join(corpusDir(), 'specs', 'dnf-ci-fedora');
}

function specKey(): string {
  const h = createHash('sha256').update(BUILD_VERSION);
  for (const f of readdirSync(specsDir()).sort()) {
    h.update(f).update(readFileSync(join(specsDir(), f)));
  }
  return h.digest('hex').slice(0, 16);
}

function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
}

function buildArchOf(specText: string): string | undefined {
  return /^BuildArch:\s*(\S+)/m.exec(specText)?.[1];
}

/** Builds (or reuses from the cache) the signed test RPMs. Takes ~1-2 min the first time. */
export function testRpms(): TestRpms {
  const final = join(cacheDir(), 'test-rpms', specKey());
  if (existsSync(join(final, 'done'))) return readResult(final);
  const work = mkdtempSync(join(cacheDir(), 'test-rpms-build-'));
  try {
    const top = join(work, 'rpmbuild');
    const out = join(work, 'out');
    for (const a of ['x86_64', 'i686', 'noarch']) mkdirSync(join(out, a), { recursive: true });
    for (const target of ['x86_64', 'i686']) {
      for (const spec of readdirSync(specsDir()).filter((f) => f.endsWith('.spec')).sort()) {
        const text = readFileSync(join(specsDir(), spec), 'utf8');
        // Fixed-arch and noarch specs are built once, with the primary target.
        if (target === 'i686' && buildArchOf(text) !== undefined) continue;
        run('rpmbuild', [
          '--define', `_topdir ${top}`,
          '--define', '_binary_payload w19.zstdio',
          '--define', '_buildhost fexpod-test',
          '--define', 'source_date_epoch_from_changelog 0',
          '--target', target,
          '-bb', join(specsDir(), spec),
        ], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
      }
    }
    for (const a of readdirSync(join(top, 'RPMS'))) {
      for (const f of readdirSync(join(top, 'RPMS', a))) renameSync(join(top, 'RPMS', a, f), join(out, a, f));
    }
    // A throwaway signing key.
    const gnupg = join(work, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    const env = { ...process.env, GNUPGHOME: gnupg };
    run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'fexpod test key <test@fexpod.invalid>', 'rsa2048', 'sign', 'never'], { env });
    const keyId = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(run('gpg', ['--batch', '--with-colons', '--list-keys'], { env }))?.[1];
    if (!keyId) throw new Error('gpg did not report the new key id');
    writeFileSync(join(out, 'RPM-GPG-KEY-fexpod-test'), run('gpg', ['--batch', '--armor', '--export', keyId], { env }));
    const all = ['x86_64', 'i686', 'noarch'].flatMap((a) => readdirSync(join(out, a)).map((f) => join(out, a, f)));
    for (let i = 0; i < all.length; i += 200) {
      run('rpmsign', [
        '--define', `_gpg_name ${keyId}`,
        '--define', `_gpg_path ${gnupg}`,
        '--define', `__gpg ${gpgPath()}`,
        '--addsign', ...all.slice(i, i + 200),
      ], { env });
    }
    // Stop the agent gpg started for this throwaway home (it would outlive the directory).
    try {
      run('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent'], { env });
    } catch {
      // No agent running: nothing to stop.
    }
    writeFileSync(join(out, 'keyid'), keyId);
    writeFileSync(join(out, 'done'), new Date(0).toISOString());
    mkdirSync(join(cacheDir(), 'test-rpms'), { recursive: true });
    try {
      renameSync(out, final);
    } catch {
      // Another run finished first; theirs is as good as ours.
    }
    return readResult(final);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function gpgPath(): string {
  return run('sh', ['-c', 'command -v gpg']).trim();
}

function readResult(dir: string): TestRpms {
  return { rpmsDir: dir, keyFile: join(dir, 'RPM-GPG-KEY-fexpod-test'), keyId: readFileSync(join(dir, 'keyid'), 'utf8').trim() };
}

export type MetadataCompression = 'gz' | 'zst' | 'xz' | 'bz2';

export interface TestRepoOptions {
  /** RPM arches to include besides noarch (default x86_64 and i686). */
  readonly arches?: readonly ('x86_64' | 'i686')[];
  readonly compression?: MetadataCompression;
  /** Only these package names (default: all). */
  readonly only?: (name: string) => boolean;
  /** A comps file for the repository's group metadata (createrepo_c -g: group + group_gz). */
  readonly comps?: string;
  /** More createrepo_c arguments, e.g. ["--repomd-checksum", "sha512"]. */
  readonly createrepoArgs?: readonly string[];
}

export interface TestRepo {
  /** Repository root (has repodata/ and Packages/). */
  readonly dir: string;
  readonly keyFile: string;
  readonly rpms: TestRpms;
  /** sha256 of repodata/repomd.xml. */
  readonly repomdSha256: string;
}

const COMPRESS: Readonly<Record<MetadataCompression, readonly string[]>> = {
  gz: ['gzip', '-n', '-9', '-c'],
  zst: ['zstd', '-q', '-19', '-c'],
  xz: ['xz', '-c'],
  bz2: ['bzip2', '-c'],
};

function sha256File(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

/** createrepo_c over the test RPMs, with metadata in the chosen compression. */
export function makeTestRepo(dir: string, opts: TestRepoOptions = {}): TestRepo {
  const rpms = testRpms();
  const arches = [...(opts.arches ?? ['x86_64', 'i686']), 'noarch'];
  const pkgDir = join(dir, 'Packages');
  mkdirSync(pkgDir, { recursive: true });
  for (const a of arches) {
    for (const f of readdirSync(join(rpms.rpmsDir, a))) {
      if (opts.only && !opts.only(rpmName(f))) continue;
      try {
        linkSync(join(rpms.rpmsDir, a, f), join(pkgDir, f));
      } catch {
        cpSync(join(rpms.rpmsDir, a, f), join(pkgDir, f));
      }
    }
  }
  run('createrepo_c', [
    '--quiet', '--no-database', '--simple-md-filenames', '--general-compress-type=gz', '--revision', '1', '--set-timestamp-to-revision',
    ...(opts.comps ? ['--groupfile', opts.comps] : []),
    ...(opts.createrepoArgs ?? []),
    dir,
  ]);
  const compression = opts.compression ?? 'gz';
  if (compression !== 'gz') recompressRepodata(join(dir, 'repodata'), compression);
  // Like Fedora's mirrors, publish the signing key next to the repository.
  cpSync(rpms.keyFile, join(dir, 'RPM-GPG-KEY-fexpod-test'));
  return { dir, keyFile: rpms.keyFile, rpms, repomdSha256: sha256File(join(dir, 'repodata', 'repomd.xml')) };
}

function rpmName(file: string): string {
  // name-version-release.arch.rpm: strip three dash-separated fields from the right.
  const base = file.replace(/\.rpm$/, '');
  const parts = base.split('-');
  return parts.slice(0, -2).join('-');
}

/**
 * Rewrites repodata to another compression: each .gz file is decompressed, recompressed,
 * renamed, and its <location>, <checksum> (same type as before), <size> updated in repomd.xml,
 * and a `_gz` data type renamed (group_gz → group_zst); the open-checksum stays.
 */
export function recompressRepodata(repodata: string, to: MetadataCompression): void {
  let repomd = readFileSync(join(repodata, 'repomd.xml'), 'utf8');
  for (const f of readdirSync(repodata).filter((x) => x.endsWith('.gz'))) {
    const plain = execFileSync('gzip', ['-dc', join(repodata, f)], { maxBuffer: 1 << 30 });
    const packed = execFileSync(COMPRESS[to][0]!, COMPRESS[to].slice(1), { input: plain, maxBuffer: 1 << 30 });
    const newName = f.replace(/\.gz$/, `.${to}`);
    writeFileSync(join(repodata, newName), packed);
    rmSync(join(repodata, f));
    repomd = repomd.replace(/<data type="([^"]+)">([\s\S]*?)<\/data>/g, (block, type: string, body: string) => {
      if (!body.includes(`<location href="repodata/${f}"/>`)) return block;
      const newType = type.endsWith('_gz') ? `${type.slice(0, -3)}_${to}` : type;
      const newBody = body
        .replace(`repodata/${f}"`, `repodata/${newName}"`)
        .replace(/<checksum type="([^"]+)">[0-9a-f]+<\/checksum>/, (_m, alg: string) => `<checksum type="${alg}">${createHash(alg === 'sha' ? 'sha1' : alg).update(packed).digest('hex')}</checksum>`)
        .replace(/<size>\d+<\/size>/, `<size>${packed.length}</size>`);
      return `<data type="${newType}">${newBody}</data>`;
    });
  }
  writeFileSync(join(repodata, 'repomd.xml'), repomd);
}

/**
 * Signs repodata/repomd.xml as a repository that uses repo_gpgcheck does
 * (`gpg --detach-sign --armor` → repomd.xml.asc), with a throwaway key made for the purpose.
 * Returns the public key file (written next to the repository) and its long key ID.
 */
export function signRepomd(repoDir: string, keyName = 'fexpod repomd test key'): { keyFile: string; keyId: string } {
  const gnupg = mkdtempSync(join(tmpdir(), 'fexpod-gnupg-'));
  const env = { ...process.env, GNUPGHOME: gnupg };
  try {
    run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', `${keyName} <repomd@fexpod.invalid>`, 'ed25519', 'sign', 'never'], { env });
    const keyId = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(run('gpg', ['--batch', '--with-colons', '--list-keys'], { env }))?.[1];
    if (!keyId) throw new Error('gpg did not report the new key id');
    const repomd = join(repoDir, 'repodata', 'repomd.xml');
    rmSync(`${repomd}.asc`, { force: true });
    run('gpg', ['--batch', '--yes', '--local-user', keyId, '--detach-sign', '--armor', '--output', `${repomd}.asc`, repomd], { env });
    const keyFile = join(repoDir, `RPM-GPG-KEY-${keyId}`);
    writeFileSync(keyFile, run('gpg', ['--batch', '--armor', '--export', keyId], { env }));
    return { keyFile, keyId };
  } finally {
    try {
      run('gpgconf', ['--homedir', gnupg, '--kill', 'gpg-agent'], { env });
    } catch {
      // No agent running: nothing to stop.
    }
    rmSync(gnupg, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- HTTP mirrors

export interface Fault {
  /** Which request paths (relative to the mirror root) this applies to. Default: all. */
  readonly match?: RegExp;
  readonly status?: number;
  /** Send only this fraction of the body, then close the connection. */
  readonly truncate?: number;
  /** Flip a byte in the middle of the body. */
  readonly corrupt?: boolean;
  /** Delay before answering (ms). */
  readonly delayMs?: number;
  /** Throttle: bytes per 10 ms chunk. */
  readonly throttleBytes?: number;
  /** Stop applying after this many hits. */
  times?: number;
}

export interface ServedRequest {
  readonly mirror: number | undefined;
  readonly path: string;
  readonly status: number;
  readonly range: string | undefined;
}

export interface TestMirrors {
  /** Base URL of mirror i (ends with /). */
  mirrorUrl(i: number): string;
  /** URL of the metalink listing all mirrors (in order). */
  readonly metalinkUrl: string;
  /** URL of a plain mirrorlist of all mirrors (in order). */
  readonly mirrorlistUrl: string;
  /** Base URL that answers every request with a 302 to mirror i. */
  redirectUrl(i: number): string;
  readonly origin: string;
  /** Fault injection per mirror; mutate freely between requests. */
  readonly faults: Map<number, Fault[]>;
  /** Extra repomd.xml sha256 hashes listed as metalink alternates; replace to list others. */
  metalinkHashes: string[];
  /** List this as the current repomd.xml sha256 instead of the real one (a metalink ahead of its mirrors). */
  metalinkCurrentHash: string | undefined;
  readonly requests: ServedRequest[];
  close(): Promise<void>;
}

/** Serves `repoDir` as `count` mirrors with a metalink in front. */
export async function serveMirrors(repoDir: string, count = 2): Promise<TestMirrors> {
  const faults = new Map<number, Fault[]>();
  const requests: ServedRequest[] = [];
  let origin = '';
  const state: { metalinkHashes: string[]; current: string | undefined } = { metalinkHashes: [], current: undefined };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const range = req.headers.range;
    const log = (mirror: number | undefined, status: number) => requests.push({ mirror, path: url.pathname, status, range });
    if (url.pathname === '/metalink') {
      const repomd = join(repoDir, 'repodata', 'repomd.xml');
      const body = metalinkXml(readFileSync(repomd), [...Array(count).keys()].map((i) => `${origin}/m${i}/repodata/repomd.xml`), state.metalinkHashes, state.current);
      log(undefined, 200);
      res.writeHead(200, { 'content-type': 'application/metalink+xml' });
      res.end(body);
      return;
    }
    if (url.pathname === '/mirrorlist') {
      log(undefined, 200);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`# mirrorlist\n${[...Array(count).keys()].map((i) => `${origin}/m${i}/`).join('\n')}\n`);
      return;
    }
    const redirect = /^\/redirect\/(\d+)\/(.*)$/.exec(url.pathname);
    if (redirect) {
      log(undefined, 302);
      res.writeHead(302, { location: `${origin}/m${redirect[1]}/${redirect[2]}` }).end();
      return;
    }
    const m = /^\/m(\d+)\/(.*)$/.exec(url.pathname);
    if (!m || Number(m[1]) >= count) {
      log(undefined, 404);
      res.writeHead(404).end();
      return;
    }
    const mirror = Number(m[1]);
    const rel = decodeURIComponent(m[2] ?? '');
    const fault = (faults.get(mirror) ?? []).find((f) => (f.match ? f.match.test(rel) : true) && (f.times === undefined || f.times > 0));
    if (fault && fault.times !== undefined) fault.times--;
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) {
      log(mirror, fault.status);
      res.writeHead(fault.status).end('injected failure');
      return;
    }
    const file = join(repoDir, rel);
    if (rel.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      log(mirror, 404);
      res.writeHead(404).end();
      return;
    }
    let body = readFileSync(file);
    if (fault?.corrupt) {
      body = Buffer.from(body);
      const at = Math.floor(body.length / 2);
      body[at] = body[at]! ^ 0xff;
    }
    let start = 0;
    const rm = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (rm) start = Number(rm[1]);
    if (start > body.length) {
      log(mirror, 416);
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return;
    }
    const status = rm ? 206 : 200;
    const headers: Record<string, string | number> = { 'content-length': body.length - start, 'accept-ranges': 'bytes' };
    if (rm) headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    log(mirror, status);
    res.writeHead(status, headers);
    const slice = body.subarray(start);
    if (fault?.truncate !== undefined) {
      res.write(slice.subarray(0, Math.floor(slice.length * fault.truncate)));
      res.destroy();
      return;
    }
    if (fault?.throttleBytes) {
      for (let i = 0; i < slice.length; i += fault.throttleBytes) {
        if (res.destroyed) return;
        res.write(slice.subarray(i, i + fault.throttleBytes));
        await new Promise((r) => setTimeout(r, 10));
      }
      res.end();
      return;
    }
    res.end(slice);
  };

  const server: Server = createServer((req, res) => {
    handler(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    mirrorUrl: (i) => `${origin}/m${i}/`,
    metalinkUrl: `${origin}/metalink`,
    mirrorlistUrl: `${origin}/mirrorlist`,
    redirectUrl: (i) => `${origin}/redirect/${i}/`,
    origin,
    faults,
    get metalinkHashes() {
      return state.metalinkHashes;
    },
    set metalinkHashes(v: string[]) {
      state.metalinkHashes = v;
    },
    get metalinkCurrentHash() {
      return state.current;
    },
    set metalinkCurrentHash(v: string | undefined) {
      state.current = v;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A metalink document shaped like Fedora MirrorManager's (metalink 3.0 + mm0 extensions). */
export function metalinkXml(repomd: Uint8Array, urls: readonly string[], alternateSha256: readonly string[] = [], currentSha256?: string): string {
  const hash = (alg: string) => (alg === 'sha256' && currentSha256 ? currentSha256 : createHash(alg).update(repomd).digest('hex'));
  const ts = 1700000000;
  const alternates = alternateSha256
    .map(
      (h) => `    <mm0:alternate>
     <mm0:timestamp>${ts - 3600}</mm0:timestamp>
     <size>${repomd.length}</size>
     <verification>
      <hash type="sha256">${h}</hash>
     </verification>
    </mm0:alternate>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="Tue, 14 Nov 2023 22:13:20 GMT" generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:timestamp>${ts}</mm0:timestamp>
   <size>${repomd.length}</size>
   <verification>
    <hash type="md5">${hash('md5')}</hash>
    <hash type="sha1">${hash('sha1')}</hash>
    <hash type="sha256">${hash('sha256')}</hash>
${currentSha256 ? '' : `    <hash type="sha512">${hash('sha512')}</hash>`}
   </verification>
   <mm0:alternates>
${alternates}
   </mm0:alternates>
   <resources maxconnections="1">
${urls.map((u, i) => `    <url protocol="${new URL(u).protocol.replace(':', '')}" type="${new URL(u).protocol.replace(':', '')}" location="US" preference="${100 - i}">${u}</url>`).join('\n')}
   </resources>
  </file>
 </files>
</metalink>
`;
}

/** A fresh temp directory under the system temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `fexpod-${prefix}-`));
}


// ---------------------------------------------------------------- dnf as the oracle

export interface DnfOptions {
  /** Repository URL (http:// or file://). */
  readonly repoUrl: string;
  /** More repositories, after the first (dnf merges their comps in this order). */
  readonly moreRepoUrls?: readonly string[];
  readonly packages: readonly string[];
  /** Install every arch of each named package (multilib_policy=all). */
  readonly multilib: boolean;
  readonly weakDeps?: boolean;
  /** Package name globs to exclude (excludepkgs). */
  readonly excludes?: readonly string[];
  /** Download the packages too (for the benchmark); default: resolve only. */
  readonly download?: boolean;
}

/**
 * What dnf 4 resolves on the same repository: a throwaway installroot and config (Debian's
 * rpm keeps its database under $HOME otherwise), reposdir=/dev/null, forcearch x86_64.
 * Returns sorted "name.arch" strings (and the download dir when asked).
 */
export function dnfResolve(opts: DnfOptions): { packages: string[]; downloadDir: string | undefined } {
  const root = mkdtempSync(join(tmpdir(), 'fexpod-dnf-'));
  try {
    const args = [
      '--installroot', join(root, 'root'),
      '--releasever', '29',
      '--forcearch', 'x86_64',
      '--setopt=reposdir=/dev/null',
      `--setopt=cachedir=${join(root, 'cache')}`,
      '--setopt=gpgcheck=False',
      `--setopt=install_weak_deps=${opts.weakDeps ? 'True' : 'False'}`,
      `--setopt=multilib_policy=${opts.multilib ? 'all' : 'best'}`,
      '--setopt=keepcache=False',
      ...(opts.excludes?.length ? [`--setopt=excludepkgs=${opts.excludes.join(',')}`] : []),
      '--noplugins',
      '--repofrompath', `t,${opts.repoUrl}`,
      '--repo', 't',
      ...(opts.moreRepoUrls ?? []).flatMap((u, i) => ['--repofrompath', `t${i + 1},${u}`, '--repo', `t${i + 1}`]),
      'install',
      ...(opts.download ? ['--downloadonly', '--downloaddir', join(root, 'dl'), '-y'] : ['--assumeno']),
      ...opts.packages,
    ];
    let out: string;
    try {
      out = execFileSync('dnf', args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
    } catch (err) {
      // --assumeno exits 1 after printing the transaction.
      const e = err as { stdout?: Buffer; stderr?: Buffer };
      out = e.stdout?.toString() ?? '';
      if (!/Transaction Summary/.test(out)) throw new Error(`dnf failed: ${e.stderr?.toString() ?? ''}${out}`);
    }
    const pkgs: string[] = [];
    let inTable = false;
    for (const line of out.split('\n')) {
      if (/^Installing( group\/module packages| dependencies| weak dependencies)?:/.test(line)) {
        inTable = true;
        continue;
      }
      if (/^(Transaction Summary|Installing (Groups|Environment Groups):)/.test(line)) inTable = false;
      if (!inTable) continue;
      const m = /^ (\S+)\s+(\S+)\s+\S+\s+\S+\s+/.exec(line);
      if (m) pkgs.push(`${m[1]}.${m[2]}`);
    }
    return { packages: pkgs.sort(), downloadDir: opts.download ? join(root, 'dl') : undefined };
  } finally {
    if (!opts.download) rmSync(root, { recursive: true, force: true });
  }
}
