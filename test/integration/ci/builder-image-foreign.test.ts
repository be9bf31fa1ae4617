/**
 * The builder image for the foreign architecture (arm64 on an x86-64 host,
 * amd64 on an aarch64 one), built on this host through fexpod's own binfmt
 * registration and hook: `fexpod binfmt install --emulator qemu-user` stages
 * the dynamic QEMU in a prefix registered with the F flag, which runs nothing
 * unless the prefix is mounted into the container — and the createRuntime
 * hook (`fexpod hook install --build-hooks-dir`, handed to podman build with
 * --hooks-dir) does that for every RUN step. Both architectures go into one
 * image index (podman build --manifest). Then the foreign image runs
 * `fexpod --version` under emulation through the precreate hook.
 *
 * The foreign stand-in base is the "prepared" one (test/helpers/standin-base.ts):
 * its runtime packages were unpacked natively, so install-packages.sh runs no
 * package manager and the emulated RUN steps are the package check, useradd and
 * the smoke step — each still a foreign process started through the hook.
 *
 * binfmt_misc is machine-wide: all of it under the binfmt test lock, restored
 * exactly afterwards. Hooks and configuration live in a temp dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { foreignArches, hostArch } from '../../helpers/foreign-image.js';
import { fileExists, integration, isRoot, onPath } from '../../helpers/integration.js';
import { standinBase } from '../../helpers/standin-base.js';
import { BINFMT, binfmtRestore, binfmtSnapshot, fexpod } from '../runtime-hook/hook-host.js';
import { buildBuilderImage, imageSize, mib, podman } from './builder-image.js';

const host = hostArch();
const guest = foreignArches(host)[0] ?? host;
const req = integration(onPath('podman'), onPath('mmdebstrap'), isRoot(), fileExists(`${BINFMT}/register`), fileExists(`/usr/bin/qemu-${guest.qemu}`), fileExists(`/usr/bin/qemu-${guest.qemu}-static`));
const unameOf = guest.name === 'arm' ? 'armv7l' : guest.name;

test(`builder image for ${guest.oci.architecture} built through fexpod's binfmt + hook, one index with ${host.oci.architecture} (stand-in Fedora bases; the foreign one prepared natively)`, { ...req, timeout: 60 * 60_000 }, async (t) => {
  await withBinfmtLock(async () => {
    const snapshot = binfmtSnapshot();
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-bi-foreign-'));
    const stateDir = join(dir, 'state');
    const hooks = join(dir, 'hooks.d');
    const buildHooks = join(dir, 'build-hooks.d');
    const log = join(dir, 'hook.log');
    for (const d of [stateDir, hooks, buildHooks]) mkdirSync(d);
    const hookDirs = ['--hooks-dir', hooks, '--conf-dir', join(dir, 'containers.conf.d'), '--build-hooks-dir', buildHooks, '--state', join(stateDir, 'binfmt-state.json')];
    const list = `localhost/fexpod-builder-test-index:${process.pid}`;
    const tags = [`localhost/fexpod-builder-test:${host.oci.architecture}-${process.pid}`, `localhost/fexpod-builder-test:${guest.oci.architecture}-${process.pid}`];
    try {
      const t0 = Date.now();
      const hostBase = standinBase(host).ref;
      const base = standinBase(guest, 'prepared').ref;
      t.diagnostic(`stand-in bases ${hostBase}, ${base} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

      const inst = fexpod(['binfmt', 'install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir]);
      assert.equal(inst.status, 0, inst.stderr);
      const hook = fexpod(['hook', 'install', ...hookDirs, '--log', log]);
      assert.equal(hook.status, 0, hook.stderr);

      await t.test('without the hook, a foreign container cannot run (only the F-flag prefix entry serves)', () => {
        const r = podman(['run', '--rm', '--hooks-dir', join(dir, 'none'), '--arch', guest.oci.architecture, base, 'true']);
        assert.notEqual(r.status, 0, r.stdout);
      });

      assert.equal(podman(['manifest', 'create', list]).status, 0);
      const native = buildBuilderImage(host, hostBase, tags[0] ?? '', ['--manifest', list, '--hooks-dir', buildHooks]);
      t.diagnostic(`${host.oci.architecture}: ${native.seconds.toFixed(0)} s, ${mib(imageSize(tags[0] ?? ''))}`);
      const before = existsSync(log) ? readFileSync(log, 'utf8').length : 0; // native RUN steps log nothing
      const foreign = buildBuilderImage(guest, base, tags[1] ?? '', ['--manifest', list, '--hooks-dir', buildHooks]);
      const prepared = /the base already has every runtime tool/.test(foreign.output) ? ', install-packages.sh: prepared base, no package manager' : '';
      t.diagnostic(`${guest.oci.architecture}: ${foreign.seconds.toFixed(0)} s under emulation${prepared}, ${mib(imageSize(tags[1] ?? ''))}`);

      await t.test(`the ${guest.oci.architecture} RUN steps ran under emulation through the createRuntime hook`, () => {
        assert.match(foreign.output, /^fexpod \d+\.\d+\.\d+$/m, 'the smoke step printed the version');
        const logged = readFileSync(log, 'utf8').slice(before);
        assert.match(logged, /createRuntime info: .*foreign: .* is (aarch64|arm|x86_64|i386)/, logged.slice(-2000));
        assert.match(logged, /bind-mounted/, logged.slice(-2000));
      });

      await t.test('one image index with both architectures', () => {
        const idx = JSON.parse(podman(['manifest', 'inspect', list]).stdout) as { manifests: { platform?: { architecture?: string } }[] };
        assert.deepEqual(idx.manifests.map((m) => m.platform?.architecture).sort(), [host.oci.architecture, guest.oci.architecture].sort());
      });

      await t.test(`the ${guest.oci.architecture} image runs fexpod --version under emulation`, () => {
        const v = podman(['run', '--rm', '--hooks-dir', hooks, '--arch', guest.oci.architecture, tags[1] ?? '', '--version']);
        assert.equal(v.status, 0, `${v.stderr}\n${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no hook log)'}`);
        assert.match(v.stdout, /^fexpod \d+\.\d+\.\d+/);
        const m = podman(['run', '--rm', '--hooks-dir', hooks, '--arch', guest.oci.architecture, '--entrypoint', 'uname', tags[1] ?? '', '-m']);
        assert.equal(m.stdout.trim(), unameOf);
      });
    } finally {
      fexpod(['hook', 'uninstall', ...hookDirs]);
      fexpod(['binfmt', 'uninstall', '--state-dir', stateDir]);
      binfmtRestore(snapshot);
      podman(['manifest', 'rm', list]);
      for (const tag of tags) podman(['rmi', '-f', tag]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
