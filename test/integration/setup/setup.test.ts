/**
 * `fexpod setup` on the real host (root, the kernel's binfmt_misc, Podman with
 * runc, Debian's dynamic qemu-user staged into prefixes, the real
 * systemd-binfmt binary), under the shared binfmt lock:
 *
 *   setup → a foreign container runs
 *   systemd-binfmt (flush + binfmt.d) → fexpod's entries come back from its
 *     binfmt.d files through the stable links; masked conflicts stay away
 *   a full flush, then exactly the unit's ExecStart → entries back, container runs
 *   setup again → nothing changes
 *   setup --undo → /proc/sys/fs/binfmt_misc, the hooks directories,
 *     containers.conf.d, binfmt.d and the unit directory are as before, byte for byte
 *
 * With --rootfs: an EroFS that mkfs.erofs made, pushed to a local distribution
 * registry and installed by reference (the dry run names the local file), into
 * a FEX directory of the test's own (--fex-dir) whose Config.json --undo must
 * give back byte for byte, mode included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { foreignArches, podmanImage } from '../../helpers/foreign-image.js';
import { fileExists, integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDirectory } from '../../helpers/tree-listing.js';
import { BINFMT, binfmtRestore, binfmtSnapshot, fexpod, podman } from '../runtime-hook/hook-host.js';
import { sampleOutputs } from '../../helpers/sample-tree.js';
import { startRegistry } from '../../helpers/registry.js';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';

const guests = foreignArches();
const [g64] = guests;
const SYSTEMD_BINFMT = ['/usr/lib/systemd/systemd-binfmt', '/lib/systemd/systemd-binfmt'].find((p) => existsSync(p)) ?? '/usr/lib/systemd/systemd-binfmt';
const req = integration(onPath('podman'), isRoot(), fileExists(`${BINFMT}/register`), fileExists(SYSTEMD_BINFMT), onPath('systemd-analyze'), onPath('docker-registry'), onPath('mkfs.erofs'), ...guests.map((g) => fileExists(`/usr/bin/qemu-${g.qemu}`)));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const FEX_CONFIG = '{"Config": {"Multiblock": "1", "RootFS": "Ubuntu_24_04.sqsh"},\n "ThunksDB": {"GL": 1}}\n';
const unameOf = (name: string) => (name === 'arm' ? 'armv7l' : name);

/** Directories the acceptance compares, byte for byte. */
const WATCHED = ['/etc/binfmt.d', '/etc/fexpod', '/etc/containers/containers.conf.d', '/etc/containers/oci', '/usr/share/containers/oci', '/etc/systemd/system'];

function kernelFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(BINFMT).sort()) if (n !== 'register') out[n] = readFileSync(join(BINFMT, n), 'utf8');
  return out;
}

function trees(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of WATCHED) {
    out[d] = existsSync(d) ? { mode: statSync(d).mode & 0o7777, entries: Object.fromEntries(listDirectory(d)) } : 'absent';
  }
  return out;
}

/** Splits an ExecStart= line the way systemd does for the simple forms setup writes (words, "quoted words"). */
function execStartOf(unitText: string): string[] {
  const line = unitText.split('\n').find((l) => l.startsWith('ExecStart=')) ?? assert.fail('no ExecStart');
  const words = line.slice('ExecStart='.length).match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
  return words.map((w) => (w.startsWith('"') ? w.slice(1, -1).replace(/\\(.)/g, '$1') : w).replaceAll('%%', '%').replaceAll('$$', '$'));
}

test('fexpod setup, systemd-binfmt restarts, and setup --undo on the real host', { ...req, timeout: 15 * 60_000 }, async (t) => {
  if (!g64) return;
  const images = guests.map((g) => ({ g, ref: podmanImage(g, 'dynamic') }));
  const runForeign = () => {
    for (const { g, ref } of images) {
      const r = podman(['run', '--rm', '--arch', g.oci.architecture, ref, 'uname', '-m']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), unameOf(g.name));
    }
  };
  // The RootFS: mkfs.erofs output, pushed as a fexpod RootFS artifact (before the lock: no host state).
  const reg = await startRegistry();
  const sample = await sampleOutputs(['erofs']);
  const erofs = sample.result.outputs.find((o) => o.kind === 'erofs')?.path ?? assert.fail('no erofs output');
  const rootfsRef = `${reg.host}/fexpod-setup-it-${process.pid}/rootfs:1-erofs`;
  const pushed = fexpod(['push', '--tls-verify=false', erofs, rootfsRef]);
  assert.equal(pushed.status, 0, pushed.stderr);
  await withBinfmtLock(async () => {
    const snapshot = binfmtSnapshot();
    const kernelBefore = kernelFiles();
    const treesBefore = trees();
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-setup-it-'));
    const stateDir = join(dir, 'state');
    const hookLog = join(dir, 'hook.log');
    const fexDir = join(dir, 'fex-emu');
    mkdirSync(fexDir);
    writeFileSync(join(fexDir, 'Config.json'), FEX_CONFIG);
    chmodSync(join(fexDir, 'Config.json'), 0o640);
    const fexBefore = listDirectory(fexDir);
    const base = ['--state-dir', stateDir, '--emulator', 'qemu-user', '--hook-log', hookLog, ...guests.flatMap((g) => ['--guest', g.name])];
    const args = [...base, '--rootfs', rootfsRef, '--tls-verify=false', '--fex-dir', fexDir];
    const installed = join(fexDir, 'RootFS', 'sample.erofs');
    let undone = false;
    try {
      await t.test('--dry-run changes nothing and lists the registrations and files (--rootfs of a local EroFS file)', () => {
        const r = fexpod(['setup', '--dry-run', '--json', ...base, '--rootfs', erofs, '--fex-dir', fexDir]);
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.dryRun, true);
        const registered = out.changes.filter((c: { kind: string; action: string }) => c.kind === 'binfmt' && c.action === 'register').map((c: { entry: string }) => c.entry);
        assert.deepEqual(registered, guests.map((g) => `fexpod-qemu-user-${g.name}`));
        for (const p of ['/etc/fexpod/hooks.d/fexpod-precreate.json', '/etc/containers/containers.conf.d/90-fexpod-hooks.conf', '/etc/systemd/system/fexpod-binfmt.service', installed, join(fexDir, 'Config.json'), join(stateDir, 'rootfs', 'installed.json')]) {
          assert.ok(out.changes.some((c: { path?: string }) => c.path === p), `${p} listed`);
        }
        const rootfsStep = out.steps.find((s: { step: string }) => s.step === 'rootfs');
        assert.equal(rootfsStep.result.digest, `sha256:${sha(erofs)}`);
        assert.deepEqual(kernelFiles(), kernelBefore);
        assert.deepEqual(trees(), treesBefore);
        assert.deepEqual(listDirectory(fexDir), fexBefore);
        assert.equal(existsSync(stateDir), false);
      });

      const r = fexpod(['setup', '--json', ...args]);
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`), ['binfmt:done', 'hook:done', 'systemd:done', 'rootfs:done']);
      assert.equal(out.doctor.healthy, true);

      await t.test('--rootfs REF: the EroFS is in RootFS/ byte for byte, and Config.json names it with its other keys kept', () => {
        assert.equal(sha(installed), sha(erofs));
        assert.deepEqual(JSON.parse(readFileSync(join(fexDir, 'Config.json'), 'utf8')), { Config: { Multiblock: '1', RootFS: 'sample.erofs' }, ThunksDB: { GL: 1 } });
        assert.match(out.steps[3].result.source, new RegExp(`^${reg.host}/fexpod-setup-it-${process.pid}/rootfs:1-erofs@sha256:`));
      });
      const unitPath = '/etc/systemd/system/fexpod-binfmt.service';
      const afterSetup = new Set(Object.keys(kernelFiles()));

      await t.test('after setup, podman run --arch <foreign> works', () => runForeign());

      await t.test('systemd-analyze verify accepts the unit setup wrote', () => {
        const v = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
        assert.equal(v.status, 0, v.stderr);
        assert.equal(v.stderr.trim(), '');
      });

      await t.test('systemd-binfmt (flush + binfmt.d) brings fexpod back through the stable links; masked conflicts stay off', () => {
        const s = spawnSync(SYSTEMD_BINFMT, [], { encoding: 'utf8' });
        t.diagnostic(`systemd-binfmt exit ${s.status}: ${s.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
        for (const g of guests) {
          const entry = readFileSync(join(BINFMT, `fexpod-qemu-user-${g.name}`), 'utf8');
          assert.match(entry, new RegExp(`interpreter ${stateDir}/prefix/fexpod-qemu-user-${g.name}/bin/qemu-${g.qemu}\n`));
          assert.equal(existsSync(join(BINFMT, `qemu-${g.qemu}`)), false, `qemu-${g.qemu} is masked`);
        }
        runForeign();
      });

      await t.test('after a full flush, exactly what the unit runs registers everything again', () => {
        writeFileSync(join(BINFMT, 'status'), '-1');
        assert.deepEqual(readdirSync(BINFMT).sort(), ['register', 'status']);
        const [cmd, ...rest] = execStartOf(readFileSync(unitPath, 'utf8'));
        // systemd's environment for system services: PATH and nothing else.
        const u = spawnSync(cmd ?? '', rest, { encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin' } });
        assert.equal(u.status, 0, u.stderr);
        const state = JSON.parse(readFileSync(join(stateDir, 'binfmt-state.json'), 'utf8'));
        for (const reg of state.registrations) {
          const entry = readFileSync(join(BINFMT, reg.entryName), 'utf8');
          assert.ok(entry.startsWith('enabled\n') && entry.includes(`interpreter ${reg.interpreter}\n`), entry);
        }
        runForeign();
      });

      // systemd-binfmt registered every other binfmt.d file of this host too: that was this test, not setup.
      for (const n of readdirSync(BINFMT)) {
        if (n !== 'register' && !(n in kernelBefore) && !afterSetup.has(n)) writeFileSync(join(BINFMT, n), '-1');
      }

      await t.test('setup again changes nothing', () => {
        const again = fexpod(['setup', '--json', ...args]);
        assert.equal(again.status, 0, again.stderr);
        assert.deepEqual(JSON.parse(again.stdout).changes, []);
      });

      await t.test('setup --undo: binfmt_misc, hooks dirs, containers.conf.d, binfmt.d, units and FEX\'s directory are back byte for byte', () => {
        const u = fexpod(['setup', '--undo', '--json', '--state-dir', stateDir]);
        assert.equal(u.status, 0, u.stderr);
        undone = true;
        assert.deepEqual(kernelFiles(), kernelBefore);
        assert.deepEqual(trees(), treesBefore);
        assert.deepEqual(listDirectory(fexDir), fexBefore, 'Config.json with its bytes and mode 640, no RootFS/');
        assert.equal(existsSync(stateDir), false, 'setup created the state directory; undo removed it');
      });
    } finally {
      if (!undone) fexpod(['setup', '--undo', '--state-dir', stateDir]);
      binfmtRestore(snapshot);
      rmSync(dir, { recursive: true, force: true });
    }
  }).finally(async () => {
    await reg.close();
    rmSync(sample.dir, { recursive: true, force: true });
  });
});
