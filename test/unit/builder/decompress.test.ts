import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressionFromName, decompressBuffer, detectCompression, DecompressError } from '../../../src/common/decompress.js';
import { corpusDir } from '../../helpers/integration.js';

const dir = () => join(corpusDir(), 'repos', 'createrepo_c-testdata', 'compressed_files');

// createrepo_c's own compression fixtures: the same text in every format.
const cases = [
  { file: '01_plain.txt.gz', c: 'gzip' },
  { file: '01_plain.txt.xz', c: 'xz' },
  { file: '01_plain.txt.bz2', c: 'bzip2' },
  { file: '01_plain.txt.zst', c: 'zstd' },
  { file: '01_plain.txt', c: 'none' },
] as const;

for (const c of cases) {
  test(`decompresses createrepo_c fixture ${c.file}`, async () => {
    const plain = readFileSync(join(dir(), '01_plain.txt'));
    const data = new Uint8Array(readFileSync(join(dir(), c.file)));
    if (c.c !== 'none') {
      assert.equal(compressionFromName(c.file), c.c);
      assert.equal(detectCompression(data), c.c);
    }
    const out = await decompressBuffer(c.c, data);
    assert.deepEqual(out, plain);
  });
}

for (const c of cases.filter((x) => x.c !== 'none')) {
  test(`truncated ${c.c} input is an error, not garbage`, async () => {
    const data = new Uint8Array(readFileSync(join(dir(), c.file)));
    await assert.rejects(decompressBuffer(c.c, data.subarray(0, Math.floor(data.length / 2))), (err: unknown) => {
      return err instanceof Error;
    });
  });
}

test('rpm PAYLOADCOMPRESSOR names map to compressions', () => {
  assert.equal(compressionFromName('zstd'), 'zstd');
  assert.equal(compressionFromName('lzma'), 'xz');
  assert.equal(compressionFromName('primary.xml.weird'), undefined);
  assert.ok(DecompressError);
});
