/**
 * Which name `fexpod rootfs install` gives an image when --name is not given:
 * a RootFS keeps its own; an overlay takes the one muvm mounts without -f
 * (AsahiLinux/muvm muvm.rs default_disks: overlays/mesa-i386.erofs and
 * mesa-x86_64.erofs), by the artifact's io.fexpod.arch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installName, installRootfs } from '../../../src/rootfs/rootfs-install.js';
import { muvmOverlayName } from '../../../src/common/muvm-images.js';

const cases = [
  { name: 'a RootFS keeps its name (Config.json names it)', role: 'rootfs' as const, title: 'fex-rootfs.erofs', want: 'fex-rootfs.erofs' },
  { name: 'an overlay already named as muvm mounts it', role: 'overlay' as const, title: 'mesa-i386.erofs', arch: 'x86_64', want: 'mesa-i386.erofs' },
  { name: 'an overlay of another name, no arch given', role: 'overlay' as const, title: 'mesa-overlay.erofs', want: 'mesa-x86_64.erofs' },
  { name: 'an overlay of another name, x86_64', role: 'overlay' as const, title: 'mesa-overlay.erofs', arch: 'amd64', want: 'mesa-x86_64.erofs' },
  { name: 'an overlay of 32-bit x86 (RPM spelling)', role: 'overlay' as const, title: 'mesa32.erofs', arch: 'i686', want: 'mesa-i386.erofs' },
  { name: 'an overlay that is not x86 keeps its name', role: 'overlay' as const, title: 'arm.erofs', arch: 'aarch64', want: 'arm.erofs' },
];
for (const c of cases) {
  test(`rootfs install name: ${c.name}`, () => {
    assert.equal(installName({ role: c.role, title: c.title, ...(c.arch ? { arch: c.arch } : {}) }), c.want);
  });
}

test('muvmOverlayName: x86-64 content (multilib included) is the upper overlay, mesa-x86_64.erofs', () => {
  assert.equal(muvmOverlayName(['x86_64', 'i686']), 'mesa-x86_64.erofs');
  assert.equal(muvmOverlayName(['i686']), 'mesa-i386.erofs');
  assert.equal(muvmOverlayName(['aarch64']), undefined);
  assert.equal(muvmOverlayName(['not-an-arch']), undefined);
});

test('rootfs install of a local overlay file without --name: placed as overlays/mesa-x86_64.erofs, and the user is told', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-install-name-'));
  try {
    const file = join(dir, 'mesa-overlay.erofs');
    const bytes = Buffer.alloc(4096 + 8, 0);
    bytes.writeUInt32LE(0xe0f5e1e2, 1024); // EroFS superblock magic
    writeFileSync(file, bytes);
    const infos: string[] = [];
    const log = { debug() {}, info: (m: string) => infos.push(m), warn() {}, error() {} };
    const fex = join(dir, 'fex-emu');
    const r = await installRootfs(
      { source: file, scope: 'system', role: 'overlay' },
      { paths: { env: {}, home: dir, exists: existsSync, globalDir: fex }, stateRoot: join(dir, 'state'), now: () => 0, connect: () => Promise.reject(new Error('no registry')), log },
    );
    assert.equal(r.path, join(fex, 'overlays', 'mesa-x86_64.erofs'));
    assert.deepEqual(readdirSync(join(fex, 'overlays')), ['mesa-x86_64.erofs']);
    assert.equal(r.config, undefined, 'an overlay leaves Config.json alone');
    assert.ok(!existsSync(join(fex, 'Config.json')));
    assert.match(infos.join('\n'), /overlay mesa-overlay\.erofs: installing it as mesa-x86_64\.erofs, the name muvm mounts without -f \(--name mesa-overlay\.erofs keeps its own name\)/);
    const kept = await installRootfs(
      { source: file, scope: 'system', role: 'overlay', name: 'mesa-overlay.erofs' },
      { paths: { env: {}, home: dir, exists: existsSync, globalDir: fex }, stateRoot: join(dir, 'state'), now: () => 0, connect: () => Promise.reject(new Error('no registry')), log },
    );
    assert.equal(kept.path, join(fex, 'overlays', 'mesa-overlay.erofs'), '--name wins');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
