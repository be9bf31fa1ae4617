/**
 * A fresh unprivileged user for rootless tests: created with a home and a
 * runtime directory under a temporary directory and a subuid/subgid range no
 * other user has, commands run as that user with a clean environment
 * (runuser + env -i), and everything removed afterwards: the user's processes
 * (by pid), the account and its ranges, the directories. Creating users is
 * machine-global: call it while holding the binfmt test lock.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestUser {
  readonly name: string;
  readonly uid: number;
  readonly home: string;
  readonly runtimeDir: string;
  /** A directory both root and the user can use (mode 0777). */
  readonly shared: string;
  readonly env: Readonly<Record<string, string>>;
  run(argv: readonly string[], opts?: { input?: string; timeout?: number }): SpawnSyncReturns<string>;
  runAsync(argv: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }>;
  remove(): void;
}

const RANGE = 65536;

/** A subordinate id range that overlaps none in /etc/subuid or /etc/subgid. */
export function freeSubIdStart(texts: readonly string[]): number {
  let end = 1_000_000;
  for (const t of texts) {
    for (const line of t.split('\n')) {
      const [, s, c] = line.split(':');
      const e = Number(s) + Number(c);
      if (Number.isFinite(e) && e > end) end = e;
    }
  }
  return Math.ceil(end / RANGE) * RANGE;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function must(r: SpawnSyncReturns<string>, what: string): void {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
}

/** Pids of every process owned by uid (from /proc). */
export function pidsOf(uid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const m = /^Uid:\s+(\d+)/m.exec(read(`/proc/${d}/status`));
    if (m && Number(m[1]) === uid) out.push(Number(d));
  }
  return out;
}

export function createTestUser(prefix = 'fxrl'): TestUser {
  const name = `${prefix}${randomBytes(4).toString('hex')}`;
  const base = mkdtempSync(join(tmpdir(), `fexpod-${name}-`));
  chmodSync(base, 0o755);
  const home = join(base, 'home');
  const runtimeDir = join(base, 'run');
  const shared = join(base, 'shared');
  must(spawnSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-U', name], { encoding: 'utf8' }), 'useradd');
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (let i = 0; i < 3; i++) {
      const pids = pidsOf(uid);
      if (pids.length === 0) break;
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      spawnSync('sleep', ['0.5']);
    }
    spawnSync('userdel', [name], { encoding: 'utf8' });
    // userdel removes the subordinate ranges too; make sure.
    for (const f of ['/etc/subuid', '/etc/subgid']) {
      if (read(f).split('\n').some((l) => l.startsWith(`${name}:`))) spawnSync('sed', ['-i', `/^${name}:/d`, f]);
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const start = freeSubIdStart([read('/etc/subuid'), read('/etc/subgid')]);
    const range = `${start}-${start + RANGE - 1}`;
    must(spawnSync('usermod', ['--add-subuids', range, '--add-subgids', range, name], { encoding: 'utf8' }), 'usermod --add-subuids');
    for (const d of [home, runtimeDir, shared]) mkdirSync(d, { mode: 0o700 });
    chownSync(home, uid, gid);
    chownSync(runtimeDir, uid, gid);
    chmodSync(shared, 0o777);
  } catch (err) {
    remove();
    throw err;
  }
  const env = { HOME: home, USER: name, LOGNAME: name, PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', XDG_RUNTIME_DIR: runtimeDir, LC_ALL: 'C' };
  const argvFor = (argv: readonly string[]) => ['-u', name, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
  return {
    name,
    uid,
    home,
    runtimeDir,
    shared,
    env,
    run: (argv, opts = {}) => spawnSync('runuser', argvFor(argv), { encoding: 'utf8', cwd: home, input: opts.input, timeout: opts.timeout ?? 180_000 }),
    runAsync: (argv) =>
      new Promise((resolve) => {
        const c = spawn('runuser', argvFor(argv), { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('close', (status) => resolve({ status, stdout, stderr }));
      }),
    remove,
  };
}
