/**
 * Old emulator prefixes (prefix/prefix-prune.ts): the parsers of the /proc
 * files it reads, and the judgement. The real /proc walk is in
 * test/integration/emulator/prefix-prune.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fsLocation, mappedFiles, parseMountinfo, prefixDirs, prunable, prunePrefixes, type PrefixUses, type PruneDeps } from '../../../src/emulator/prefix/prefix-prune.js';

const OLD = `/var/lib/fexpod/prefix/${'a'.repeat(64)}`;
const NEW = `/var/lib/fexpod/prefix/${'b'.repeat(64)}`;

// A host's own mountinfo (Fedora on btrfs: the root subvolume is /root of its filesystem).
const HOST = `22 1 0:31 /root / rw,relatime shared:1 - btrfs /dev/vda3 rw,subvol=/root
23 22 0:31 /home /home rw,relatime shared:2 - btrfs /dev/vda3 rw,subvol=/home
24 22 0:5 / /dev rw,nosuid shared:3 - devtmpfs devtmpfs rw`;
// A container's: its rootfs, and the hook's read-only bind mount of the prefix at the same path.
const CONTAINER = `610 580 0:92 / / rw,relatime - overlay overlay rw,lowerdir=/x
611 610 0:31 /root/var/lib/fexpod/prefix/${'a'.repeat(64)} /var/lib/fexpod/prefix/${'a'.repeat(64)} ro,nosuid,nodev,relatime - btrfs /dev/vda3 rw
612 610 0:93 / /proc rw - proc proc rw
613 610 0:31 /root/srv/with\\040space /mnt/x ro - btrfs /dev/vda3 rw`;

test('parseMountinfo: device, root within the filesystem and mount point, octal escapes undone', () => {
  const m = parseMountinfo(CONTAINER);
  assert.deepEqual(m[1], { dev: '0:31', root: `/root${OLD}`, mountPoint: OLD });
  assert.equal(m[3]?.root, '/root/srv/with space');
  assert.deepEqual(parseMountinfo(''), []);
});

test('mappedFiles: the files of a maps listing, once each; anonymous and special mappings left out', () => {
  const maps = `55d0 r-xp 00000000 00:1f 123 ${OLD}/bin/FEX
55d1 r--p 00001000 00:1f 123 ${OLD}/bin/FEX
7f00 rw-p 00000000 00:00 0
7ffd rw-p 00000000 00:00 0                          [stack]
7f10 r-xp 00000000 00:1f 9 ${OLD}/lib/libc.so.6 (deleted)`;
  assert.deepEqual(mappedFiles(maps), [`${OLD}/bin/FEX`, `${OLD}/lib/libc.so.6`]);
});

test('fsLocation: a host directory as a mount of it says it (device, path within the filesystem)', () => {
  const own = parseMountinfo(HOST);
  assert.deepEqual(fsLocation(OLD, own), { dev: '0:31', path: `/root${OLD}` });
  assert.deepEqual(fsLocation('/home/u/.local/share/fexpod/prefix/x', own), { dev: '0:31', path: '/home/u/.local/share/fexpod/prefix/x' });
});

const idle: PrefixUses = { interpreters: [], mounts: [], files: [], ownMounts: parseMountinfo(HOST) };

const cases: { name: string; uses: PrefixUses; stays?: RegExp }[] = [
  { name: 'nothing uses it → removed', uses: idle },
  { name: 'a binfmt_misc entry runs a file of it → kept', uses: { ...idle, interpreters: [`${OLD}/bin/FEX`] }, stays: /binfmt_misc entry runs .*\/bin\/FEX/ },
  { name: 'a running container has it bind-mounted → kept', uses: { ...idle, mounts: parseMountinfo(CONTAINER).map((m) => ['4242', m] as const) }, stays: /process 4242 has it mounted at \/var\/lib\/fexpod\/prefix\/a+ \(a container started before the update\)/ },
  { name: 'a host process runs its FEX → kept', uses: { ...idle, files: [['77', `${OLD}/bin/FEX`]] }, stays: /process 77 runs .*\/bin\/FEX/ },
  { name: 'a mount of another directory of the same filesystem → removed', uses: { ...idle, mounts: parseMountinfo(CONTAINER).filter((m) => m.mountPoint === '/mnt/x').map((m) => ['1', m] as const) } },
  { name: 'a mount of the same path on another device → removed', uses: { ...idle, mounts: [['1', { dev: '0:99', root: `/root${OLD}`, mountPoint: OLD }]] } },
  { name: 'a file of the new prefix whose name starts like the old one → removed', uses: { ...idle, files: [['5', `${OLD}x/bin/FEX`]] } },
];
for (const c of cases) {
  test(`prunable: ${c.name}`, () => {
    const v = prunable([OLD], c.uses);
    if (c.stays) {
      assert.deepEqual(v.remove, []);
      assert.match(v.inUse[0]?.by ?? '', c.stays);
    } else assert.deepEqual(v, { remove: [OLD], inUse: [] });
  });
}

test('prunePrefixes: only digest-named directories that the state does not name; links, stagings and files stay', async () => {
  const root = '/var/lib/fexpod/prefix';
  const removed: string[] = [];
  const dirs = new Set([OLD, NEW, `${root}/.staging-abc-1`]);
  const deps: PruneDeps = {
    listDir: async (p) => (p === root ? ['a'.repeat(64), 'b'.repeat(64), 'FEX-x86_64', '.staging-abc-1', 'c'.repeat(64)] : []),
    readText: async (p) => (p === '/proc/self/mountinfo' ? HOST : undefined),
    readLink: async () => undefined,
    isDir: async (p) => dirs.has(p), // FEX-x86_64 is the stable link, cccc… a stray file
    removeTree: async (p) => { removed.push(p); },
  };
  assert.deepEqual(await prefixDirs(root, deps), [OLD, NEW]);
  const v = await prunePrefixes(root, new Set([NEW]), deps);
  assert.deepEqual(v, { remove: [OLD], inUse: [] });
  assert.deepEqual(removed, [OLD]);
  assert.deepEqual(await prunePrefixes(root, new Set([OLD, NEW]), { ...deps, removeTree: async () => assert.fail('nothing to remove') }), { remove: [], inUse: [] });
});
