import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metadataDigestAlg } from '../../../src/builder/repo/metadata-checksum.js';
import { MetadataError } from '../../../src/builder/repo/metadata-error.js';

const accepted = [
  { type: 'sha', alg: 'sha1' },
  { type: 'sha1', alg: 'sha1' },
  { type: 'SHA224', alg: 'sha224' },
  { type: 'sha256', alg: 'sha256' },
  { type: 'sha384', alg: 'sha384' },
  { type: 'sha512', alg: 'sha512' },
];
for (const c of accepted) {
  test(`repomd checksum type "${c.type}" is checked with ${c.alg} (as librepo does)`, () => {
    assert.equal(metadataDigestAlg(c.type, 'primary metadata'), c.alg);
  });
}

const refused = [
  { type: 'md5', msg: 'primary metadata is protected only by an md5 checksum, which fexpod refuses (md5 collisions are cheap to make)' },
  { type: 'crc32', msg: 'primary metadata uses the checksum type "crc32", which fexpod does not know (it accepts sha1, sha224, sha256, sha384, sha512, as dnf)' },
];
for (const c of refused) {
  test(`repomd checksum type "${c.type}" is refused with its own message and fix`, () => {
    assert.throws(
      () => metadataDigestAlg(c.type, 'primary metadata'),
      (e: unknown) => e instanceof MetadataError && e.message === c.msg && /sha256/.test(e.fix ?? ''),
    );
  });
}
