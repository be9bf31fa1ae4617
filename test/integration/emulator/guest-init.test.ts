/**
 * The in-guest step for real, as far as this machine allows: a krun microVM
 * cannot start here (no libkrun, no aarch64 KVM), but what the step relies on
 * is a binfmt_misc instance of its own, and kernel ≥ 6.7 gives every user
 * namespace one. So: stage the emulator (here the dynamic QEMU for a foreign
 * architecture, playing FEX's part) with fexpod-guest-init into a prefix,
 * bind-mount the prefix read-only into a root holding only a foreign static
 * busybox, and run the step there as the container's first process in a new
 * user + mount + pid namespace. It mounts that namespace's binfmt_misc,
 * registers the emulator from the injected prefix, and the foreign shell then
 * runs. Controls: the same namespace without the step cannot run the shell
 * (the instance starts empty, the host's entries do not apply), and in the
 * host's own user namespace the step never registers (the host's binfmt_misc
 * is untouched) and runs the program through the emulator instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildRule } from '../../../src/emulator/binfmt/binfmt-plan.js';
import { formatRegistration } from '../../../src/emulator/binfmt/binfmt-rule.js';
import { stagePrefix } from '../../../src/emulator/prefix/emulator-prefix.js';
import { hasPerUsernsBinfmt, parseKernelRelease } from '../../../src/emulator/host/kernel-version.js';
import { firstStep } from '../../../src/emulator/microvm/guest-init.js';
import { nodePrefixDeps } from '../../../src/emulator/prefix/prefix-deps.js';
import { buildRootfs, foreignArches } from '../../helpers/foreign-image.js';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { fileExists, integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';
import { release } from 'node:os';

const run = promisify(execFile);
const guest = foreignArches()[0];
if (!guest) throw new Error('no foreign architecture for this host');
const QEMU = `/usr/bin/qemu-${guest.qemu}`;
const GUEST_INIT = join(repoRoot(), 'dist', 'native', 'fexpod-guest-init');
const UNAME: Record<string, RegExp> = { aarch64: /^aarch64$/m, arm: /^armv7l$/m, x86_64: /^x86_64$/m, i386: /^i[3-6]86$/m };
const kernel = parseKernelRelease(release());
const perUserns = { what: 'kernel ≥ 6.7 (binfmt_misc per user namespace)', ok: kernel !== undefined && hasPerUsernsBinfmt(kernel) };

/** Runs `argv` as the first process of a chroot that sees only `root` and the prefix (read-only, nosuid, nodev). */
async function inNamespace(opts: { userns: boolean; root: string; prefix: string; binfmt?: boolean }, argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const ns = opts.userns ? ['--user', '--map-root-user', '--mount', '--pid', '--fork'] : ['--mount'];
  const script = [
    'set -e',
    'root=$1; prefix=$2; shift 2',
    'mount --bind "$prefix" "$root$prefix"',
    'mount -o remount,bind,ro,nosuid,nodev "$root$prefix"',
    ...(opts.userns ? ['mount -t proc proc "$root/proc"'] : []),
    ...(opts.binfmt ? ['mount -t binfmt_misc binfmt_misc "$root/proc/sys/fs/binfmt_misc"'] : []),
    'exec chroot "$root" "$@"',
  ].join('\n');
  try {
    const r = await run('unshare', [...ns, '--propagation', 'private', 'sh', '-c', script, 'sh', opts.root, opts.prefix, ...argv], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test(`in-guest step: fexpod-guest-init registers the staged ${guest.name} emulator in a user namespace's own binfmt_misc, then the foreign program runs`, integration(isRoot(), onPath('unshare'), onPath('chroot'), onPath('patchelf'), onPath('dpkg-deb'), fileExists(QEMU), fileExists(GUEST_INIT), perUserns), async () => {
  const state = mkdtempSync(join(tmpdir(), 'fexpod-guest-init-state-'));
  const root = buildRootfs(guest, 'static');
  try {
    const staged = await stagePrefix(QEMU, { stateDir: state, extraBinaries: [GUEST_INIT] }, nodePrefixDeps());
    const prefix = staged.prefix;
    assert.ok(prefix, `${QEMU} is the dynamic build, so it is staged`);
    const init = staged.extra['fexpod-guest-init'];
    assert.equal(init, `${prefix}/bin/fexpod-guest-init`, 'the step lives in the prefix, with the prefix\'s loader');
    mkdirSync(join(root, prefix), { recursive: true });
    chmodSync(root, 0o755);
    const rule = buildRule(guest, 'qemu-user', staged.interpreter, 'POF');
    const entries = [{ guest: guest.name, prefix, interpreter: staged.interpreter, registration: formatRegistration(rule), guestInit: init }];
    // The same first step the hook writes into a krun container's process.args.
    const step = firstStep(entries, ['/bin/sh', '-c', `cat /proc/sys/fs/binfmt_misc/${rule.name}; echo "entries: $(ls /proc/sys/fs/binfmt_misc | tr '\\n' ' ')"; exec -a uname /bin/busybox -m`], '/bin/sh');
    assert.equal(step.how, 'register');
    // Under the shared lock: the test compares the host's binfmt_misc before and after, and a
    // teammate's test that registers or removes entries (holding the lock) must not run between.
    await withBinfmtLock(async () => {
      const before = readdirSync('/proc/sys/fs/binfmt_misc').sort();

      const ok = await inNamespace({ userns: true, root, prefix }, step.args);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, new RegExp(`^interpreter ${staged.interpreter}$`, 'm'), 'registered from the injected prefix');
      assert.match(ok.stdout, /^flags: POF$/m);
      assert.match(ok.stdout, new RegExp(`^entries: ${rule.name} register status $`, 'm'), 'the namespace\'s instance holds only our entry');
      assert.match(ok.stdout, UNAME[guest.name] ?? /./, 'the foreign busybox ran (argv[0] "uname" reached it through P)');

      const control = await inNamespace({ userns: true, root, prefix, binfmt: true }, ['/bin/sh', '-c', 'true']);
      assert.notEqual(control.code, 0, 'without the step, the foreign shell cannot run in that namespace');
      assert.match(control.stderr, /Exec format error/);

      const host = await inNamespace({ userns: false, root, prefix }, firstStep(entries, ['uname', '-m'], '/bin/uname').args);
      assert.equal(host.code, 0, host.stderr);
      assert.match(host.stderr, /not in a krun microVM nor in a user namespace of its own/);
      assert.match(host.stdout, UNAME[guest.name] ?? /./, 'run through the emulator instead');
      assert.deepEqual(readdirSync('/proc/sys/fs/binfmt_misc').sort(), before, 'the host\'s binfmt_misc is untouched');
    });
  } finally {
    rmSync(state, { recursive: true, force: true });
    if (existsSync(root)) rmSync(root, { recursive: true, force: true });
  }
});
