import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arch } from '../../../src/common/arch.js';
import { hostExecFs } from '../../../src/runtime-hook/hook/host-fs.js';
import { lookPath, pathFromEnv, resolveInRoot, DEFAULT_CONTAINER_PATH } from '../../../src/runtime-hook/hook/rootfs-path.js';
import { TempRoot, elfHeader } from './rootfs-fixture.js';

const arm = elfHeader(Arch.of('aarch64'));
const fs = hostExecFs();

interface Case {
  name: string;
  entries: ConstructorParameters<typeof TempRoot>[0];
  path: string;
  cwd?: string;
  want: string | RegExp;
}

const cases: Case[] = [
  { name: 'plain file', entries: [{ file: 'bin/true', bytes: arm }], path: '/bin/true', want: '/bin/true' },
  { name: 'relative symlink', entries: [{ file: 'bin/busybox', bytes: arm }, { link: 'bin/sh', to: 'busybox' }], path: '/bin/sh', want: '/bin/busybox' },
  { name: 'absolute symlink is re-rooted', entries: [{ file: 'usr/bin/busybox', bytes: arm }, { link: 'bin/sh', to: '/usr/bin/busybox' }], path: '/bin/sh', want: '/usr/bin/busybox' },
  { name: 'absolute symlink to a host file stays inside', entries: [{ link: 'bin/x', to: '/etc/passwd' }], path: '/bin/x', want: /^\/etc does not exist in the rootfs/ },
  { name: '".." symlink is clamped at the root', entries: [{ link: 'bin/x', to: '../../../../../../etc/hostname' }], path: '/bin/x', want: /^\/etc does not exist in the rootfs/ },
  { name: '".." symlink clamped, lands on a rootfs file', entries: [{ file: 'etc/os', bytes: 'x' }, { link: 'bin/x', to: '../../../../etc/os' }], path: '/bin/x', want: '/etc/os' },
  { name: 'usrmerge directory symlink', entries: [{ file: 'usr/bin/uname', bytes: arm }, { link: 'bin', to: 'usr/bin' }], path: '/bin/uname', want: '/usr/bin/uname' },
  { name: 'absolute directory symlink out of the rootfs', entries: [{ link: 'bin', to: '/usr/bin' }], path: '/bin/node', want: /^\/usr does not exist in the rootfs/ },
  { name: 'symlink loop hits the hop limit', entries: [{ link: 'a', to: 'b' }, { link: 'b', to: 'a' }], path: '/a', want: /too many symlinks/ },
  { name: 'self loop', entries: [{ link: 'bin/x', to: 'x' }], path: '/bin/x', want: /too many symlinks/ },
  { name: 'relative path uses cwd', entries: [{ file: 'work/run', bytes: arm }], path: './run', cwd: '/work', want: '/work/run' },
  { name: 'file used as directory', entries: [{ file: 'bin/x', bytes: arm }], path: '/bin/x/y', want: /not a directory/ },
];

for (const c of cases) {
  test(`resolveInRoot: ${c.name}`, (t) => {
    const r = new TempRoot(c.entries);
    t.after(() => r.remove());
    const res = resolveInRoot(fs, r.root, c.path, c.cwd);
    if (typeof c.want === 'string') {
      assert.ok(res.ok, res.ok ? '' : res.reason);
      assert.equal(res.containerPath, c.want);
      assert.equal(res.hostPath, r.path(c.want.slice(1)));
    } else {
      assert.equal(res.ok, false);
      assert.match(res.ok ? '' : res.reason, c.want);
    }
  });
}

test('lookPath: PATH order, execute bit and symlinked PATH entries', (t) => {
  const r = new TempRoot([
    { file: 'usr/local/bin/tool', bytes: arm, mode: 0o644 },
    { file: 'usr/bin/tool', bytes: arm },
    { link: 'evil', to: '/usr/bin' },
    { dir: 'empty' },
  ]);
  t.after(() => r.remove());
  const res = lookPath(fs, r.root, 'tool', '/empty:/usr/local/bin:/usr/bin');
  assert.ok(res.ok);
  assert.equal(res.containerPath, '/usr/bin/tool');
  const viaLink = lookPath(fs, r.root, 'tool', '/evil');
  assert.ok(viaLink.ok);
  assert.equal(viaLink.hostPath, r.path('usr/bin/tool'));
  assert.equal(lookPath(fs, r.root, 'missing', '/usr/bin').ok, false);
  assert.equal(lookPath(fs, r.root, '', '/usr/bin').ok, false);
});

test('pathFromEnv: container PATH, or the runtime default', () => {
  assert.equal(pathFromEnv(['A=1', 'PATH=/bin']), '/bin');
  assert.equal(pathFromEnv(['A=1']), DEFAULT_CONTAINER_PATH);
  assert.equal(pathFromEnv(undefined), DEFAULT_CONTAINER_PATH);
});
