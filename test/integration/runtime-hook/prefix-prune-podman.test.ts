/**
 * An emulator update with a foreign container running, for real: Podman with
 * the hook (in its own hooks directory), real binfmt_misc, a copy of Debian's
 * dynamic qemu-user staged into a prefix. The copy changes (the update);
 * refresh stages it into a new prefix and registers the entry again, so the
 * kernel runs the new emulator from then on, also for new processes of the
 * container started before: they work, because the hook mounted the directory
 * of the prefixes, where the new one appears. Later refreshes keep the old
 * prefix while the container's first process still runs the old emulator, say
 * why, and remove it once the container is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInstallState } from '../../../src/emulator/binfmt/install-state.js';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { foreignArches, podmanImage } from '../../helpers/foreign-image.js';
import { fileExists, integration, isRoot, onPath } from '../../helpers/integration.js';
import { BINFMT, CLI, binfmtRestore, binfmtSnapshot, podman } from './hook-host.js';

const guest = foreignArches()[0];
const qemu = guest ? `/usr/bin/qemu-${guest.qemu}` : '/nonexistent';
const req = integration(onPath('podman'), isRoot(), fileExists(`${BINFMT}/register`), fileExists(qemu));

test('an emulator update while a foreign container runs: the container keeps working, the old prefix stays while its first process runs the old emulator, then goes', { ...req, timeout: 15 * 60_000 }, async () => {
  if (!guest) return;
  await withBinfmtLock(async () => {
    const snapshot = binfmtSnapshot();
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-prune-podman-'));
    const stateDir = join(dir, 'state');
    const emu = join(dir, 'emu');
    const hooks = join(dir, 'hooks.d');
    const name = `fexpod-prune-${process.pid}`;
    mkdirSync(stateDir);
    mkdirSync(emu);
    copyFileSync(qemu, join(emu, `qemu-${guest.qemu}`));
    // fexpod finds the copy first: an emulator that can be "updated" without touching the host's
    const env = { ...process.env, PATH: `${emu}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
    const fexpod = (args: string[]) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 180_000 });
      assert.equal(r.status, 0, `fexpod ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const prefixOf = () => parseInstallState(readFileSync(join(stateDir, 'binfmt-state.json'), 'utf8'), 'state').registrations[0]?.prefix ?? '';
    try {
      const image = podmanImage(guest, 'dynamic');
      fexpod(['binfmt', 'install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir]);
      fexpod(['hook', 'install', '--hooks-dir', hooks, '--conf-dir', join(dir, 'conf.d'), '--no-build-hook', '--state', join(stateDir, 'binfmt-state.json'), '--log', join(dir, 'hook.log')]);
      const old = prefixOf();
      assert.match(old, /\/prefix\/[0-9a-f]{64}$/);

      const run = podman(['run', '-d', '--name', name, '--hooks-dir', hooks, '--arch', guest.oci.architecture, image, 'sleep', '600']);
      assert.equal(run.status, 0, run.stderr);

      appendFileSync(join(emu, `qemu-${guest.qemu}`), Buffer.of(0)); // the update: other bytes, the same program
      const first = fexpod(['binfmt', 'refresh', '--state-dir', stateDir]);
      const current = prefixOf();
      assert.notEqual(current, old, 'the updated emulator is staged into a new prefix');
      assert.doesNotMatch(first, /old prefix/, 'the prefix a run replaces stays until the next run');

      const inside = podman(['exec', name, 'uname', '-m']);
      assert.equal(inside.stdout.trim(), guest.name === 'arm' ? 'armv7l' : guest.name === 'i386' ? 'i686' : guest.name, `a new process of the running container runs through the new emulator: ${inside.stderr}`);

      const again = fexpod(['binfmt', 'refresh', '--state-dir', stateDir]);
      assert.match(again, new RegExp(`kept old prefix ${old}: process \\d+ runs ${old}/`), 'the container\'s sleep still runs the old emulator');
      assert.ok(existsSync(old));

      const fresh = podman(['run', '--rm', '--hooks-dir', hooks, '--arch', guest.oci.architecture, image, 'uname', '-m']);
      assert.equal(fresh.status, 0, `a new container: ${fresh.stderr}`);

      assert.equal(podman(['rm', '-f', '-t', '0', name]).status, 0);
      const last = fexpod(['binfmt', 'refresh', '--state-dir', stateDir, '--json']);
      assert.deepEqual((JSON.parse(last) as { prefixesRemoved: string[] }).prefixesRemoved, [old]);
      assert.ok(!existsSync(old) && existsSync(current));
    } finally {
      podman(['rm', '-f', '-t', '0', name]);
      spawnSync(process.execPath, [CLI, 'hook', 'uninstall', '--hooks-dir', hooks, '--conf-dir', join(dir, 'conf.d'), '--no-build-hook'], { env });
      spawnSync(process.execPath, [CLI, 'binfmt', 'uninstall', '--state-dir', stateDir], { env });
      binfmtRestore(snapshot);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
