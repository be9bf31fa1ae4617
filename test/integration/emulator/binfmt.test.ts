/**
 * `fexpod binfmt` against the real kernel binfmt_misc (global instance), as
 * root, under the shared binfmt test lock. Each test first makes the host
 * look like a stock Debian host (Debian's qemu-user-static entry for the guest
 * registered from /usr/lib/binfmt.d), and puts every entry back in finally.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Arch } from '../../../src/common/arch.js';
import { withBinfmtLock } from '../../helpers/binfmt-lock.js';
import { debianPackages, foreignArches } from '../../helpers/foreign-image.js';
import { fileExists, integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';

const run = promisify(execFile);
const BINFMT = '/proc/sys/fs/binfmt_misc';
const CLI = join(repoRoot(), 'dist', 'src', 'cli.js');
/** What `uname -m` says under QEMU for each guest. */
const UNAME: Record<string, RegExp> = { aarch64: /^aarch64$/, arm: /^armv7l$/, x86_64: /^x86_64$/, i386: /^i[3-6]86$/ };

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(BINFMT).sort()) if (n !== 'register') out[n] = readFileSync(join(BINFMT, n), 'utf8');
  return out;
}

function writeBinfmt(name: string, text: string): void {
  writeFileSync(join(BINFMT, name), text);
}

/** Registers Debian's qemu-user-static entry for the guest if absent (enables it if disabled); returns its name if we added it. */
function stockDebian(guest: Arch): string | undefined {
  const conf = `/usr/lib/binfmt.d/qemu-${guest.qemu}.conf`;
  const name = `qemu-${guest.qemu}`;
  if (existsSync(join(BINFMT, name))) {
    // Left disabled by an earlier run that was killed: stock again (restore() disables it again).
    if (!readFileSync(join(BINFMT, name), 'utf8').startsWith('enabled')) writeBinfmt(name, '1');
    return undefined;
  }
  const line = readFileSync(conf, 'utf8').split('\n').find((l) => l.startsWith(':'));
  assert.ok(line, `${conf} has a rule`);
  writeBinfmt('register', line);
  return name;
}

/** Puts binfmt_misc back to `want` as far as fexpod could have changed it. */
function restore(want: Record<string, string>, added: string | undefined): void {
  for (const n of readdirSync(BINFMT)) {
    if ((n.startsWith('fexpod-') || n.endsWith('.fexpod-new')) && !(n in want)) writeBinfmt(n, '-1');
  }
  for (const [n, text] of Object.entries(want)) {
    if (n === 'status' || !existsSync(join(BINFMT, n))) continue;
    const enabled = text.startsWith('enabled');
    if (readFileSync(join(BINFMT, n), 'utf8').startsWith('enabled') !== enabled) writeBinfmt(n, enabled ? '1' : '0');
  }
  if (added && existsSync(join(BINFMT, added))) writeBinfmt(added, '-1');
}

async function fexpod(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, 'binfmt', ...args], { env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, maxBuffer: 1 << 24 });
}

/** A root filesystem holding only the guest's static busybox. */
function busyboxRootfs(guest: Arch, dir: string): string {
  const [deb] = debianPackages(guest, ['busybox-static']);
  const x = join(dir, 'x');
  execFileSync('dpkg-deb', ['-x', deb ?? '', x]);
  const root = join(dir, 'rootfs');
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(join(x, 'bin', 'busybox'), join(root, 'bin', 'busybox'));
  execFileSync('chmod', ['755', join(root, 'bin', 'busybox')]);
  return root;
}

/**
 * Runs `uname -m` chrooted into `root` in a fresh mount namespace, where the
 * prefix (when given) is bind-mounted read-only at its own path and nothing
 * else of the host is visible. With the prefix, the guest busybox shell execs
 * busybox with argv[0] "uname" (`exec -a`): busybox picks its applet from
 * argv[0], so "aarch64" also proves the P flag reaches QEMU intact.
 */
async function unameInChroot(root: string, prefix: string | undefined): Promise<string> {
  const script = prefix
    ? `mkdir -p "$1$2" && mount --bind -o ro "$2" "$1$2" && mount -o remount,bind,ro "$1$2" && exec chroot "$1" /bin/busybox sh -c 'exec -a uname /bin/busybox -m'`
    : `exec chroot "$1" /bin/busybox uname -m`;
  const { stdout } = await run('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', root, prefix ?? ''], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  return stdout.trim();
}

interface InstallJson {
  installed: { guest: string; entryName: string; interpreter: string; prefix?: string; flags: string; outcome: string; disabled: string[]; persistedFile?: string; masked: string[] }[];
}

const guests = foreignArches();
const needs = (g: Arch) => [isRoot(), onPath('unshare'), onPath('chroot'), onPath('patchelf'), onPath('dpkg-deb'), onPath('flock'), fileExists(`/usr/bin/qemu-${g.qemu}`), fileExists(`/usr/lib/binfmt.d/qemu-${g.qemu}.conf`), fileExists(BINFMT + '/register')];

for (const guest of guests) {
  test(`binfmt install --guest ${guest.name} --emulator qemu-user: staged dynamic QEMU runs a static ${guest.debian} busybox (argv[0] kept by P) in a chroot that sees only the prefix; uninstall restores every entry`, integration(...needs(guest)), async () => {
    await withBinfmtLock(async () => {
      const original = snapshot();
      const added = stockDebian(guest);
      const tmp = mkdtempSync(join(tmpdir(), `fexpod-binfmt-it-${guest.name}-`));
      try {
        const before = snapshot();
        const debianEntry = `qemu-${guest.qemu}`;
        assert.match(before[debianEntry] ?? '', /^enabled/);
        const stateDir = join(tmp, 'state');
        const etc = join(tmp, 'etc', 'binfmt.d');
        const { stdout } = await fexpod(['install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir, '--persist', '--persist-dir', etc, '--json']);
        const r: InstallJson = JSON.parse(stdout);
        const g = r.installed[0];
        assert.ok(g);
        assert.equal(g.entryName, `fexpod-qemu-user-${guest.name}`);
        assert.equal(g.flags, 'POF');
        assert.ok(g.prefix && g.interpreter.startsWith(g.prefix + '/'), 'dynamic qemu is staged in a prefix');
        assert.deepEqual(g.disabled, [debianEntry]);
        const live = readFileSync(join(BINFMT, g.entryName), 'utf8');
        assert.match(live, /^enabled\ninterpreter .*\nflags: POF\n/);
        assert.match(readFileSync(join(BINFMT, debianEntry), 'utf8'), /^disabled/);
        // systemd-binfmt would now load ours and not Debian's.
        assert.ok(readFileSync(join(etc, `fexpod-qemu-user-${guest.name}.conf`), 'utf8').includes(`:${g.entryName}:M:0:`));
        assert.equal(readlinkSync(join(etc, `${debianEntry}.conf`)), '/dev/null');

        const root = busyboxRootfs(guest, tmp);
        assert.match(await unameInChroot(root, g.prefix), UNAME[guest.name] ?? /./);
        // Without the prefix the pinned (F) dynamic qemu finds no loader: the prefix is what makes it work.
        await assert.rejects(unameInChroot(root, undefined), (err: { stderr?: string }) => /No such file or directory/.test(err.stderr ?? ''));

        const st = JSON.parse((await fexpod(['status', '--state-dir', stateDir, '--json'])).stdout);
        const ours = st.entries.find((e: { name: string }) => e.name === g.entryName);
        assert.equal(ours?.role, 'fexpod');
        assert.deepEqual(ours?.arches, [guest.name]);
        assert.equal(st.entries.find((e: { name: string }) => e.name === debianEntry)?.role, 'conflict-disabled-by-fexpod');

        const u = JSON.parse((await fexpod(['uninstall', '--state-dir', stateDir, '--json'])).stdout);
        assert.deepEqual(u.removed, [g.entryName]);
        assert.equal(u.stateRemoved, true);
        assert.deepEqual(snapshot(), before, 'every binfmt_misc file is back as it was');
        assert.deepEqual(readdirSync(etc), []);
        assert.equal(existsSync(join(stateDir, 'binfmt-state.json')), false);
      } finally {
        restore(original, added);
        rmSync(tmp, { recursive: true, force: true });
      }
      assert.deepEqual(snapshot(), original);
    });
  });
}

const g0 = guests[0];
if (g0) {
  test(`two concurrent "binfmt install --guest ${g0.name}" both succeed and leave one correct entry`, integration(...needs(g0)), async () => {
    await withBinfmtLock(async () => {
      const original = snapshot();
      const added = stockDebian(g0);
      const tmp = mkdtempSync(join(tmpdir(), 'fexpod-binfmt-race-'));
      try {
        const before = snapshot();
        const stateDir = join(tmp, 'state');
        const args = ['install', '--guest', g0.name, '--emulator', 'qemu-user', '--state-dir', stateDir, '--json'];
        const [a, b] = await Promise.all([fexpod(args), fexpod(args)]);
        const ra: InstallJson = JSON.parse(a.stdout);
        const rb: InstallJson = JSON.parse(b.stdout);
        assert.deepEqual([ra.installed[0]?.outcome, rb.installed[0]?.outcome].sort(), ['registered', 'unchanged']);
        assert.equal(ra.installed[0]?.interpreter, rb.installed[0]?.interpreter);
        const ours = readdirSync(BINFMT).filter((n) => n.startsWith('fexpod-'));
        assert.deepEqual(ours, [`fexpod-qemu-user-${g0.name}`]);
        const state = JSON.parse(readFileSync(join(stateDir, 'binfmt-state.json'), 'utf8'));
        assert.equal(state.registrations.length, 1);
        assert.deepEqual(state.disabled.map((d: { entryName: string; wasEnabled: boolean }) => [d.entryName, d.wasEnabled]), [[`qemu-${g0.qemu}`, true]]);
        await fexpod(['uninstall', '--state-dir', stateDir]);
        assert.deepEqual(snapshot(), before);
      } finally {
        restore(original, added);
        rmSync(tmp, { recursive: true, force: true });
      }
      assert.deepEqual(snapshot(), original);
    });
  });
}
