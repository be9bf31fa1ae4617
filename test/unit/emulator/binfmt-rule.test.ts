import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Arch, type ArchName } from '../../../src/common/arch.js';
import {
  parseRegistration,
  formatRegistration,
  matchesHeader,
  normalizeFlags,
  rulesOverlap,
  sameRegistration,
  escapeBytes,
  type BinfmtRule,
} from '../../../src/emulator/binfmt/binfmt-rule.js';
import { archesMatched, elfMagic, elfMask, magicFor, representativeHeaders } from '../../../src/emulator/binfmt/binfmt-magic.js';
import { entryRegistration, parseEntryFile } from '../../../src/emulator/binfmt/binfmt-entry.js';
import { repoRoot } from '../../helpers/integration.js';

const FIX = join(repoRoot(), 'test', 'fixtures', 'binfmt');
const fixture = (f: string) => readFileSync(join(FIX, f), 'utf8');
/** The registration line of a binfmt.d fixture (comments skipped), exactly as in the file. */
const lineOf = (f: string) => {
  const l = fixture(f).split('\n').find((x) => x.length > 0 && !x.startsWith('#'));
  assert.ok(l, `${f} has a rule line`);
  return l;
};
const header = (f: string) => new Uint8Array(readFileSync(join(FIX, f)));

/** Real first-64-byte headers and the arch they belong to. */
const REAL_HEADERS: { file: string; arch: ArchName }[] = [
  { file: 'host-busybox.x86_64.elf64', arch: 'x86_64' },
  { file: 'debian-qemu-aarch64-amd64.elf64', arch: 'x86_64' },
  { file: 'debian-busybox-static-arm64.elf64', arch: 'aarch64' },
  { file: 'debian-coreutils-uname-arm64.elf64', arch: 'aarch64' },
  { file: 'debian-busybox-static-armhf.elf64', arch: 'arm' },
  { file: 'debian-coreutils-uname-armhf.elf64', arch: 'arm' },
];

const LINES: { file: string; name: string; arch: ArchName; flags: string }[] = [
  { file: 'fex.FEX-x86_64.conf', name: 'FEX-x86_64', arch: 'x86_64', flags: 'POCF' },
  { file: 'fex.FEX-x86.conf', name: 'FEX-x86', arch: 'i386', flags: 'POCF' },
  { file: 'debian-qemu-user-static-amd64.qemu-aarch64.conf', name: 'qemu-aarch64', arch: 'aarch64', flags: 'OPF' },
  { file: 'debian-qemu-user-static-amd64.qemu-arm.conf', name: 'qemu-arm', arch: 'arm', flags: 'OPF' },
  { file: 'debian-qemu-user-binfmt-amd64.qemu-aarch64.conf', name: 'qemu-aarch64', arch: 'aarch64', flags: 'OP' },
  { file: 'debian-qemu-user-binfmt-amd64.qemu-arm.conf', name: 'qemu-arm', arch: 'arm', flags: 'OP' },
  { file: 'debian-qemu-user-binfmt-arm64.qemu-x86_64.conf', name: 'qemu-x86_64', arch: 'x86_64', flags: 'OP' },
  { file: 'debian-qemu-user-binfmt-arm64.qemu-i386.conf', name: 'qemu-i386', arch: 'i386', flags: 'OP' },
  { file: 'standin-box64.box64.conf', name: 'x86_64', arch: 'x86_64', flags: '' },
  { file: 'standin-box64.box32.conf', name: 'box32', arch: 'i386', flags: '' },
];

for (const c of LINES) {
  test(`${c.file}: parses and formats back byte-exactly`, () => {
    const line = lineOf(c.file);
    const rule = parseRegistration(line);
    assert.equal(rule.name, c.name);
    assert.equal(rule.type, 'M');
    assert.equal(rule.flags, c.flags);
    assert.equal(rule.magic.length, 20);
    assert.equal(rule.mask?.length, 20);
    assert.equal(formatRegistration(rule), line);
    // And the trailing newline of the file is accepted.
    assert.equal(formatRegistration(parseRegistration(line + '\n')), line);
  });

  test(`${c.file}: matches real ${c.arch} binaries and no other arch`, () => {
    const rule = parseRegistration(lineOf(c.file));
    for (const h of REAL_HEADERS) {
      assert.equal(matchesHeader(rule, header(h.file)), h.arch === c.arch, `${h.file}`);
    }
    assert.deepEqual(archesMatched(rule).map((a) => a.name), [c.arch]);
  });
}

test('a parsed line keeps its spelling only while it still decodes to the same bytes', () => {
  const rule = parseRegistration(lineOf('fex.FEX-x86_64.conf'));
  const moved: BinfmtRule = { ...rule, interpreter: '/opt/fexpod/prefix/bin/FEX' };
  assert.equal(formatRegistration(moved), lineOf('fex.FEX-x86_64.conf').replace('/usr/bin/FEX', '/opt/fexpod/prefix/bin/FEX'));
  const other: BinfmtRule = { ...rule, magic: elfMagic(Arch.of('i386')) };
  assert.ok(formatRegistration(other).includes(escapeBytes(elfMagic(Arch.of('i386')))));
});

test('generated FEX magic/mask equal FEX upstream lines', () => {
  for (const [file, arch] of [['fex.FEX-x86_64.conf', 'x86_64'], ['fex.FEX-x86.conf', 'i386']] as const) {
    const up = parseRegistration(lineOf(file));
    const gen = magicFor(Arch.of(arch));
    assert.deepEqual(gen.magic, up.magic);
    assert.deepEqual(gen.mask, up.mask);
  }
});

test('generated QEMU mask is the upstream qemu-binfmt-conf.sh mask (design card)', () => {
  assert.equal(
    escapeBytes(elfMask('qemu')),
    '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff',
  );
  const debian = parseRegistration(lineOf('debian-qemu-user-static-amd64.qemu-aarch64.conf'));
  assert.deepEqual(magicFor(Arch.of('aarch64')).magic, debian.magic);
});

const ARCHES: ArchName[] = ['x86_64', 'i386', 'aarch64', 'arm'];
for (const a of ARCHES) {
  for (const style of ['fex', 'qemu'] as const) {
    test(`generated ${style} rule for ${a} catches exactly ${a}`, () => {
      const { magic, mask } = magicFor(Arch.of(a), style);
      const rule: BinfmtRule = { name: `t-${a}`, type: 'M', offset: 0, magic, mask, interpreter: '/x', flags: 'F' };
      assert.deepEqual(archesMatched(rule).map((x) => x.name), [a]);
      for (const h of REAL_HEADERS) assert.equal(matchesHeader(rule, header(h.file)), h.arch === a, h.file);
    });
  }
}

test('representative headers are well-formed ELF of that arch', () => {
  for (const a of Arch.all()) for (const h of representativeHeaders(a)) assert.equal(Arch.fromElf(h[4] ?? 0, (h[18] ?? 0) | ((h[19] ?? 0) << 8)), a);
});

const OVERLAP: { a: string; b: string; overlap: boolean }[] = [
  { a: 'fex.FEX-x86_64.conf', b: 'debian-qemu-user-binfmt-arm64.qemu-x86_64.conf', overlap: true },
  { a: 'fex.FEX-x86_64.conf', b: 'standin-box64.box64.conf', overlap: true },
  { a: 'fex.FEX-x86.conf', b: 'standin-box64.box32.conf', overlap: true },
  { a: 'fex.FEX-x86_64.conf', b: 'fex.FEX-x86.conf', overlap: false },
  { a: 'debian-qemu-user-static-amd64.qemu-aarch64.conf', b: 'debian-qemu-user-static-amd64.qemu-arm.conf', overlap: false },
  { a: 'debian-qemu-user-static-amd64.qemu-aarch64.conf', b: 'debian-qemu-user-binfmt-amd64.qemu-aarch64.conf', overlap: true },
];
for (const c of OVERLAP) {
  test(`rulesOverlap(${c.a}, ${c.b}) = ${c.overlap}`, () => {
    const a = parseRegistration(lineOf(c.a));
    const b = parseRegistration(lineOf(c.b));
    assert.equal(rulesOverlap(a, b), c.overlap);
    assert.equal(rulesOverlap(b, a), c.overlap);
  });
}

test('normalizeFlags: kernel order, C implies O', () => {
  assert.equal(normalizeFlags('OPF'), 'POF');
  assert.equal(normalizeFlags('FCP'), 'POCF');
  assert.equal(normalizeFlags(''), '');
});

test('/proc entry of Debian qemu-aarch64 is the same registration as its binfmt.d line', () => {
  const entry = parseEntryFile('qemu-aarch64', fixture('proc-entry.qemu-aarch64'));
  assert.equal(entry.enabled, true);
  const conf = parseRegistration(lineOf('debian-qemu-user-static-amd64.qemu-aarch64.conf'));
  assert.ok(sameRegistration(entry.rule, conf));
  assert.equal(
    entryRegistration(entry),
    ':qemu-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:' +
      '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:POF',
  );
});

/** Entry files exactly as kernel 6.18 printed them after registering the lines (probed in a user-namespace instance). */
const PROC: { name: string; text: string; line: string; enabled: boolean }[] = [
  {
    name: 'FEX-x86_64',
    text: 'enabled\ninterpreter /usr/bin/FEX\nflags: POCF\noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask fffffffffffefe00000000fffffffffffeffffff\n',
    line: lineOf('fex.FEX-x86_64.conf'),
    enabled: true,
  },
  {
    name: 'x86_64',
    text: 'enabled\ninterpreter /usr/bin/box64\nflags: \noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask ffffffffffffff000000000000000000feffffff\n',
    line: lineOf('standin-box64.box64.conf'),
    enabled: true,
  },
  { name: 'm1', text: 'disabled\ninterpreter /bin/true\nflags: OC\noffset 3\nmagic 6162\n', line: ':m1:M:3:ab::/bin/true:OC', enabled: false },
  { name: 'e1', text: 'enabled\ninterpreter /bin/true\nflags: \nextension .foo\n', line: ':e1:E::foo::/bin/true:', enabled: true },
];
for (const c of PROC) {
  test(`/proc entry ${c.name} reconstructs its registration`, () => {
    const e = parseEntryFile(c.name, c.text);
    assert.equal(e.enabled, c.enabled);
    assert.ok(sameRegistration(e.rule, parseRegistration(c.line)));
    // The reconstructed line parses back to the same registration.
    assert.ok(sameRegistration(parseRegistration(entryRegistration(e)), e.rule));
  });
}

const BAD: { name: string; line: string; msg: RegExp }[] = [
  { name: 'six fields', line: ':x:M::\\x7f::/bin/true', msg: /7 fields/ },
  { name: 'bad type', line: ':x:Q::\\x7f::/bin/true:', msg: /type must be M/ },
  { name: 'bad escape', line: ':x:M::\\x7g::/bin/true:', msg: /bad escape/ },
  { name: 'mask length', line: ':x:M::\\x00\\x01:\\xfe:/bin/true:', msg: /mask has 1 bytes/ },
  { name: 'bad flag', line: ':x:M::\\x7f::/bin/true:PX', msg: /invalid binfmt_misc flags/ },
  { name: 'reserved name', line: ':register:M::\\x7f::/bin/true:', msg: /invalid binfmt_misc entry name/ },
  { name: 'relative interpreter', line: ':x:M::\\x7f::bin/true:', msg: /absolute path/ },
  { name: 'offset past header', line: ':x:M:255:\\x7f\\x7f::/bin/true:', msg: /exceeds/ },
  { name: 'empty', line: '', msg: /not a binfmt_misc registration line/ },
];
for (const c of BAD) test(`parseRegistration rejects ${c.name}`, () => assert.throws(() => parseRegistration(c.line), c.msg));

test('another delimiter works like ":"', () => {
  const r = parseRegistration('|x|M|2|ab||/bin/true|F');
  assert.equal(r.offset, 2);
  assert.equal(formatRegistration(r), ':x:M:2:ab::/bin/true:F');
});
