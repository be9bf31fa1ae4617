/**
 * Old emulator prefixes are removed only once nothing uses them, judged from
 * the real /proc: a process in another mount namespace holding a bind mount
 * of the prefix (what a container started before an update has), then a host
 * process running a program from it, then nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodePruneDeps, prunePrefixes } from '../../../src/emulator/prefix/prefix-prune.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';

const req = integration(isRoot(), onPath('unshare'), onPath('mount'), onPath('sleep'));

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await sleep(50);
  assert.ok(ok(), what);
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await gone;
}

test('an old prefix stays while a mount namespace has it bind-mounted or a process runs from it, and goes when nothing does', req, async () => {
  const top = mkdtempSync('/var/tmp/fexpod-prune-');
  const root = join(top, 'prefix');
  const old = join(root, 'a'.repeat(64));
  const current = join(root, 'b'.repeat(64));
  const procs: ChildProcess[] = [];
  try {
    for (const p of [old, current]) {
      mkdirSync(join(p, 'bin'), { recursive: true });
      copyFileSync('/bin/sleep', join(p, 'bin', 'sleep'));
    }
    const keep = new Set([current]);

    // A container started before the update: its own mount namespace, the prefix bind-mounted into it.
    mkdirSync(join(top, 'mnt'));
    const ns = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind -o ro ${old} ${join(top, 'mnt')} && exec sleep 300`], { stdio: 'ignore' });
    procs.push(ns);
    await until('the bind mount is in the namespace', () => {
      try {
        return readFileSync(`/proc/${ns.pid}/mountinfo`, 'utf8').includes(join(top, 'mnt'));
      } catch {
        return false;
      }
    });
    let v = await prunePrefixes(root, keep, nodePruneDeps);
    assert.deepEqual(v.remove, []);
    assert.match(v.inUse[0]?.by ?? '', new RegExp(`process ${ns.pid} has it mounted at ${join(top, 'mnt')}`));
    assert.ok(existsSync(join(old, 'bin', 'sleep')));
    await stop(ns);

    // A host process the old registration started: it runs a program of the prefix.
    const run = spawn(join(old, 'bin', 'sleep'), ['300'], { stdio: 'ignore' });
    procs.push(run);
    await until('the program runs', () => existsSync(`/proc/${run.pid}/exe`));
    v = await prunePrefixes(root, keep, nodePruneDeps);
    assert.deepEqual(v.remove, []);
    assert.match(v.inUse[0]?.by ?? '', new RegExp(`process ${run.pid} runs ${old}/bin/sleep`));
    await stop(run);

    // Nothing: it goes, the current one stays.
    v = await prunePrefixes(root, keep, nodePruneDeps);
    assert.deepEqual(v, { remove: [old], inUse: [] });
    assert.ok(!existsSync(old));
    assert.ok(existsSync(join(current, 'bin', 'sleep')));
  } finally {
    for (const p of procs) await stop(p);
    rmSync(top, { recursive: true, force: true });
  }
});
