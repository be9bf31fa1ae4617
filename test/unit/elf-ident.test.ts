import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readElfIdent, readShebang } from '../../src/common/elf-ident.js';
import { Arch } from '../../src/common/arch.js';

function header(elfClass: number, machine: number, le = true): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, elfClass, le ? 1 : 2, 1]);
  if (le) {
    b[16] = 2;
    b[18] = machine & 0xff;
    b[19] = machine >> 8;
  } else {
    b[17] = 2;
    b[19] = machine & 0xff;
    b[18] = machine >> 8;
  }
  return b;
}

const cases = [
  { name: 'x86_64', bytes: header(2, 0x3e), arch: 'x86_64' },
  { name: 'i386', bytes: header(1, 0x03), arch: 'i386' },
  { name: 'aarch64', bytes: header(2, 0xb7), arch: 'aarch64' },
  { name: 'arm', bytes: header(1, 0x28), arch: 'arm' },
  { name: 'riscv64 is ELF but unknown', bytes: header(2, 0xf3), arch: undefined },
] as const;

for (const c of cases) {
  test(`readElfIdent: ${c.name}`, () => {
    const id = readElfIdent(c.bytes);
    assert.ok(id);
    assert.equal(id.arch?.name, c.arch);
  });
}

const bad: { name: string; bytes: Uint8Array }[] = [
  { name: 'empty', bytes: new Uint8Array() },
  { name: 'truncated', bytes: header(2, 0x3e).subarray(0, 10) },
  { name: 'bad class', bytes: header(7, 0x3e) },
  { name: 'script', bytes: Buffer.from('#!/bin/sh\necho hi\n') },
];
for (const c of bad) test(`readElfIdent rejects ${c.name}`, () => assert.equal(readElfIdent(c.bytes), undefined));

test('the running node binary is the host arch', () => {
  const id = readElfIdent(readFileSync(process.execPath).subarray(0, 64));
  assert.equal(id?.arch, Arch.fromNode(process.arch));
});

test('readShebang', () => {
  assert.deepEqual(readShebang(Buffer.from('#!/bin/sh\n')), { interpreter: '/bin/sh' });
  assert.deepEqual(readShebang(Buffer.from('#! /usr/bin/env  python3 \nx')), { interpreter: '/usr/bin/env', arg: 'python3' });
  assert.equal(readShebang(Buffer.from('#!\n')), undefined);
  assert.equal(readShebang(Buffer.from('\x7fELF')), undefined);
});
