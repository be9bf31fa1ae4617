/**
 * Drives the real `fexpod build` CLI (dist/src/cli.js) on images/demo.toml
 * against the demo repository served over loopback HTTP: real lock (libsolv),
 * verified fetch (sha256 + OpenPGP), scriptless install, profile and outputs.
 *
 *   demoSetup()   builds the demo repo, serves it, writes a copy of demo.toml
 *                 whose gpgkey paths point at the repo's keys
 *   runFexpod()   runs the CLI asynchronously (the server lives in this process),
 *                 optionally as another user, with its own cwd, umask and TZ
 *   buildTwiceApart()  the reproducibility pair: one lock, two builds in two
 *                 directories under different umask and TZ
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPathForUser, dropTo } from './cli-for-user.js';
import { repoRoot } from './integration.js';
import { makeDemoRepo } from './demo-repo.js';
import { serveMirrors, type TestMirrors } from './test-repo.js';

export interface DemoSetup {
  /** A world-readable temp dir holding repo/, keys/ and demo.toml. */
  readonly dir: string;
  readonly defFile: string;
  /** --repo argument pointing the definition at the loopback mirror. */
  readonly repoArg: string;
  readonly mirrors: TestMirrors;
  close(): Promise<void>;
}

export function cliPath(): string {
  return join(repoRoot(), 'dist', 'src', 'cli.js');
}

export async function demoSetup(): Promise<DemoSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-demo-'));
  chmodSync(dir, 0o755);
  const repo = makeDemoRepo(join(dir, 'repo'));
  mkdirSync(join(dir, 'keys'));
  const keys = repo.keyFiles.map((k) => {
    const dest = join(dir, 'keys', k.split('/').pop() ?? 'key');
    copyFileSync(k, dest);
    return dest;
  });
  const text = readFileSync(join(repoRoot(), 'images', 'demo.toml'), 'utf8').replace(
    /^gpgkey = .*$/m,
    `gpgkey = [${keys.map((k) => JSON.stringify(`file://${k}`)).join(', ')}]`,
  );
  const defFile = join(dir, 'demo.toml');
  writeFileSync(defFile, text);
  const mirrors = await serveMirrors(repo.dir, 1);
  return {
    dir,
    defFile,
    repoArg: `demo=${mirrors.mirrorUrl(0)}`,
    mirrors,
    close: async () => {
      await mirrors.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RunOptions {
  readonly cwd?: string;
  readonly umask?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Run as this uid/gid (setpriv, no capabilities). */
  readonly user?: number;
}

/** Runs `node dist/src/cli.js ARGS` without blocking this process's event loop. */
export function runFexpod(args: readonly string[], opts: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const node = process.execPath;
  const inner = [node, opts.user === undefined ? cliPath() : cliPathForUser(opts.user), ...args];
  const shell = `umask ${opts.umask ?? '022'} && exec "$@"`;
  const cmd = opts.user === undefined
    ? ['sh', '-c', shell, 'sh', ...inner]
    : [...dropTo(opts.user), 'sh', '-c', shell, 'sh', ...inner];
  return new Promise((resolve, reject) => {
    execFile(cmd[0] ?? 'sh', cmd.slice(1), { cwd: opts.cwd, env: { ...process.env, ...opts.env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

export interface CliBuildResult {
  readonly manifestDigest: string;
  readonly diffId: string;
  readonly packages: number;
  readonly sourceDateEpoch: number;
  readonly outputs: readonly { readonly kind: string; readonly path: string; readonly digest: string }[];
}

export function parseBuildJson(stdout: string): CliBuildResult {
  return JSON.parse(stdout) as CliBuildResult;
}

export function tempDir(prefix: string, mode = 0o700): string {
  const d = mkdtempSync(join(tmpdir(), `fexpod-${prefix}-`));
  chmodSync(d, mode);
  return d;
}

/** The two settings the reproducibility tests build under: whatever they change must not change the bytes. */
const APART = [{ umask: '022', tz: 'UTC' }, { umask: '077', tz: 'Asia/Tokyo' }] as const;

/**
 * Locks the demo once, then builds it from that lock in each of `dirs` (two,
 * made and removed by the caller), each run with that directory as cwd and
 * its own umask and TZ (022/UTC, 077/Asia/Tokyo). `buildArgs(dir)` gives the
 * build's own options (--format, -o, ...); --locked, --repo, --cache-dir in the
 * directory and --json are added.
 */
export async function buildTwiceApart(demo: DemoSetup, dirs: readonly [string, string], buildArgs: (dir: string) => readonly string[]): Promise<[CliBuildResult, CliBuildResult]> {
  await runFexpod(['lock', demo.defFile, '--repo', demo.repoArg]);
  const build = async (d: string, r: (typeof APART)[number]) => {
    const { stdout } = await runFexpod(['build', demo.defFile, '--locked', '--repo', demo.repoArg, ...buildArgs(d), '--cache-dir', join(d, 'cache'), '--json'], { cwd: d, umask: r.umask, env: { TZ: r.tz } });
    return parseBuildJson(stdout);
  };
  const a = await build(dirs[0], APART[0]);
  const b = await build(dirs[1], APART[1]);
  return [a, b];
}
