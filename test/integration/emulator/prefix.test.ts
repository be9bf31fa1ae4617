/**
 * Proves a staged prefix is self-contained: the dynamic qemu for a foreign
 * architecture is staged, then run in a fresh mount namespace chrooted into a
 * directory that holds ONLY the prefix (bind-mounted at the same absolute
 * path) and a foreign static busybox. If any library or the loader were
 * missing from the closure, the exec would fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { integration, isRoot, onPath, fileExists } from '../../helpers/integration.js';
import { debianPackages, foreignArches, hostArch } from '../../helpers/foreign-image.js';
import { stagePrefix } from '../../../src/emulator/prefix/emulator-prefix.js';
import { nodePrefixDeps } from '../../../src/emulator/prefix/prefix-deps.js';
import { parseElf } from '../../../src/common/elf.js';
import { readFileSync } from 'node:fs';

const guest = foreignArches()[0];
if (!guest) throw new Error(`no foreign architecture known for ${hostArch().name}`);
const qemu = `/usr/bin/qemu-${guest.qemu}`;
const req = integration(isRoot(), onPath('patchelf'), onPath('unshare'), onPath('dpkg-deb'), fileExists(qemu));

function foreignBusybox(dir: string): string {
  const [deb] = debianPackages(guest!, ['busybox-static']);
  const out = join(dir, 'busybox');
  const bytes = execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xO ./bin/busybox`, 'sh', deb!], { maxBuffer: 1 << 26 });
  writeFileSync(out, bytes);
  chmodSync(out, 0o755);
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out.push(p);
    if (lstatSync(p).isDirectory()) walk(p, out);
  }
  return out;
}

test(`prefix: staged dynamic ${qemu} runs a foreign ${guest.name} busybox in a chroot holding only the prefix`, req, async () => {
  const state = mkdtempSync(join(tmpdir(), 'fexpod-prefix-state-'));
  const root = mkdtempSync(join(tmpdir(), 'fexpod-prefix-root-'));
  try {
    const staged = await stagePrefix(qemu, { stateDir: state }, nodePrefixDeps());
    assert.equal(staged.static, false, `${qemu} should be the dynamic build`);
    assert.ok(staged.prefix);
    const emu = parseElf(readFileSync(staged.interpreter));
    assert.ok(emu.interpreter?.startsWith(staged.prefix + '/lib/'));

    // The second staging is a no-op with the same digest.
    const again = await stagePrefix(qemu, { stateDir: state }, nodePrefixDeps());
    assert.equal(again.digest, staged.digest);

    // Nothing in the prefix points outside it: no symlinks at all, read-only files, 0755 dirs.
    for (const p of walk(staged.prefix)) {
      const st = lstatSync(p);
      assert.ok(!st.isSymbolicLink(), `symlink in prefix: ${p} -> ${st.isSymbolicLink() ? readlinkSync(p) : ''}`);
      if (st.isDirectory()) assert.equal(st.mode & 0o7777, 0o755, p);
      else assert.equal(st.mode & 0o222, 0, `${p} is writable`);
      assert.equal(st.uid, 0);
    }

    mkdirSync(join(root, staged.prefix), { recursive: true });
    foreignBusybox(root);
    const script = `mount --bind "$1" "$2$1" && mount -o remount,bind,ro,nosuid,nodev "$2$1" && exec chroot "$2" "$3" /busybox uname -m`;
    const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', staged.prefix, root, staged.interpreter], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(out.trim(), guest.name === 'arm' ? 'armv7l' : guest.name);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
});

test(`prefix: two concurrent stagers of ${qemu} end with one directory and no temp leftovers`, req, async () => {
  const state = mkdtempSync(join(tmpdir(), 'fexpod-prefix-race-'));
  try {
    const [a, b] = await Promise.all([stagePrefix(qemu, { stateDir: state }, nodePrefixDeps()), stagePrefix(qemu, { stateDir: state }, nodePrefixDeps())]);
    assert.equal(a.prefix, b.prefix);
    assert.deepEqual(readdirSync(join(state, 'prefix')), [a.digest]);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});
