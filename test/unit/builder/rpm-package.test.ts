/**
 * The RPM output read back with fexpod's own RPM parser (the one the extract
 * step trusts for Fedora packages): headers, file list, digests and payload.
 * rpm itself is the oracle in test/integration/builder/rpm-output.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { headerNevra, parseRpmHeaders, RpmSigTag, RpmTag } from '../../../src/builder/rpm/rpm-header.js';
import { rpmFileList } from '../../../src/builder/rpm/rpm-files.js';
import { type RpmSettings, muvmNote, rpmFileName, rpmVersionPart, writeRpmPackage } from '../../../src/builder/outputs/rpm-package.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const cases: { name: string; settings: RpmSettings; dir: string }[] = [
  {
    name: 'a RootFS',
    settings: { name: 'fex-rootfs-fedora', version: '42', release: '1700000000', summary: 'FEX RootFS', description: 'line one\nline two', license: 'MIT AND (GPL-2.0-or-later)', role: 'rootfs', fileName: 'default.erofs' },
    dir: '/usr/share/fex-emu/RootFS',
  },
  {
    name: 'an overlay (muvm\'s overlays/ path)',
    settings: { name: 'fex-mesa-overlay', version: 'rawhide', release: '1700000001', summary: 'Mesa overlay', description: 'x', license: 'MIT', url: 'https://example.org/', role: 'overlay', fileName: 'mesa-x86_64.erofs' },
    dir: '/usr/share/fex-emu/overlays',
  },
];

for (const c of cases) {
  test(`rpm output, ${c.name}: fexpod's parser reads the headers, the file list and a payload holding the image byte for byte`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-rpm-out-'));
    try {
      const image = join(dir, 'image.erofs');
      const bytes = Buffer.alloc(10_001, 0x5a); // not a multiple of 4: the cpio padding is exercised
      writeFileSync(image, bytes);
      const dest = join(dir, rpmFileName(c.settings));
      const { sha256: digest } = await writeRpmPackage(dest, image, c.settings, 1_700_000_000);
      const pkg = readFileSync(dest);
      assert.equal(digest, sha256(pkg));
      const h = parseRpmHeaders(pkg);
      assert.equal(h.lead.name, `${c.settings.name}-${c.settings.version}-${c.settings.release}`);
      assert.deepEqual(headerNevra(h.header), { name: c.settings.name, epoch: 0, version: c.settings.version, release: c.settings.release, arch: 'noarch' });
      // The signature header's digests cover the main header's bytes exactly.
      const main = pkg.subarray(h.ranges.header.start, h.ranges.header.end);
      assert.equal(h.signature.string(RpmSigTag.SHA256HEADER), sha256(main));
      assert.deepEqual(h.signature.numbers(RpmSigTag.SIZE), [pkg.length - h.ranges.header.start]);
      const payload = pkg.subarray(h.ranges.payloadOffset);
      assert.deepEqual(h.header.strings(RpmTag.PAYLOADDIGEST), [sha256(payload)]);
      const cpio = gunzipSync(payload);
      assert.deepEqual(h.header.strings(RpmTag.PAYLOADDIGESTALT), [sha256(cpio)]);
      assert.deepEqual(h.signature.numbers(RpmSigTag.PAYLOADSIZE), [cpio.length]);
      const files = rpmFileList(h.header);
      assert.equal(files.digestAlgo, 'sha256');
      assert.deepEqual(files.files.map((f) => [f.path, f.mode.toString(8), f.user, f.group, f.digest]), [
        ['/usr/share/fex-emu', '40755', 'root', 'root', ''],
        [c.dir, '40755', 'root', 'root', ''],
        [`${c.dir}/${c.settings.fileName}`, '100644', 'root', 'root', sha256(bytes)],
      ]);
      const name = Buffer.from(`.${c.dir}/${c.settings.fileName}\0`);
      const at = cpio.indexOf(name);
      assert.ok(at > 0);
      const start = at + name.length + ((4 - ((110 + name.length) % 4)) % 4);
      assert.ok(cpio.subarray(start, start + bytes.length).equals(bytes), 'the image follows its cpio header');
      assert.equal(h.header.string(RpmTag.SOURCERPM), `${c.settings.name}-${c.settings.version}-${c.settings.release}.src.rpm`, 'a binary package');
      // Same input, same bytes.
      const again = await writeRpmPackage(join(dir, 'again.rpm'), image, c.settings, 1_700_000_000);
      assert.equal(again.sha256, digest);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('rpmVersionPart: no "-" or spaces in version and release', () => {
  assert.equal(rpmVersionPart('42'), '42');
  assert.equal(rpmVersionPart('rawhide-2026 x'), 'rawhide_2026_x');
});

test('muvmNote: only images muvm does not mount by default get a note', () => {
  assert.equal(muvmNote({ role: 'rootfs', fileName: 'default.erofs' }), undefined);
  assert.equal(muvmNote({ role: 'overlay', fileName: 'mesa-x86_64.erofs' }), undefined);
  assert.match(muvmNote({ role: 'overlay', fileName: 'mesa-overlay.erofs' }) ?? '', /overlays\/mesa-overlay\.erofs is not one muvm mounts by default .*muvm with -f/);
  assert.match(muvmNote({ role: 'rootfs', fileName: 'demo.erofs' }) ?? '', /RootFS\/default\.erofs/);
});
