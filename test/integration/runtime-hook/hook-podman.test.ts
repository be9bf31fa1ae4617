/**
 * The hook against the real thing: Podman 4.3 with runc, the kernel's
 * binfmt_misc, Debian's dynamic qemu-user staged into a prefix, and foreign
 * images built from Debian packages. Debian's own static qemu entries are
 * disabled for the duration, so only fexpod's (dynamic, F-flag) entries can
 * run foreign binaries — and they only work where the hook mounted the prefix.
 */
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { parseInstallState } from '../../../src/emulator/binfmt/install-state.js';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { foreignArches, hostArch, podmanImage } from '../../helpers/foreign-image.js';
import { integration, isRoot, onPath, fileExists } from '../../helpers/integration.js';
import { HOST_SENTINEL, attacks, buildAttackImage, makeHostSentinel } from './attack-images.js';
import { BINFMT, binfmtRestore, binfmtSnapshot, fexpod, podman, podmanAsync, realBinfmtCommand, setEntry, standInBinfmtInstall } from './hook-host.js';

const host = hostArch();
const guests = foreignArches(host);
const guest64 = guests[0] ?? Arch.of('aarch64');
const req = integration(onPath('podman'), isRoot(), fileExists(`${BINFMT}/register`), ...guests.map((g) => fileExists(`/usr/bin/qemu-${g.qemu}`)));
const unameOf = (a: Arch) => (a.name === 'arm' ? 'armv7l' : a.name);
/** Debian's own (static, POF) entries for our guests: disabled so that only fexpod's entries serve. */
const debianEntries = guests.map((g) => `qemu-${g.qemu}`);

test('podman hook end to end', { ...req, timeout: 20 * 60_000 }, async (t) => {
  await withBinfmtLock(async () => {
    const snapshot = binfmtSnapshot();
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-it-'));
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir);
    const stateFile = join(stateDir, 'binfmt-state.json');
    const log = join(dir, 'hook.log');
    const empty = join(dir, 'no-hooks.d');
    mkdirSync(empty);
    const created: string[] = [];
    const hookArgs = ['--state', stateFile, '--log', log];
    try {
      for (const e of debianEntries) setEntry(e, '0');
      const images = new Map(guests.map((g) => [g.name, { dynamic: podmanImage(g, 'dynamic'), static: podmanImage(g, 'static') }]));
      const dyn64 = images.get(guest64.name)?.dynamic ?? '';
      const nativeImage = 'localhost/fexpod-hook-native:latest';

      // 1. Emulators: the real command when it exists, else the stand-in.
      if (realBinfmtCommand()) {
        const r = fexpod(['binfmt', 'install', ...guests.flatMap((g) => ['--guest', g.name]), '--emulator', 'qemu-user', '--state-dir', stateDir]);
        assert.equal(r.status, 0, `fexpod binfmt install: ${r.stderr}`);
      } else {
        t.diagnostic('fexpod binfmt install is not on this branch yet: using the stagePrefix stand-in');
        await standInBinfmtInstall(stateDir, guests);
      }
      const state = parseInstallState(readFileSync(stateFile, 'utf8'), stateFile);
      for (const g of guests) assert.ok(state.registrations.some((r) => r.guest === g.name && r.prefix), `a prefix for ${g.name}`);

      await t.test('without the hook a foreign container fails (only the F-flag dynamic entries serve)', () => {
        const r = podman(['run', '--rm', '--hooks-dir', empty, '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
        assert.notEqual(r.status, 0, r.stdout);
      });

      // 2. The real install: default hooks dir, drop-in and build hook.
      const inst = fexpod(['hook', 'install', ...hookArgs, '--json']);
      assert.equal(inst.status, 0, inst.stderr);
      const st = fexpod(['hook', 'status', '--state', stateFile, '--json']);
      assert.equal(st.status, 0, st.stdout);
      assert.equal(JSON.parse(st.stdout).problems.length, 0, st.stdout);

      for (const g of guests) {
        for (const flavour of ['dynamic', 'static'] as const) {
          await t.test(`podman run --arch ${g.oci.architecture} (${flavour}) uname -m prints ${unameOf(g)}`, () => {
            const img = images.get(g.name)?.[flavour] ?? '';
            const r = podman(['run', '--rm', '--arch', g.oci.architecture, img, 'uname', '-m']);
            assert.equal(r.status, 0, `${r.stderr}\n${readFileSync(log, 'utf8')}`);
            assert.equal(r.stdout.trim(), unameOf(g));
          });
        }
      }

      await t.test('the directory of the prefixes is mounted read-only, nosuid, nodev at its own path', () => {
        const prefix = state.registrations.find((r) => r.guest === guest64.name)?.prefix ?? '';
        const r = podman(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'cat', '/proc/self/mountinfo']);
        assert.equal(r.status, 0, r.stderr);
        const line = r.stdout.split('\n').find((l) => l.split(' ')[4] === dirname(prefix)) ?? '';
        assert.match(line, /\bro\b/);
        assert.match(line, /nosuid/);
        assert.match(line, /nodev/);
      });

      await t.test('podman exec into a running foreign container', () => {
        const name = `fexpod-hook-exec-${process.pid}`;
        created.push(name);
        const run = podman(['run', '-d', '--name', name, '--arch', guest64.oci.architecture, dyn64, 'sleep', '300']);
        assert.equal(run.status, 0, run.stderr);
        const ex = podman(['exec', name, 'uname', '-m']);
        assert.equal(ex.status, 0, ex.stderr);
        assert.equal(ex.stdout.trim(), unameOf(guest64));
        podman(['rm', '-f', '-t', '0', name]);
      });

      await t.test('a native container config passes through byte for byte (real podman, tee hooks around ours)', () => {
        const cap = join(dir, 'capture.d');
        mkdirSync(cap);
        const hookJson = readFileSync('/etc/fexpod/hooks.d/fexpod-precreate.json', 'utf8');
        writeFileSync(join(cap, 'fexpod-precreate.json'), hookJson);
        const tee = (file: string) => JSON.stringify({ version: '1.0.0', hook: { path: '/usr/bin/tee', args: ['tee', file] }, when: { always: true }, stages: ['precreate'] });
        writeFileSync(join(cap, '00-in.json'), tee(join(dir, 'in.json')));
        writeFileSync(join(cap, 'zz-out.json'), tee(join(dir, 'out.json')));
        const ctr = join(dir, 'native-root');
        mkdirSync(join(ctr, 'bin'), { recursive: true });
        copyFileSync('/bin/busybox', join(ctr, 'bin', 'busybox'));
        const tar = join(dir, 'native.tar');
        execFileSync('tar', ['-C', ctr, '-cf', tar, '.']);
        const imp = podman(['import', '--change', 'CMD=["/bin/busybox","true"]', tar, nativeImage]);
        assert.equal(imp.status, 0, imp.stderr);
        const r = podman(['run', '--rm', '--hooks-dir', cap, nativeImage]);
        assert.equal(r.status, 0, r.stderr);
        const input = readFileSync(join(dir, 'in.json'));
        const output = readFileSync(join(dir, 'out.json'));
        assert.ok(input.length > 1000);
        assert.ok(output.equals(input), 'native config changed');
        // The foreign one changes only by our mount.
        const f = podman(['run', '--rm', '--hooks-dir', cap, '--arch', guest64.oci.architecture, dyn64, 'true']);
        assert.equal(f.status, 0, f.stderr);
        const fin = JSON.parse(readFileSync(join(dir, 'in.json'), 'utf8'));
        const fout = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
        const added = fout.mounts.slice(fin.mounts.length);
        assert.equal(added.length, 1);
        fout.mounts = fin.mounts;
        assert.deepEqual(fout, fin);
      });

      await t.test('20 foreign containers started at once all succeed', async () => {
        const runs = await Promise.all(
          Array.from({ length: 20 }, () => podmanAsync(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'uname', '-m'])),
        );
        const bad = runs.filter((r) => r.status !== 0 || r.stdout.trim() !== unameOf(guest64));
        assert.equal(bad.length, 0, bad.map((b) => b.stderr).join('\n'));
      });

      await t.test('a flushed binfmt entry is re-registered by the hook', () => {
        const entry = state.registrations.find((r) => r.guest === guest64.name)?.entryName ?? '';
        setEntry(entry, '-1');
        assert.equal(existsSync(join(BINFMT, entry)), false);
        const r = podman(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), unameOf(guest64));
        assert.equal(existsSync(join(BINFMT, entry)), true);
      });

      await t.test('podman build --arch with a RUN step (createRuntime hook)', () => {
        const ctx = join(dir, 'build');
        mkdirSync(ctx);
        writeFileSync(join(ctx, 'Containerfile'), `FROM ${dyn64}\nRUN uname -m > /built-arch && cat /built-arch\n`);
        const tag = `localhost/fexpod-hook-build:${process.pid}`;
        const r = podman(['build', '--no-cache', '--arch', guest64.oci.architecture, '-t', tag, ctx], 300_000);
        podman(['rmi', '-f', tag]);
        assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}\n${readFileSync(log, 'utf8')}`);
        assert.match(r.stdout, new RegExp(`^${unameOf(guest64)}$`, 'm'));
      });

      await t.test('attack images never break the container or the hook', async (tt) => {
        makeHostSentinel(host);
        for (const a of attacks(guest64)) {
          await tt.test(a.name, () => {
            const ref = buildAttackImage(guest64, a);
            created.push(`image:${ref}`);
            const before = readFileSync(log, 'utf8').length;
            const withHook = podman(['run', '--rm', '--arch', guest64.oci.architecture, ref]);
            const logged = readFileSync(log, 'utf8').slice(before);
            assert.doesNotMatch(logged, /error:/, logged);
            if (a.expect === 'works') {
              assert.equal(withHook.status, 0, `${withHook.stderr}\n${logged}`);
              assert.equal(withHook.stdout.trim(), a.stdout);
              assert.match(logged, /foreign:/);
            } else {
              const without = podman(['run', '--rm', '--hooks-dir', empty, '--arch', guest64.oci.architecture, ref]);
              assert.notEqual(withHook.status, 0);
              assert.equal(withHook.status, without.status, `${withHook.stderr} vs ${without.stderr}`);
              assert.doesNotMatch(withHook.stderr, /hook/i);
            }
          });
        }
      });

      await t.test('CDI: the generated spec alone (no hooks) makes the foreign run work', () => {
        const spec = `/etc/cdi/fexpod-hook-test-${process.pid}.json`;
        created.push(`file:${spec}`);
        const g = fexpod(['cdi', 'generate', '--state', stateFile, '--output', spec, '--json']);
        assert.equal(g.status, 0, g.stderr);
        const r = podman(['run', '--rm', '--hooks-dir', empty, '--device', `fexpod.io/emulator=${guest64.name}`, '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), unameOf(guest64));
      });

      await t.test('after fexpod hook uninstall the foreign run fails again', () => {
        const u = fexpod(['hook', 'uninstall']);
        assert.equal(u.status, 0, u.stderr);
        const r = podman(['run', '--rm', '--arch', guest64.oci.architecture, dyn64, 'uname', '-m']);
        assert.notEqual(r.status, 0, r.stdout);
      });
    } finally {
      fexpod(['hook', 'uninstall']);
      for (const c of created) {
        if (c.startsWith('image:')) podman(['rmi', '-f', c.slice(6)]);
        else if (c.startsWith('file:')) rmSync(c.slice(5), { force: true });
        else podman(['rm', '-f', '-t', '0', c]);
      }
      podman(['rmi', '-f', 'localhost/fexpod-hook-native:latest']);
      if (realBinfmtCommand()) fexpod(['binfmt', 'uninstall', '--state-dir', stateDir]);
      binfmtRestore(snapshot);
      rmSync(HOST_SENTINEL, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

