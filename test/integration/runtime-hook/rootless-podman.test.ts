/**
 * Issue 13's acceptance, on the real thing: a fresh unprivileged user with
 * subuid/subgid ranges, rootless Podman 4.3 (runc, --network none), the
 * kernel's per-user-namespace binfmt_misc (≥ 6.7), and the host's own arm64
 * and arm entries disabled — so only what fexpod registers in Podman's
 * private instance can run a foreign binary. No root is involved in any
 * fexpod or podman command; root only makes the user, disables and restores
 * the host entries (under the binfmt test lock) and builds the image tars.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join, relative } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { hasPerUsernsBinfmt, parseKernelRelease } from '../../../src/emulator/host/kernel-version.js';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { buildRootfs, foreignArches, hostArch, type RootfsFlavour } from '../../helpers/foreign-image.js';
import { integration, isRoot, onPath, fileExists } from '../../helpers/integration.js';
import { readableCheckout, type Checkout } from '../../helpers/readable-checkout.js';
import { createTestUser, type TestUser } from '../../helpers/test-user.js';
import { BINFMT, binfmtRestore, binfmtSnapshot, setEntry } from './hook-host.js';

const host = hostArch();
const [guest64 = Arch.of('aarch64'), guest32 = Arch.of('arm')] = foreignArches(host);
const req = integration(
  isRoot(),
  onPath('podman'),
  onPath('runuser'),
  onPath('useradd'),
  onPath('newuidmap'),
  fileExists(`${BINFMT}/register`),
  fileExists(`/usr/bin/qemu-${guest64.qemu}`),
  fileExists(`/usr/bin/qemu-${guest64.qemu}-static`),
  { what: 'Linux ≥ 6.7 (per-user-namespace binfmt_misc)', ok: hasPerUsernsBinfmt(parseKernelRelease(release())) },
);
const unameOf = (a: Arch) => (a.name === 'arm' ? 'armv7l' : a.name);
/** Debian's and Fedora's own entries for our guests: disabled so that only fexpod's can serve. */
const hostEntries = [guest64, guest32].map((g) => `qemu-${g.qemu}`);
const RUN = ['run', '--rm', '--network', 'none'];

/** Every file of the host's binfmt_misc, names and contents. */
function binfmtBytes(): string {
  return readdirSync(BINFMT)
    .sort()
    .map((n) => (n === 'register' ? n : `${n}\n${readFileSync(join(BINFMT, n), 'utf8')}`))
    .join('\n--\n');
}

/** Paths under a home, without Podman's own storage and caches (they change with every run). */
function homeListing(home: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(home, p);
      if (rel === '.local/share/containers' || rel === '.cache') continue;
      out.push(`${rel}${e.isDirectory() ? '/' : ''}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(home);
  return out.sort();
}

/** Imports a rootfs built by root into the user's own storage. */
function importAsUser(u: TestUser, arch: Arch, flavour: RootfsFlavour): string {
  const ref = `localhost/fexpod-rootless-${flavour}:${arch.oci.architecture}${arch.oci.variant ? `-${arch.oci.variant}` : ''}`;
  const root = buildRootfs(arch, flavour);
  const tar = join(u.shared, `${flavour}-${arch.name}.tar`);
  try {
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    chmodSync(tar, 0o644);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const args = ['import', '--arch', arch.oci.architecture, ...(arch.oci.variant ? ['--variant', arch.oci.variant] : [])];
  const r = u.run(['podman', ...args, '--change', 'ENV=PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', '--change', 'CMD=["/bin/sh"]', tar, ref]);
  assert.equal(r.status, 0, `podman import as ${u.name}: ${r.stderr}`);
  rmSync(tar);
  return ref;
}

function userNs(u: TestUser): string {
  const r = u.run(['podman', 'unshare', 'readlink', '/proc/self/ns/user']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('rootless Podman runs foreign containers through its private binfmt_misc, with no root setup', { ...req, timeout: 20 * 60_000 }, async (t) => {
  await withBinfmtLock(async () => {
    const before = binfmtBytes();
    const snapshot = binfmtSnapshot();
    let u: TestUser | undefined;
    let checkout: Checkout | undefined;
    try {
      for (const e of hostEntries) setEntry(e, '0');
      const hostDisabled = binfmtBytes();
      u = createTestUser();
      const user = u;
      checkout = readableCheckout((p) => user.run(['test', '-r', p]).status === 0);
      const cli = checkout.cli;
      const fexpod = (args: readonly string[]) => user.run([process.execPath, cli, ...args]);
      const podman = (args: readonly string[]) => user.run(['podman', ...args]);
      const log = join(user.home, '.local', 'state', 'fexpod', 'hook.log');
      const logText = () => {
        try {
          return readFileSync(log, 'utf8');
        } catch {
          return '(no hook log)';
        }
      };
      const dyn = importAsUser(user, guest64, 'dynamic');
      const stat = importAsUser(user, guest64, 'static');
      const stat32 = importAsUser(user, guest32, 'static');
      const ctr = join(user.shared, 'native-root');
      mkdirSync(join(ctr, 'bin'), { recursive: true });
      copyFileSync('/bin/busybox', join(ctr, 'bin', 'busybox'));
      execFileSync('tar', ['-C', ctr, '-cf', join(user.shared, 'native.tar'), '.']);
      chmodSync(join(user.shared, 'native.tar'), 0o644);
      const native = 'localhost/fexpod-rootless-native:latest';
      assert.equal(podman(['import', '--change', 'CMD=["/bin/busybox","true"]', join(user.shared, 'native.tar'), native]).status, 0);
      const homeBefore = homeListing(user.home);

      await t.test('without fexpod the foreign container fails (the host entries are off)', () => {
        const r = podman([...RUN, '--arch', guest64.oci.architecture, stat, 'uname', '-m']);
        assert.notEqual(r.status, 0, r.stdout);
      });

      const doctor = () => {
        const r = fexpod(['doctor', '--json']);
        return JSON.parse(r.stdout) as { healthy: boolean; rootlessRoute: { available: boolean; installed: boolean; checks: unknown[] }; advice: { blocking: boolean; problem: string }[] };
      };

      await t.test('fexpod doctor as that user: the rootless route is available, not set up yet', () => {
        const d = doctor();
        assert.equal(d.rootlessRoute.available, true, JSON.stringify(d.rootlessRoute.checks, null, 2));
        assert.equal(d.rootlessRoute.installed, false);
      });

      await t.test('fexpod hook install --user (dynamic qemu-user) writes only under the home directory', () => {
        const r = fexpod(['hook', 'install', '--user', '--emulator', 'qemu-user', '--json']);
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as { written: string[]; emulators: { guest: string; prefix?: string }[] };
        for (const p of doc.written) assert.ok(p.startsWith(`${user.home}/`), p);
        assert.deepEqual(doc.emulators.map((e) => e.guest).sort(), [guest64.name, guest32.name].sort());
        for (const e of doc.emulators) assert.ok(e.prefix?.startsWith(`${user.home}/.local/share/fexpod/prefix/`), e.prefix);
        const st = fexpod(['hook', 'status', '--user']);
        assert.equal(st.status, 0, st.stdout);
      });

      for (const [img, arch] of [[dyn, guest64], [stat, guest64], [stat32, guest32]] as const) {
        await t.test(`podman run --arch ${arch.oci.architecture} ${img} uname -m prints ${unameOf(arch)} (dynamic QEMU from the user prefix)`, () => {
          const r = podman([...RUN, '--arch', arch.oci.architecture, img, 'uname', '-m']);
          assert.equal(r.status, 0, `${r.stderr}\n${logText()}`);
          assert.equal(r.stdout.trim(), unameOf(arch));
        });
      }

      await t.test('the registration lives in Podman\'s namespace: binfmt status --user sees it', () => {
        const r = fexpod(['binfmt', 'status', '--user', '--json']);
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as { namespace: { instance: string; entries: Record<string, string> } };
        assert.equal(doc.namespace.instance, 'private');
        assert.equal(doc.namespace.entries[`fexpod-qemu-user-${guest64.name}`], 'enabled');
        assert.match(logText(), /made the private binfmt_misc instance of Podman's user namespace/);
      });

      await t.test('fexpod doctor as that user: the route in use, nothing blocks', () => {
        const d = doctor();
        assert.equal(d.rootlessRoute.installed, true);
        assert.deepEqual(d.advice.filter((a) => a.blocking), []);
        assert.equal(d.healthy, true);
      });

      await t.test('podman exec into a running foreign container', () => {
        const name = `fexpod-rootless-exec-${process.pid}`;
        const run = podman(['run', '-d', '--network', 'none', '--name', name, '--arch', guest64.oci.architecture, dyn, 'sleep', '300']);
        assert.equal(run.status, 0, run.stderr);
        try {
          const ex = podman(['exec', name, 'uname', '-m']);
          assert.equal(ex.status, 0, ex.stderr);
          assert.equal(ex.stdout.trim(), unameOf(guest64));
        } finally {
          podman(['rm', '-f', '-t', '0', name]);
        }
      });

      await t.test('after podman system migrate (a new user namespace) the next foreign container works', () => {
        const ns0 = userNs(user);
        assert.equal(podman(['system', 'migrate']).status, 0);
        assert.notEqual(userNs(user), ns0, 'migrate made a new user namespace');
        const r = podman([...RUN, '--arch', guest64.oci.architecture, dyn, 'uname', '-m']);
        assert.equal(r.status, 0, `${r.stderr}\n${logText()}`);
        assert.equal(r.stdout.trim(), unameOf(guest64));
      });

      await t.test('10 foreign containers started at once in a fresh namespace all succeed; the instance is made once', async () => {
        assert.equal(podman(['system', 'migrate']).status, 0);
        const made = (logText().match(/made the private binfmt_misc instance/g) ?? []).length;
        const runs = await Promise.all(Array.from({ length: 10 }, () => user.runAsync(['podman', ...RUN, '--arch', guest64.oci.architecture, dyn, 'uname', '-m'])));
        const bad = runs.filter((r) => r.status !== 0 || r.stdout.trim() !== unameOf(guest64));
        assert.equal(bad.length, 0, bad.map((b) => b.stderr).join('\n') + logText());
        assert.equal((logText().match(/made the private binfmt_misc instance/g) ?? []).length, made + 1);
        const mounts = podman(['unshare', 'grep', '-c', ` ${BINFMT} `, '/proc/self/mountinfo']);
        const hostMounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(` ${BINFMT} `)).length;
        assert.equal(Number(mounts.stdout.trim()), hostMounts + 1, 'one private mount on top of the host\'s');
      });

      await t.test('a native container of that user passes through byte for byte', () => {
        const cap = join(user.shared, 'capture.d');
        mkdirSync(cap);
        writeFileSync(join(cap, 'fexpod-precreate.json'), readFileSync(join(user.home, '.config', 'fexpod', 'hooks.d', 'fexpod-precreate.json')));
        const tee = (file: string) => JSON.stringify({ version: '1.0.0', hook: { path: '/usr/bin/tee', args: ['tee', file] }, when: { always: true }, stages: ['precreate'] });
        writeFileSync(join(cap, '00-in.json'), tee(join(user.shared, 'in.json')));
        writeFileSync(join(cap, 'zz-out.json'), tee(join(user.shared, 'out.json')));
        const r = podman([...RUN, '--hooks-dir', cap, native]);
        assert.equal(r.status, 0, r.stderr);
        const input = readFileSync(join(user.shared, 'in.json'));
        assert.ok(input.length > 1000);
        assert.ok(readFileSync(join(user.shared, 'out.json')).equals(input), 'native config changed');
      });

      await t.test('with the static QEMU (fexpod hook install --user --emulator qemu-user-static)', () => {
        // In the live namespace: the dynamic entry is taken out, the static one registered by the next start.
        const r = fexpod(['hook', 'install', '--user', '--guest', guest64.name, '--emulator', 'qemu-user-static', '--json']);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual((JSON.parse(r.stdout) as { entriesReplaced: string[] }).entriesReplaced, [`fexpod-qemu-user-${guest64.name}`]);
        for (const img of [dyn, stat]) {
          // No prefix is mounted for a static emulator: only the static QEMU can be running this.
          const run = podman([...RUN, '--arch', guest64.oci.architecture, img, 'sh', '-c', 'uname -m; grep -c /fexpod/prefix/ /proc/self/mountinfo || true']);
          assert.equal(run.status, 0, `${run.stderr}\n${logText()}`);
          assert.deepEqual(run.stdout.trim().split('\n'), [unameOf(guest64), '0']);
        }
        assert.match(logText(), new RegExp(`qemu-user-static via fexpod-qemu-user-static-${guest64.name}`));
        const live = podman(['unshare', 'ls', BINFMT]);
        assert.doesNotMatch(live.stdout, new RegExp(`^fexpod-qemu-user-${guest64.name}$`, 'm'));
      });

      await t.test('the host\'s binfmt_misc is byte-for-byte unchanged', () => {
        assert.equal(binfmtBytes(), hostDisabled);
      });

      await t.test('fexpod hook uninstall --user removes every file it wrote, and the live entries', () => {
        const r = fexpod(['hook', 'uninstall', '--user']);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(homeListing(user.home), homeBefore);
        const left = podman(['unshare', 'ls', BINFMT]);
        assert.equal(left.status, 0, left.stderr);
        assert.doesNotMatch(left.stdout, /fexpod/);
        const after = podman([...RUN, '--arch', guest64.oci.architecture, stat, 'uname', '-m']);
        assert.notEqual(after.status, 0, 'nothing serves the foreign container any more');
      });
    } finally {
      u?.remove();
      checkout?.cleanup();
      binfmtRestore(snapshot);
      const now = binfmtBytes();
      if (now !== before) {
        t.diagnostic(`binfmt_misc differs after restore:\n${now}\n--- before ---\n${before}`);
        assert.equal(now, before);
      }
    }
  });
});
