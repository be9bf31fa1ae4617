import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { LayerApplier } from '../../../src/publish/layer-apply.js';
import { cleanEntryPath, resolveInRoot } from '../../../src/publish/fs-safe.js';

type E = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo'; body?: string; linkname?: string; mode?: number; uid?: number };

async function layer(entries: E[]): Promise<Readable> {
  const pack = tarStream.pack();
  for (const e of entries) {
    pack.entry({ name: e.name, type: e.type ?? 'file', mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), mtime: new Date(1_700_000_000_000), uid: e.uid ?? 0, gid: 0, ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(Buffer.from(c as Uint8Array));
  return Readable.from([Buffer.concat(chunks)]);
}

function scratch(): { base: string; root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), 'fexpod-apply-'));
  const outside = join(base, 'outside');
  mkdirSync(outside);
  return { base, root: join(base, 'root'), outside };
}

test('cleanEntryPath normalizes names and refuses ".."', () => {
  assert.equal(cleanEntryPath('./usr//bin/'), 'usr/bin');
  assert.equal(cleanEntryPath('/etc/passwd'), 'etc/passwd');
  assert.throws(() => cleanEntryPath('usr/../../etc/passwd'), /climbs out/);
});

test('whiteouts remove lower-layer entries; an opaque whiteout empties a directory but keeps its own layer', async () => {
  const s = scratch();
  try {
    const a = new LayerApplier(s.root, { privileged: false });
    await a.apply(await layer([{ name: 'etc/', type: 'directory' }, { name: 'etc/a', body: 'A' }, { name: 'etc/b', body: 'B' }, { name: 'opt/', type: 'directory' }, { name: 'opt/old', body: 'old' }, { name: 'opt/sub/', type: 'directory' }]), 'layer 1');
    await a.apply(await layer([{ name: 'etc/.wh.a' }, { name: 'opt/new', body: 'new' }, { name: 'opt/.wh..wh..opq' }, { name: 'etc/c', body: 'C' }]), 'layer 2');
    a.finish(1_700_000_000);
    assert.ok(!existsSync(join(s.root, 'etc/a')));
    assert.equal(readFileSync(join(s.root, 'etc/b'), 'utf8'), 'B');
    assert.equal(readFileSync(join(s.root, 'etc/c'), 'utf8'), 'C');
    assert.ok(!existsSync(join(s.root, 'opt/old')) && !existsSync(join(s.root, 'opt/sub')));
    assert.equal(readFileSync(join(s.root, 'opt/new'), 'utf8'), 'new');
    assert.ok(!existsSync(join(s.root, 'etc/.wh.a')) && !existsSync(join(s.root, 'opt/.wh..wh..opq')));
    assert.equal(a.stats.whiteouts, 2);
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

const hostile: { name: string; layers: E[][]; error?: RegExp; check?: (s: { root: string; outside: string }) => void }[] = [
  { name: '".." in an entry name is refused', layers: [[{ name: '../outside/pwned', body: 'x' }]], error: /climbs out/ },
  {
    name: 'a symlink to an absolute path cannot redirect a later write out of the root',
    layers: [[{ name: 'evil', type: 'symlink', linkname: '/ABS' }], [{ name: 'evil/pwned', body: 'x' }]],
    check: (s) => assert.ok(existsSync(join(s.root, 'ABS/pwned')), 'resolved inside the root'),
  },
  {
    name: 'a relative symlink climbing out stays inside the root',
    layers: [[{ name: 'a/', type: 'directory' }, { name: 'a/up', type: 'symlink', linkname: '../../../../outside' }, { name: 'a/up/pwned', body: 'x' }]],
    check: (s) => assert.ok(existsSync(join(s.root, 'outside/pwned'))),
  },
  {
    name: 'a whiteout through a symlink does not delete outside files',
    layers: [[{ name: 'link', type: 'symlink', linkname: '/' }], [{ name: 'link/outside/.wh.keep' }]],
  },
  { name: 'a hard link to a file outside the root is refused', layers: [[{ name: 'h', type: 'link', linkname: '../outside/keep' }]], error: /climbs out/ },
  { name: 'a hard link through a symlink to a missing file is refused', layers: [[{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 'l/passwd' }]], error: /not a file in the image/ },
  {
    name: 'device nodes and FIFOs are skipped; the entry itself is never followed (a file replaces a symlink)',
    layers: [[{ name: 'dev/', type: 'directory' }, { name: 'dev/null', type: 'character-device' }, { name: 'p', type: 'fifo' }, { name: 'x', type: 'symlink', linkname: '/outside/keep' }], [{ name: 'x', body: 'replaced' }]],
    check: (s) => {
      assert.ok(!existsSync(join(s.root, 'dev/null')) && !existsSync(join(s.root, 'p')));
      assert.ok(lstatSync(join(s.root, 'x')).isFile());
    },
  },
];
for (const c of hostile) {
  test(`hostile layer: ${c.name}`, async () => {
    const s = scratch();
    try {
      const keep = join(s.outside, 'keep');
      fs.writeFileSync(keep, 'untouched');
      const a = new LayerApplier(s.root, { privileged: false });
      const run = async () => {
        for (const [i, l] of c.layers.entries()) await a.apply(await layer(l), `layer ${i + 1}`);
        a.finish(0);
      };
      if (c.error) await assert.rejects(run(), c.error);
      else await run();
      c.check?.(s);
      assert.equal(readFileSync(keep, 'utf8'), 'untouched');
      assert.deepEqual(fs.readdirSync(s.outside), ['keep']);
    } finally {
      rmSync(s.base, { recursive: true, force: true });
    }
  });
}

test('resolveInRoot follows symlinks chroot-style and stops at the root', () => {
  const s = scratch();
  try {
    mkdirSync(join(s.root, 'usr/lib'), { recursive: true });
    fs.symlinkSync('usr/lib', join(s.root, 'lib'));
    fs.symlinkSync('/usr', join(s.root, 'u'));
    fs.symlinkSync('../../..', join(s.root, 'usr/lib/up'));
    assert.equal(resolveInRoot(s.root, 'lib/x'), join(s.root, 'usr/lib/x'));
    assert.equal(resolveInRoot(s.root, 'u/lib'), join(s.root, 'usr/lib'));
    assert.equal(resolveInRoot(s.root, 'usr/lib/up/etc'), join(s.root, 'etc'));
    assert.equal(resolveInRoot(s.root, 'lib', false), join(s.root, 'lib'));
    assert.equal(readlinkSync(join(s.root, 'lib')), 'usr/lib');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});
