import { after, test } from 'node:test';
import { tmpdir } from 'node:os';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import type { InstallState } from '../../../src/emulator/binfmt/install-state.js';
import { createRuntime, type CreateRuntimeDeps } from '../../../src/runtime-hook/hook/create-runtime.js';
import { hostExecFs } from '../../../src/runtime-hook/hook/host-fs.js';
import { makeMountPoint, mountPoints } from '../../../src/runtime-hook/hook/namespace-mount.js';
import { binfmtStandIn } from './binfmt-standin.js';
import { TempRoot, elfHeader } from './rootfs-fixture.js';

const PREFIX = mkdtempSync(join(tmpdir(), 'fexpod-hook-crt-prefix-'));
after(() => rmSync(PREFIX, { recursive: true, force: true }));
const STATE: InstallState = {
  version: 1,
  registrations: [{ guest: 'aarch64', emulator: 'qemu-user', entryName: 'fexpod-qemu-aarch64', registration: ':fexpod-qemu-aarch64:M::x:y:/q:F', interpreter: `${PREFIX}/bin/qemu-aarch64`, prefix: PREFIX }],
  disabled: [],
  persisted: [],
};

function setup(image: Arch, extraMounts = '', pivoted = false) {
  const r = new TempRoot([{ file: 'rootfs/bin/sh', bytes: elfHeader(image) }]);
  writeFileSync(r.path('config.json'), `{"root":{"path":"rootfs"},"process":{"args":["/bin/sh","-c","uname -m"],"env":["PATH=/bin"],"cwd":"/"},"mounts":[${extraMounts}]}`);
  const mounted: { pid: number; source: string; target: string; options: readonly string[] }[] = [];
  const deps: CreateRuntimeDeps = {
    fs: hostExecFs(),
    host: Arch.of('x86_64'),
    loadState: () => STATE,
    binfmt: binfmtStandIn({ 'fexpod-qemu-aarch64': 'enabled' }).deps,
    log: memoryLogger(),
    readConfig: (b) => readFileSync(join(b, 'config.json'), 'utf8'),
    processRoot: () => (pivoted ? '/var/lib/containers/x/merged' : '/'),
    makeMountPoint,
    isMounted: () => false,
    bindMount: (pid, source, target, options) => mounted.push({ pid, source, target, options }),
  };
  const stdin = JSON.stringify({ ociVersion: '1.0.2-dev', id: 'buildah-1', status: 'creating', pid: 4242, bundle: r.root });
  return { r, deps, mounted, stdin };
}

test('createRuntime: foreign build container gets the prefix mounted in its namespace', (t) => {
  const s = setup(Arch.of('aarch64'));
  t.after(() => s.r.remove());
  assert.equal(createRuntime(s.stdin, s.deps), 'mounted');
  assert.deepEqual(s.mounted, [{ pid: 4242, source: PREFIX, target: s.r.path(`rootfs${PREFIX}`), options: ['ro', 'nosuid', 'nodev'] }]);
  assert.ok(lstatSync(s.r.path(`rootfs${PREFIX}`)).isDirectory());
});

test('createRuntime: native build container is left alone', (t) => {
  const s = setup(Arch.of('x86_64'));
  t.after(() => s.r.remove());
  assert.equal(createRuntime(s.stdin, s.deps), 'native');
  assert.deepEqual(s.mounted, []);
});

test('createRuntime: a config that already carries the mount (precreate ran) is left alone', (t) => {
  const s = setup(Arch.of('aarch64'), `{"destination":"${PREFIX}","source":"${PREFIX}","type":"bind"}`);
  t.after(() => s.r.remove());
  assert.equal(createRuntime(s.stdin, s.deps), 'unchanged');
  assert.deepEqual(s.mounted, []);
});

test('createRuntime: after pivot_root the host prefix is out of reach: logged, not mounted', (t) => {
  const s = setup(Arch.of('aarch64'), '', true);
  t.after(() => s.r.remove());
  assert.equal(createRuntime(s.stdin, s.deps), 'failed');
  assert.deepEqual(s.mounted, []);
});

test('createRuntime: a symlink planted on the mount point path is refused', (t) => {
  const s = setup(Arch.of('aarch64'));
  t.after(() => s.r.remove());
  const first = PREFIX.split('/').filter(Boolean)[0] ?? 'tmp';
  symlinkSync('/etc', s.r.path(`rootfs/${first}`));
  assert.equal(createRuntime(s.stdin, s.deps), 'failed');
  assert.deepEqual(s.mounted, []);
});

test('createRuntime: garbage state is survived', () => {
  const s = setup(Arch.of('aarch64'));
  s.r.remove();
  assert.equal(createRuntime('{"pid":"x"}', s.deps), 'failed');
  assert.equal(createRuntime('', s.deps), 'failed');
});

test('mountPoints undoes mountinfo escapes', () => {
  const mi = '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n';
  assert.deepEqual(mountPoints(mi), ['/mnt/with space']);
});
