import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arch, UnknownArchError } from '../../src/common/arch.js';

const cases: { input: string; name: string; rpm: string; oci: string; machine: number }[] = [
  { input: 'amd64', name: 'x86_64', rpm: 'x86_64', oci: 'amd64', machine: 0x3e },
  { input: 'x86_64', name: 'x86_64', rpm: 'x86_64', oci: 'amd64', machine: 0x3e },
  { input: 'i686', name: 'i386', rpm: 'i686', oci: '386', machine: 0x03 },
  { input: '386', name: 'i386', rpm: 'i686', oci: '386', machine: 0x03 },
  { input: 'ARM64', name: 'aarch64', rpm: 'aarch64', oci: 'arm64', machine: 0xb7 },
  { input: 'armhf', name: 'arm', rpm: 'armv7hl', oci: 'arm', machine: 0x28 },
];

for (const c of cases) {
  test(`Arch.parse(${c.input})`, () => {
    const a = Arch.parse(c.input);
    assert.equal(a.name, c.name);
    assert.equal(a.rpm, c.rpm);
    assert.equal(a.oci.architecture, c.oci);
    assert.equal(a.machine, c.machine);
    assert.equal(Arch.fromElf(a.elfClass, a.machine), a);
  });
}

test('unknown arch names the accepted spellings', () => {
  assert.throws(() => Arch.parse('mips'), (e: unknown) => e instanceof UnknownArchError && /aarch64/.test(e.message));
});

test('native guests are relative to the host', () => {
  assert.ok(Arch.parse('i686').isNativeOn(Arch.parse('x86_64')));
  assert.ok(!Arch.parse('aarch64').isNativeOn(Arch.parse('x86_64')));
  assert.ok(!Arch.parse('x86_64').isNativeOn(Arch.parse('aarch64')));
  assert.ok(Arch.parse('aarch64').isNativeOn(Arch.parse('arm64')));
});
