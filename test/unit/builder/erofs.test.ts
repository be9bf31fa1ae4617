import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkfsErofsArgs, parseMkfsErofsHelp, uuidFromDigest, fakerootScript } from '../../../src/builder/outputs/erofs.js';
import { mksquashfsArgs } from '../../../src/builder/outputs/squashfs.js';
import { FexpodError } from '../../../src/common/errors.js';

// Real `mkfs.erofs --help` excerpts: erofs-utils 1.5 (Debian 12) and 1.7 (has -b).
const HELP_15 = `usage: [options] FILE DIRECTORY\n -d#                   set output message level\n -zX[,Y]               X=compressor\n -T#                   set a fixed UNIX timestamp # to all files\n -UX                   use a given filesystem UUID\n --quiet               quiet execution\n\nAvailable compressors are: lz4hc, lz4\n`;
const HELP_17 = `usage: [options] FILE SOURCE(s)\n -b#                   set block size to # (# = page size by default)\n -d<0-9>               set output verbosity\n -zX[,Y][:...]         X=compressor\nAvailable compressors are: lz4, lz4hc, lzma, deflate\n`;
const opts = { dest: '/o/x.erofs', sourceDateEpoch: 1000, digest: 'sha256:' + '0'.repeat(64) };

const cases = [
  { name: '1.5 on a 4 KiB host: no -b needed', help: HELP_15, page: 4096, blockFlag: false, ok: true },
  { name: '1.5 on a 16 KiB host: refused', help: HELP_15, page: 16384, blockFlag: false, ok: false },
  { name: '1.7 on a 16 KiB host: -b 4096', help: HELP_17, page: 16384, blockFlag: true, ok: true },
];
for (const c of cases) {
  test(`mkfs.erofs ${c.name}`, () => {
    const caps = parseMkfsErofsHelp(c.help);
    assert.equal(caps.blockSizeFlag, c.blockFlag);
    if (!c.ok) {
      assert.throws(() => mkfsErofsArgs(caps, opts, c.page, 'img', 'dir'), (e: unknown) => e instanceof FexpodError && /4096-byte blocks/.test(e.message));
      return;
    }
    const args = mkfsErofsArgs(caps, opts, c.page, 'img', 'dir');
    assert.deepEqual(args.slice(0, 6), ['--quiet', '-zlz4hc', '-T', '1000', '-U', uuidFromDigest(opts.digest)]);
    assert.equal(args.includes('-b'), c.blockFlag);
    assert.deepEqual(args.slice(-2), ['img', 'dir']);
  });
}

test('uuid is derived from the digest, RFC 4122 shaped', () => {
  const u = uuidFromDigest('sha256:abc');
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(u, uuidFromDigest('sha256:abc'));
  assert.notEqual(u, uuidFromDigest('sha256:abd'));
});

test('fakeroot replay script: chown then restore setuid, quoted paths', () => {
  const e = [{ path: "a b/it's", type: 'file' as const, mode: 0o4755, uid: 5, gid: 6, mtime: 0 }];
  const s = fakerootScript(e, [{ path: "a b/it's", what: 'owner' }], '/stage');
  assert.equal(s, `set -e\nchown -h 5:6 '/stage/a b/it'\\''s'\nchmod 4755 '/stage/a b/it'\\''s'\n`);
});

test('mksquashfs reads the tar on stdin and never gets -all-time or -mkfs-time', () => {
  const a = mksquashfsArgs({ dest: 'x', sourceDateEpoch: 5 }, 'img');
  assert.deepEqual(a.slice(0, 3), ['-', 'img', '-tar']);
  assert.ok(!a.includes('-all-time') && !a.includes('-mkfs-time'));
  assert.equal(a[a.indexOf('-comp') + 1], 'zstd');
});
