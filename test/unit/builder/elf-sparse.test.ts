/**
 * readElfSparse reads only what parseElf looks at: parseElf of its sparse
 * image equals parseElf of the whole file — for this Node binary (a real,
 * large ELF of the host's architecture), for 32- and 64-bit stubs with a
 * SONAME placed far into a big file, and it leaves a non-ELF file non-ELF.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseElf, tryParseElf } from '../../../src/common/elf.js';
import { libraryInfo } from '../../../src/builder/tree/ld-so-cache.js';
import { readElfSparse } from '../../../src/builder/tree/elf-sparse.js';
import { elfStub } from './elf-stub.js';

const dir = mkdtempSync(join(tmpdir(), 'fexpod-elf-sparse-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A stub followed by 3 MiB of filler: the parts parseElf needs stay at the front, the rest must not be read. */
function padded(stub: Uint8Array): Buffer {
  return Buffer.concat([stub, Buffer.alloc(3 * 1024 * 1024, 0xa5)]);
}

const cases: { name: string; bytes: () => Uint8Array }[] = [
  { name: 'this Node binary', bytes: () => readFileSync(process.execPath) },
  { name: '64-bit x86-64 stub with a SONAME', bytes: () => padded(elfStub({ bits: 64, machine: 62, soname: 'libq.so.1', needed: 'libc.so.6' })) },
  { name: '32-bit i386 stub with a SONAME', bytes: () => padded(elfStub({ bits: 32, machine: 3, soname: 'libr.so.2' })) },
  { name: '64-bit aarch64 stub', bytes: () => elfStub({ bits: 64, machine: 183, soname: 'liba.so' }) },
];

for (const c of cases) {
  test(`${c.name}: parseElf of the sparse image is parseElf of the file, and libraryInfo agrees`, async () => {
    const bytes = c.bytes();
    const f = join(dir, c.name.replace(/\W+/g, '-'));
    writeFileSync(f, bytes);
    const sparse = await readElfSparse(f, bytes.length);
    assert.equal(sparse.length, bytes.length);
    assert.deepEqual(parseElf(sparse), parseElf(bytes));
    assert.deepEqual(libraryInfo(sparse), libraryInfo(bytes));
    if (bytes.length > 1024 * 1024) assert.ok(sparse.subarray(bytes.length - 1024).every((b) => b === 0), 'the end of the file was not read');
  });
}

test('a file that is not ELF (an ld script) stays not ELF; an empty file is empty', async () => {
  const script = Buffer.from('/* GNU ld script */\nGROUP ( /lib64/libc.so.6 )\n');
  writeFileSync(join(dir, 'libc.so'), script);
  const s = await readElfSparse(join(dir, 'libc.so'), script.length);
  assert.ok(Buffer.from(s).equals(script));
  assert.equal(tryParseElf(s), undefined);
  writeFileSync(join(dir, 'empty'), '');
  assert.equal((await readElfSparse(join(dir, 'empty'), 0)).length, 0);
});
