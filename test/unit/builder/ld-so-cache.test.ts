import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dlCacheLibcmp, encodeLdSoCache, libraryInfo, looksLikeDso } from '../../../src/builder/tree/ld-so-cache.js';
import { elfStub } from './elf-stub.js';

const cmp = [
  { a: 'libc.so.6', b: 'libc.so.6', sign: 0 },
  { a: 'libfoo.so.10', b: 'libfoo.so.9', sign: 1 }, // numeric, not byte order
  { a: 'libfoo.so.1', b: 'libfoo.so', sign: 1 },
  { a: 'lib1', b: 'libx', sign: 1 }, // a digit sorts after a non-digit
  { a: 'liba', b: 'libb', sign: -1 },
  { a: 'libz.so.1.2.13', b: 'libz.so.1.2.3', sign: 1 },
];
for (const c of cmp) {
  test(`_dl_cache_libcmp(${c.a}, ${c.b}) has sign ${c.sign}`, () => {
    assert.equal(Math.sign(dlCacheLibcmp(c.a, c.b)), c.sign);
  });
}

for (const [name, ok] of [['libc.so.6', true], ['ld-linux-x86-64.so.2', true], ['ld.so.1', true], ['libfoo.a', false], ['foo.so', false], ['libx.so;5f0a', false], ['libx.so.dpkg-new', false]] as const) {
  test(`${name} ${ok ? 'is' : 'is not'} scanned as a library`, () => assert.equal(looksLikeDso(name), ok));
}

test('cache layout: header, 24-byte entries, string offsets from the file start', () => {
  const b = Buffer.from(encodeLdSoCache([
    { soname: 'libz.so.1', path: '/usr/lib64/libz.so.1', flags: 0x303 },
    { soname: 'libc.so.6', path: '/usr/lib64/libc.so.6', flags: 0x303 },
  ]));
  assert.equal(b.subarray(0, 20).toString('latin1'), 'glibc-ld.so.cache1.1');
  assert.equal(b.readUInt32LE(20), 2);
  assert.equal(b[28], 2, 'little endian flag');
  assert.equal(b.readUInt32LE(32), 0, 'no extensions');
  const strBase = 48 + 2 * 24;
  assert.equal(b.readUInt32LE(24), b.length - strBase);
  assert.equal(b.readInt32LE(48), 0x303);
  const key = b.readUInt32LE(52);
  const value = b.readUInt32LE(56);
  assert.equal(b.subarray(key, b.indexOf(0, key)).toString(), 'libz.so.1');
  assert.equal(b.subarray(value, b.indexOf(0, value)).toString(), '/usr/lib64/libz.so.1');
  assert.equal(b.readBigUInt64LE(64), 0n);
});

for (const c of [
  { name: 'x86-64', bits: 64 as const, machine: 62, flags: 0x0303 },
  { name: 'i386', bits: 32 as const, machine: 3, flags: 0x0003 },
  { name: 'aarch64', bits: 64 as const, machine: 183, flags: 0x0a03 },
]) {
  test(`${c.name} library gets ldconfig flags 0x${c.flags.toString(16)} and its soname`, () => {
    assert.deepEqual(libraryInfo(elfStub({ bits: c.bits, machine: c.machine, soname: 'libq.so.1' })), { flags: c.flags, soname: 'libq.so.1' });
  });
}

test('libraries ldconfig would not cache are skipped', () => {
  assert.equal(libraryInfo(elfStub({ bits: 32, machine: 40, soname: 'libarm.so.1' })), undefined, 'arm on an x86 ldconfig');
  const exec = Buffer.from(elfStub({ bits: 64, machine: 62, soname: 'x' }));
  exec.writeUInt16LE(2, 16);
  assert.equal(libraryInfo(exec), undefined, 'ET_EXEC');
  assert.equal(libraryInfo(Buffer.from('/* GNU ld script */')), undefined);
});
