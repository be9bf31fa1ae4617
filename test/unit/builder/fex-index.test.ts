import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fexIndexJson, xxh3File } from '../../../src/builder/outputs/fex-index.js';

// XXH3-64 reference values (xxHash's own test vectors; XXH64 would give ef46db3751d8e999 for "").
const vectors = [
  { input: '', want: '2d06800538d394c2' },
  { input: 'a', want: 'e6c632b61e964e1f' },
];
for (const v of vectors) {
  test(`xxh3File(${JSON.stringify(v.input)}) = ${v.want}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-xxh3-'));
    try {
      writeFileSync(join(dir, 'f'), v.input);
      assert.equal(await xxh3File(join(dir, 'f')), v.want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('RootFS_links.json has the FEXRootFSFetcher v1 shape', () => {
  const text = fexIndexJson({ title: 'Fedora 42', distroMatch: 'fedora', distroVersion: '42', baseUrl: 'https://example.invalid/fex/' }, [
    { image: { path: '/out/default.erofs', type: 'erofs' }, hash: '3af8fe3fe7ad7015' },
    { image: { path: '/out/fex-rootfs-fedora.sqfs', type: 'squashfs' }, hash: 'fdc612c105294cf2' },
  ]);
  assert.deepEqual(JSON.parse(text), {
    v1: {
      'Fedora 42 (EroFS)': { DistroMatch: 'fedora', DistroVersion: '42', URL: 'https://example.invalid/fex/default.erofs', Hash: '3af8fe3fe7ad7015', Type: 'erofs' },
      'Fedora 42 (SquashFS)': { DistroMatch: 'fedora', DistroVersion: '42', URL: 'https://example.invalid/fex/fex-rootfs-fedora.sqfs', Hash: 'fdc612c105294cf2', Type: 'squashfs' },
    },
  });
});
