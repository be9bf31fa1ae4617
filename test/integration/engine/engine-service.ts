/**
 * Container engines' API services started by a test, each on a unix socket in
 * a temp dir of its own: `podman system service` (the host's podman storage)
 * and, where Debian's docker.io is installed, a private dockerd (its own data
 * root and exec root, no bridge and no iptables rules, so it changes nothing
 * machine-wide).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EngineService {
  readonly socket: string;
  readonly url: string;
  stop(): Promise<void>;
}

async function waitFor(socket: string, child: ChildProcess, log: () => string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (existsSync(socket)) return;
    if (child.exitCode !== null) throw new Error(`engine exited (${child.exitCode}): ${log()}`);
    await sleep(250);
  }
  throw new Error(`no socket ${socket} after ${seconds} s: ${log()}`);
}

async function start(cmd: string, args: (dir: string, socket: string) => string[], sockName: string, seconds: number): Promise<EngineService> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-engine-'));
  const socket = join(dir, sockName);
  let out = '';
  const child = spawn(cmd, args(dir, socket), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 60 && child.exitCode === null; i++) await sleep(250);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // a mount dockerd left busy: the temp dir stays, nothing else does
    }
  };
  try {
    await waitFor(socket, child, () => out, seconds);
  } catch (err) {
    await stop();
    throw err;
  }
  return { socket, url: `unix://${socket}`, stop };
}

export function podmanService(): Promise<EngineService> {
  return start('podman', (_dir, socket) => ['system', 'service', '--time=0', `unix://${socket}`], 'podman.sock', 30);
}

export function dockerService(): Promise<EngineService> {
  return start('dockerd', (dir, socket) => [
    '--host', `unix://${socket}`, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'docker.pid'),
    '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--bridge=none',
  ], 'docker.sock', 60);
}
