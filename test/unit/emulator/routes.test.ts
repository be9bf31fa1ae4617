/**
 * The one decision (hostRoutes over chooseEmulator and the muvm/krun
 * blockers), table-driven over every combination of page size 4k/16k/64k ×
 * FEX × muvm × crun with/without +LIBKRUN × /dev/kvm absent/inaccessible/usable
 * × root. The expectations are a truth table written by hand (first matching
 * row wins); every one of the 144 combinations must match exactly one process
 * row and one container row. muvm, krun and the 16/64 KiB hosts are host-fact
 * stand-ins: nothing here needs them installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Arch } from '../../../src/common/arch.js';
import type { FoundEmulator } from '../../../src/emulator/emulator-catalogue.js';
import type { ChoiceHost } from '../../../src/emulator/emulator-choice.js';
import { hostRoutes, type RouteOutcome } from '../../../src/emulator/routes.js';

type Kvm = 'absent' | 'inaccessible' | 'usable';
interface Facts {
  page: 4096 | 16384 | 65536;
  fex: boolean;
  muvm: boolean;
  libkrun: boolean;
  kvm: Kvm;
  root: boolean;
}

const X86 = Arch.of('x86_64');
const A64 = Arch.of('aarch64');
const bin = (id: FoundEmulator['id'], path: string, extra: Partial<FoundEmulator> = {}): FoundEmulator => ({
  id, path, via: `PATH: ${path}`, static: false, arch: A64, guests: ['x86_64', 'i386'], helpers: {}, problems: [], ...extra,
});

function scene(f: Facts): { found: FoundEmulator[]; host: ChoiceHost } {
  const found: FoundEmulator[] = [bin('krun', '/usr/bin/crun', { arch: undefined })];
  if (f.fex) found.push(bin('fex', '/usr/bin/FEX', { helpers: { FEXServer: '/usr/bin/FEXServer' } }));
  if (f.muvm) found.push(bin('muvm', '/usr/bin/muvm'));
  return {
    found,
    host: {
      arch: A64,
      pageSize: f.page,
      uid: f.root ? 0 : 1000,
      kvm: { present: f.kvm !== 'absent', accessible: f.kvm === 'usable' },
      crunFeatures: f.libkrun ? ['SYSTEMD', 'SELINUX', 'LIBKRUN', 'YAJL'] : ['SYSTEMD', 'SELINUX', 'YAJL'],
    },
  };
}

interface Row {
  when: Partial<Facts> & { nonFour?: true };
  via: RouteOutcome['via'];
  why: RegExp;
  fix?: RegExp;
}

const PROCESS: Row[] = [
  { when: { page: 4096, fex: true }, via: 'fex', why: /^FEX is installed and usable$/ },
  { when: { page: 4096, fex: false }, via: undefined, why: /^FEX is not installed$/, fix: /dnf install fex-emu/ },
  { when: { nonFour: true, muvm: false }, via: undefined, why: /^muvm is not installed$/, fix: /dnf install muvm/ },
  { when: { nonFour: true, root: true }, via: undefined, why: /^muvm: muvm refuses to run as root$/, fix: /your own user/ },
  { when: { nonFour: true, kvm: 'absent' }, via: undefined, why: /^muvm: \/dev\/kvm does not exist$/, fix: /modprobe kvm/ },
  { when: { nonFour: true, kvm: 'inaccessible' }, via: undefined, why: /^muvm: \/dev\/kvm is not accessible to this user$/, fix: /usermod -aG kvm/ },
  { when: { nonFour: true, fex: false }, via: undefined, why: /^muvm: FEX \(with FEXServer\) is needed inside the microVM/, fix: /dnf install fex-emu/ },
  { when: { nonFour: true }, via: 'muvm', why: /^muvm \+ FEX \(a 4 KiB microVM\) is installed and usable$/ },
];

const CONTAINER: Row[] = [
  { when: { page: 4096, fex: true }, via: 'fex', why: /^FEX is installed and usable$/ },
  { when: { page: 4096, fex: false }, via: undefined, why: /^FEX is not installed$/, fix: /dnf install fex-emu/ },
  { when: { nonFour: true, libkrun: false }, via: undefined, why: /^krun: crun is built without \+LIBKRUN/, fix: /dnf install crun-krun/ },
  { when: { nonFour: true, kvm: 'absent' }, via: undefined, why: /^krun: \/dev\/kvm does not exist$/, fix: /modprobe kvm/ },
  { when: { nonFour: true, kvm: 'inaccessible' }, via: undefined, why: /^krun: \/dev\/kvm is not accessible/, fix: /usermod -aG kvm/ },
  { when: { nonFour: true, fex: false }, via: undefined, why: /^krun: FEX \(with FEXServer\) is needed inside the microVM/, fix: /dnf install fex-emu/ },
  { when: { nonFour: true }, via: 'krun', why: /^crun's krun handler \+ FEX \(a 4 KiB microVM\) is installed and usable$/ },
];

function matches(f: Facts, w: Row['when']): boolean {
  if (w.nonFour && f.page === 4096) return false;
  return (Object.keys(w) as (keyof Facts | 'nonFour')[]).every((k) => k === 'nonFour' || w[k] === f[k]);
}

function all(): Facts[] {
  const out: Facts[] = [];
  for (const page of [4096, 16384, 65536] as const)
    for (const fex of [true, false])
      for (const muvm of [true, false])
        for (const libkrun of [true, false])
          for (const kvm of ['absent', 'inaccessible', 'usable'] as const)
            for (const root of [false, true]) out.push({ page, fex, muvm, libkrun, kvm, root });
  return out;
}

const name = (f: Facts) =>
  `${f.page / 1024}k${f.page === 4096 ? '' : ' (stand-in)'} FEX=${f.fex ? 'yes' : 'no'} muvm=${f.muvm ? 'yes' : 'no'} crun${f.libkrun ? '+' : '-'}LIBKRUN kvm=${f.kvm}${f.root ? ' root' : ''}`;

test('the truth table covers all 144 combinations', () => assert.equal(all().length, 144));

for (const f of all()) {
  test(`routes: ${name(f)}`, () => {
    const { found, host } = scene(f);
    const r = hostRoutes(found, host, X86);
    for (const [o, rows] of [[r.process, PROCESS], [r.container, CONTAINER]] as const) {
      const row = rows.find((w) => matches(f, w.when));
      assert.ok(row, `no ${o.purpose} row matches`);
      assert.equal(o.via, row.via, `${o.purpose} route`);
      assert.match(o.why, row.why, `${o.purpose} why`);
      if (row.fix) assert.match(o.fix ?? '', row.fix, `${o.purpose} fix`);
      else assert.equal(o.fix, undefined, `${o.purpose} needs no fix`);
    }
    const page = f.page === 4096 ? 'host pages are 4 KiB' : `this host uses ${f.page / 1024} KiB pages and FEX needs 4 KiB`;
    assert.ok(r.because.startsWith(page), r.because);
    assert.match(r.sentence, /^on this host an x86-64 program (runs via .+|cannot run), an amd64 container (via .+|cannot run), because /);
    assert.ok(r.sentence.includes(r.process.via ? `runs via ${r.process.label}` : 'program cannot run'));
  });
}

const extra: { name: string; host: Arch; guest: Arch; page: number; found: FoundEmulator[]; process: RegExp; container: RegExp }[] = [
  {
    name: 'stand-in 16k, root, box64 installed: programs fall back to box64, the sentence says why muvm was passed over',
    host: A64, guest: X86, page: 16384,
    found: [bin('fex', '/usr/bin/FEX', { helpers: { FEXServer: '/usr/bin/FEXServer' } }), bin('muvm', '/usr/bin/muvm'), bin('box64', '/usr/bin/box64', { guests: ['x86_64'] })],
    process: /an x86-64 program runs via box64, .*muvm: muvm refuses to run as root/,
    container: /an amd64 container via box64/,
  },
  {
    name: 'stand-in 16k without krun, QEMU static installed: containers through QEMU',
    host: A64, guest: Arch.of('i386'), page: 16384,
    found: [bin('krun', '/usr/bin/crun'), bin('qemu-user-static', '/usr/bin/qemu-i386-static', { static: true, guests: ['i386'] })],
    process: /an i386 program runs via QEMU \(static\)/,
    container: /an i386 container via QEMU \(static\).*krun: crun is built without \+LIBKRUN/,
  },
  {
    name: 'the mirror image (an x86_64 host): arm64 through QEMU, FEX does not serve arm64',
    host: X86, guest: A64, page: 4096,
    found: [bin('qemu-user-static', '/usr/bin/qemu-aarch64-static', { static: true, arch: X86, guests: ['aarch64', 'arm'] })],
    process: /^on this host an arm64 program runs via QEMU \(static\)/,
    container: /an arm64 container via QEMU \(static\), because host pages are 4 KiB; QEMU \(static\) is the first usable emulator in precedence order$/,
  },
];
for (const c of extra) {
  test(`routes: ${c.name}`, () => {
    const r = hostRoutes(c.found, { arch: c.host, pageSize: c.page, uid: 0, kvm: { present: true, accessible: true }, crunFeatures: ['SYSTEMD'] }, c.guest);
    assert.match(r.sentence, c.process);
    assert.match(r.sentence, c.container);
  });
}
