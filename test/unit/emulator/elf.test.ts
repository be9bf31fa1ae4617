import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { parseElf, tryParseElf, isStatic, searchPathOf, ElfParseError } from '../../../src/common/elf.js';
import { buildElf } from './elf-builder.js';
import { integration } from '../../helpers/integration.js';

const synthetic = [
  { name: '64-bit LE dynamic', spec: { elfClass: 2, machine: 0x3e }, le: true },
  { name: '64-bit BE dynamic', spec: { elfClass: 2, machine: 0x16, bigEndian: true }, le: false },
  { name: '32-bit LE dynamic', spec: { elfClass: 1, machine: 0x28 }, le: true },
  { name: '32-bit BE dynamic', spec: { elfClass: 1, machine: 0x08, bigEndian: true }, le: false },
] as const;

for (const c of synthetic) {
  test(`parseElf: ${c.name} reads PT_INTERP, DT_NEEDED, DT_SONAME, DT_RUNPATH`, () => {
    const bytes = buildElf({
      ...c.spec,
      interpreter: '/lib/ld-test.so.1',
      dynamic: { needed: ['libfoo.so.1', 'libc.so.6'], soname: 'libself.so.2', runpath: '$ORIGIN/../lib:/opt/x::' },
    });
    const elf = parseElf(bytes);
    assert.equal(elf.elfClass, c.spec.elfClass);
    assert.equal(elf.elfData, c.le ? 1 : 2);
    assert.equal(elf.machine, c.spec.machine);
    assert.equal(elf.interpreter, '/lib/ld-test.so.1');
    assert.deepEqual(elf.dynamic?.needed, ['libfoo.so.1', 'libc.so.6']);
    assert.equal(elf.dynamic?.soname, 'libself.so.2');
    assert.deepEqual(elf.dynamic?.runpath, ['$ORIGIN/../lib', '/opt/x']);
    assert.equal(elf.dynamic?.rpath, undefined);
    assert.equal(isStatic(elf), false);
    assert.deepEqual(searchPathOf(elf, '/p/bin'), ['/p/bin/../lib', '/opt/x']);
  });
}

test('parseElf: static (no PT_INTERP, no PT_DYNAMIC)', () => {
  const elf = parseElf(buildElf({ type: 2 }));
  assert.equal(elf.interpreter, undefined);
  assert.equal(elf.dynamic, undefined);
  assert.equal(isStatic(elf), true);
});

test('searchPathOf: DT_RPATH is used only without DT_RUNPATH; $LIB entries are dropped', () => {
  const rpathOnly = parseElf(buildElf({ dynamic: { rpath: '/a:${ORIGIN}/b:/x/$LIB' } }));
  assert.deepEqual(searchPathOf(rpathOnly, '/o'), ['/a', '/o/b']);
  const both = parseElf(buildElf({ dynamic: { rpath: '/a', runpath: '/r' } }));
  assert.deepEqual(searchPathOf(both, '/o'), ['/r']);
});

const broken: { name: string; bytes: Uint8Array }[] = [
  { name: 'not ELF', bytes: Buffer.from('#!/bin/sh\n') },
  { name: 'truncated program headers', bytes: buildElf({ interpreter: '/lib/ld.so' }).subarray(0, 80) },
  {
    name: 'interpreter without terminator',
    bytes: (() => {
      const b = buildElf({ interpreter: '/lib/ld.so' });
      const i = Buffer.from(b).indexOf('/lib/ld.so\0');
      b[i + 10] = 0x41;
      return b;
    })(),
  },
];
for (const c of broken) {
  test(`parseElf rejects ${c.name}`, () => {
    assert.throws(() => parseElf(c.bytes), ElfParseError);
    assert.equal(tryParseElf(c.bytes), undefined);
  });
}

// Real binaries on this host: the running node, and a dynamic + static qemu when installed.
test('parseElf: the running node binary is dynamic with a loader', () => {
  const elf = parseElf(readFileSync(process.execPath));
  assert.ok(elf.interpreter?.startsWith('/'));
  assert.ok(elf.dynamic?.needed.includes('libc.so.6'));
});

function qemuPair(): { dyn: string; stat: string } | undefined {
  for (const a of ['aarch64', 'x86_64', 'arm']) {
    const dyn = `/usr/bin/qemu-${a}`;
    const stat = `/usr/bin/qemu-${a}-static`;
    if (existsSync(dyn) && existsSync(stat)) return { dyn, stat };
  }
  return undefined;
}

test('parseElf: real qemu-user (dynamic) and qemu-user-static agree with readelf', integration({ what: 'qemu-user and qemu-user-static installed', ok: qemuPair() !== undefined }), () => {
  const q = qemuPair();
  assert.ok(q);
  const dyn = parseElf(readFileSync(q.dyn));
  const readelf = execFileSync('readelf', ['-d', q.dyn], { encoding: 'utf8' });
  const needed = [...readelf.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  assert.deepEqual(dyn.dynamic?.needed, needed);
  assert.equal(isStatic(parseElf(readFileSync(q.stat))), true);
});

test('parseElf: damaged real binaries only ever throw ElfParseError (truncations and byte flips, fixed seed)', () => {
  const real = new Uint8Array(readFileSync(process.execPath).subarray(0, 256 * 1024));
  const small = buildElf({ elfClass: 1, bigEndian: true, interpreter: '/lib/ld.so.1', dynamic: { needed: ['libc.so.6'], runpath: '/x' } });
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const base of [real, small]) {
    for (let i = 0; i < 300; i++) {
      const b = base.slice(0, rand(base.length + 1));
      for (let k = rand(4); k > 0; k--) if (b.length > 0) b[rand(Math.min(b.length, 512))] = rand(256);
      try {
        parseElf(b);
      } catch (err) {
        assert.ok(err instanceof ElfParseError, `${(err as Error).name}: ${(err as Error).message}`);
      }
    }
  }
});
