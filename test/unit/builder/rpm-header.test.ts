import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RpmFormatError,
  RpmSigTag,
  RpmTag,
  RpmTruncatedError,
  formatNevra,
  headerNevra,
  parseRpmHeaders,
} from '../../../src/builder/rpm/rpm-header.js';
import { corpusDir } from '../../helpers/integration.js';

// Expected values from `rpm -qp --nosignature --qf …` on the same files.
const cases = [
  {
    file: 'ngircd-22-2.fc22.x86_64.rpm',
    nevra: 'ngircd-22-2.fc22.x86_64',
    sourcerpm: 'ngircd-22-2.fc22.src.rpm',
    compressor: 'xz',
    payloadDigest: undefined,
    sha256Header: undefined,
    fileCount: 33,
    firstRequire: '/bin/sh',
  },
  {
    file: 'rpm-sign-4.15.1-1.fc31.x86_64.rpm',
    nevra: 'rpm-sign-4.15.1-1.fc31.x86_64',
    sourcerpm: 'rpm-4.15.1-1.fc31.src.rpm',
    compressor: 'zstd',
    payloadDigest: '941ed65a252a5608a346527b800ba68ad611b6218020957b282b9ae131e7088d',
    sha256Header: 'e7bc63f8d52a04b37ee300c7a87d9d5d0a9e5c5b3622277d91c92d224cbf163d',
    fileCount: 5,
    firstRequire: 'libc.so.6()(64bit)',
  },
  {
    file: 'xrootd-devel-5.5.4-1.fc37.x86_64.rpm',
    nevra: 'xrootd-devel-1:5.5.4-1.fc37.x86_64',
    sourcerpm: 'xrootd-5.5.4-1.fc37.src.rpm',
    compressor: 'zstd',
    payloadDigest: 'c3e537db95422586eef3e363f4b122280655969179b80a9a8e6f400da3650721',
    sha256Header: '37621d6b3f82092b273b7f439e67c6c7ad187062b95fcb8356acd6c6a7cc7530',
    fileCount: 93,
    firstRequire: '/usr/bin/bash',
  },
] as const;

for (const c of cases) {
  test(`parses corpus RPM ${c.file}`, () => {
    const bytes = new Uint8Array(readFileSync(join(corpusDir(), 'rpms', c.file)));
    const p = parseRpmHeaders(bytes);
    assert.equal(formatNevra(headerNevra(p.header)), c.nevra);
    assert.equal(p.header.string(RpmTag.SOURCERPM), c.sourcerpm);
    assert.equal(p.header.string(RpmTag.PAYLOADCOMPRESSOR), c.compressor);
    assert.equal(p.header.strings(RpmTag.PAYLOADDIGEST)[0], c.payloadDigest);
    assert.equal(p.signature.string(RpmSigTag.SHA256HEADER), c.sha256Header);
    assert.equal(p.header.strings(RpmTag.BASENAMES).length, c.fileCount);
    assert.equal(p.header.strings(RpmTag.REQUIRENAME)[0], c.firstRequire);
    assert.equal(p.header.numbers(RpmTag.DIRINDEXES).length, c.fileCount);
    assert.equal(p.ranges.signature.start, 96);
    assert.equal(p.ranges.header.start % 8, 0);
    assert.equal(p.ranges.payloadOffset, p.ranges.header.end);
    const mainBytes = bytes.subarray(p.ranges.header.start, p.ranges.header.end);
    if (c.sha256Header) {
      assert.equal(createHash('sha256').update(mainBytes).digest('hex'), c.sha256Header);
    }
    if (c.payloadDigest) {
      const payload = bytes.subarray(p.ranges.payloadOffset);
      assert.equal(createHash('sha256').update(payload).digest('hex'), c.payloadDigest);
    }
  });
}

test('signed corpus RPM carries an RSA header signature', () => {
  const p = parseRpmHeaders(new Uint8Array(readFileSync(join(corpusDir(), 'rpms', 'rpm-sign-4.15.1-1.fc31.x86_64.rpm'))));
  const sig = p.signature.binary(RpmSigTag.RSAHEADER);
  assert.ok(sig && sig.length > 100);
  assert.equal(sig[0]! & 0x80, 0x80, 'OpenPGP packet tag');
});

const bad = [
  { name: 'empty input', bytes: new Uint8Array(0), error: RpmTruncatedError },
  { name: 'not an RPM', bytes: new Uint8Array(200).fill(0x41), error: RpmFormatError },
  {
    name: 'lead only',
    bytes: (() => {
      const b = new Uint8Array(96);
      b.set([0xed, 0xab, 0xee, 0xdb, 3, 0]);
      b[79] = 5;
      return b;
    })(),
    error: RpmTruncatedError,
  },
];
for (const c of bad) {
  test(`rejects ${c.name}`, () => {
    assert.throws(() => parseRpmHeaders(c.bytes), c.error);
  });
}

test('a prefix reports how many bytes the headers need', () => {
  const bytes = new Uint8Array(readFileSync(join(corpusDir(), 'rpms', 'ngircd-22-2.fc22.x86_64.rpm')));
  const full = parseRpmHeaders(bytes);
  let needed = 200;
  for (let i = 0; i < 5; i++) {
    try {
      parseRpmHeaders(bytes.subarray(0, needed));
      break;
    } catch (err) {
      assert.ok(err instanceof RpmTruncatedError);
      needed = err.needed;
    }
  }
  assert.equal(needed, full.ranges.payloadOffset);
});
