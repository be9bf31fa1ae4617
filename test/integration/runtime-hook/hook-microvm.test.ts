/**
 * The hook's microVM route through real Podman (runc) on a stand-in 16 KiB
 * host: the page size, crun's +LIBKRUN and a usable /dev/kvm come from the
 * test-only host facts in the hook JSON's env (FEXPOD_TEST_HOST_FACTS); crun's
 * krun handler and libkrun do not exist here, and runc ignores the
 * run.oci.handler annotation. So each container runs on this kernel, with the
 * exact config the hook wrote (captured by tee hooks around it): the first
 * step, fexpod-guest-init from the staged prefix, then decides as it would in
 * the guest. The emulator is the dynamic QEMU for a foreign architecture,
 * playing FEX's part. Nothing here changes the host's binfmt_misc, and the
 * hooks directory is passed with --hooks-dir, so no lock is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildRule } from '../../../src/emulator/binfmt/binfmt-plan.js';
import { formatRegistration } from '../../../src/emulator/binfmt/binfmt-rule.js';
import { stagePrefix } from '../../../src/emulator/prefix/emulator-prefix.js';
import { HOST_OVERRIDE_ENV, HOST_OVERRIDE_MARKER } from '../../../src/emulator/host/host-override.js';
import { formatInstallState, type InstallState } from '../../../src/emulator/binfmt/install-state.js';
import { nodePrefixDeps } from '../../../src/emulator/prefix/prefix-deps.js';
import { foreignArches, podmanImage } from '../../helpers/foreign-image.js';
import { fileExists, integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';
import { podman } from './hook-host.js';

const guest = foreignArches()[0];
if (!guest) throw new Error('no foreign architecture for this host');
const QEMU = `/usr/bin/qemu-${guest.qemu}`;
const GUEST_INIT = join(repoRoot(), 'dist', 'native', 'fexpod-guest-init');
const HOOK = join(repoRoot(), 'dist', 'hook', 'runtime-hook', 'hook-main.js');
const UNAME = guest.name === 'arm' ? 'armv7l' : guest.name;
const req = integration(onPath('podman'), isRoot(), fileExists(QEMU), fileExists(GUEST_INIT), fileExists(HOOK), onPath('patchelf'));

test('hook on a stand-in 16 KiB host through real podman: krun handler and the in-guest step', { ...req, timeout: 15 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-microvm-it-'));
  chmodSync(dir, 0o755);
  const log = join(dir, 'hook.log');
  const tag = randomBytes(4).toString('hex');
  const nativeImage = `localhost/fexpod-microvm-native-${tag}:latest`;
  try {
    const staged = await stagePrefix(QEMU, { stateDir: dir, extraBinaries: [GUEST_INIT] }, nodePrefixDeps());
    const prefix = staged.prefix ?? '';
    const guestInit = staged.extra['fexpod-guest-init'] ?? '';
    const rule = buildRule(guest, 'qemu-user', staged.interpreter, 'POF');
    const state: InstallState = {
      version: 1, registrations: [], disabled: [], persisted: [],
      microvm: [{ guest: guest.name, prefix, interpreter: staged.interpreter, registration: formatRegistration(rule), guestInit }],
    };
    const stateFile = join(dir, 'binfmt-state.json');
    writeFileSync(stateFile, formatInstallState(state));

    /** A hooks dir: tee the config in, fexpod's hook with these host facts, tee the config out. */
    const hooksDir = (name: string, facts: object) => {
      const d = join(dir, name);
      mkdirSync(d);
      const factsFile = join(dir, `${name}.facts.json`); // not in the hooks dir: Podman parses every file there
      writeFileSync(factsFile, JSON.stringify({ testOnly: HOST_OVERRIDE_MARKER, ...facts }));
      const capture = (f: string) => join(dir, `${name}.${f}`); // also outside the hooks dir
      const tee = (file: string) => ({ version: '1.0.0', hook: { path: '/usr/bin/tee', args: ['tee', capture(file)] }, when: { always: true }, stages: ['precreate'] });
      writeFileSync(join(d, '00-in.json'), JSON.stringify(tee('in.json')));
      writeFileSync(join(d, '50-fexpod-precreate.json'), JSON.stringify({
        version: '1.0.0',
        hook: { path: process.execPath, args: ['node', HOOK, 'precreate', '--state', stateFile, '--log', log], env: [`${HOST_OVERRIDE_ENV}=${factsFile}`] },
        when: { always: true },
        stages: ['precreate'],
      }));
      writeFileSync(join(d, 'zz-out.json'), JSON.stringify(tee('out.json')));
      return { dir: d, capture, config: (f: 'in.json' | 'out.json') => JSON.parse(readFileSync(capture(f), 'utf8')) };
    };
    const krun = hooksDir('krun.d', { pageSize: 16384, crunFeatures: ['SYSTEMD', 'SELINUX', 'LIBKRUN'], kvm: 'usable' });
    const noKrun = hooksDir('no-krun.d', { pageSize: 16384, crunFeatures: ['SYSTEMD', 'SELINUX'], kvm: 'usable' });
    const image = podmanImage(guest, 'static');

    await t.test('a foreign container: krun handler, the prefix mounted read-only, fexpod-guest-init first; under runc it is in the host\'s user namespace, never registers, and runs the command through the emulator', () => {
      const r = podman(['run', '--rm', '--hooks-dir', krun.dir, image, 'uname', '-m']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), UNAME);
      assert.match(r.stderr, /fexpod-guest-init: binfmt_misc: not in a krun microVM nor in a user namespace of its own/);
      const before = krun.config('in.json');
      const after = krun.config('out.json');
      assert.equal(after.annotations['run.oci.handler'], 'krun');
      assert.deepEqual(after.process.args, [guestInit, '--register', state.microvm?.[0]?.registration, '--interpreter', staged.interpreter, '--', 'uname', '-m']);
      assert.deepEqual(after.mounts.slice(before.mounts.length), [{ destination: dirname(prefix), source: dirname(prefix), type: 'bind', options: ['bind', 'ro', 'nosuid', 'nodev'] }]);
      delete after.annotations['run.oci.handler'];
      for (const k of ['args', 'env'] as const) after.process[k] = before.process[k];
      after.mounts = before.mounts;
      assert.deepEqual(after, before, 'nothing else in the config changed');
    });

    await t.test('a container with its own user namespace: the step registers the emulator from the injected prefix in that namespace\'s binfmt_misc, and the foreign shell runs', () => {
      const r = podman(['run', '--rm', '--hooks-dir', krun.dir, '--uidmap', '0:200000:65536', '--gidmap', '0:200000:65536', '--cap-add', 'SYS_ADMIN', image,
        'sh', '-c', `cat /proc/sys/fs/binfmt_misc/${rule.name}; uname -m`]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^interpreter ${staged.interpreter}$`, 'm'));
      assert.match(r.stdout, new RegExp(`^${UNAME}$`, 'm'));
      assert.doesNotMatch(r.stderr, /fexpod-guest-init/, 'registered, no fallback');
    });

    await t.test('crun without +LIBKRUN: the container fails at create time and the hook names the missing piece', () => {
      const name = `fexpod-microvm-refused-${tag}`;
      const r = podman(['run', '--rm', '--name', name, '--hooks-dir', noKrun.dir, image, 'uname', '-m']);
      podman(['rm', '-f', '-t', '0', name]);
      assert.notEqual(r.status, 0);
      assert.equal(r.stdout, '', 'the command never ran');
      assert.match(r.stderr, /exit status 3/, 'Podman drops hook stderr and shows the exit status');
      const lines = readFileSync(log, 'utf8');
      assert.match(lines, /refusing this container: .* is aarch64|refusing this container: .* is arm/);
      assert.match(lines, /crun is built without \+LIBKRUN/);
      assert.match(lines, /fix: sudo dnf install crun-krun/);
    });

    await t.test('a native container on the same host passes through byte for byte', () => {
      const root = join(dir, 'native-root');
      mkdirSync(join(root, 'bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
      const tar = join(dir, 'native.tar');
      execFileSync('tar', ['-C', root, '-cf', tar, '.']);
      assert.equal(podman(['import', '--change', 'CMD=["/bin/busybox","true"]', tar, nativeImage]).status, 0);
      const r = podman(['run', '--rm', '--hooks-dir', krun.dir, nativeImage]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(readFileSync(krun.capture('out.json')).equals(readFileSync(krun.capture('in.json'))));
    });
  } finally {
    podman(['rmi', '-f', nativeImage]);
    for (const d of readdirSync(dir)) if (d === 'prefix') execFileSync('chmod', ['-R', 'u+w', join(dir, d)]);
    rmSync(dir, { recursive: true, force: true });
  }
});
