/**
 * The muvm and krun blockers, and the binfmt_misc argument layouts. muvm,
 * krun and a 16 KiB kernel do not exist on this machine: every non-4k case is
 * a host-fact stand-in and named so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { krunBlocker, muvmBlocker, needsMicroVm, parseBinfmtInvocation, type KrunHost, type MuvmHost } from '../../../src/emulator/microvm/muvm.js';

test('needsMicroVm: only 4 KiB runs FEX directly', () => {
  assert.equal(needsMicroVm(4096), false);
  assert.equal(needsMicroVm(16384), true);
  assert.equal(needsMicroVm(65536), true);
});

const user: MuvmHost = { pageSize: 16384, uid: 1000, kvm: { present: true, accessible: true } };
const muvmCases: { name: string; host: Partial<MuvmHost>; reason?: RegExp }[] = [
  { name: '4 KiB host: not needed', host: { pageSize: 4096 }, reason: /not needed/ },
  { name: 'stand-in 16 KiB host as a user: usable', host: {} },
  { name: 'stand-in 16 KiB host as root: refused', host: { uid: 0 }, reason: /refuses to run as root/ },
  { name: 'stand-in 16 KiB host, setuid caller (euid 0): refused', host: { euid: 0 }, reason: /refuses to run as root/ },
  { name: 'stand-in 16 KiB host without /dev/kvm', host: { kvm: { present: false, accessible: false } }, reason: /does not exist/ },
  { name: 'stand-in 16 KiB host, /dev/kvm not ours', host: { kvm: { present: true, accessible: false } }, reason: /not accessible/ },
];
for (const c of muvmCases) {
  test(`muvmBlocker: ${c.name}`, () => {
    const b = muvmBlocker({ ...user, ...c.host });
    if (!c.reason) assert.equal(b, undefined);
    else assert.match(b?.reason ?? '', c.reason);
  });
}

const krun: KrunHost = { pageSize: 16384, crunFeatures: ['SYSTEMD', 'LIBKRUN'], kvm: { present: true, accessible: true } };
const krunCases: { name: string; host: Partial<KrunHost>; reason?: RegExp; fix?: RegExp }[] = [
  { name: 'stand-in 16 KiB host, crun +LIBKRUN, /dev/kvm usable', host: {} },
  { name: 'stand-in 16 KiB host, crun 1.8 without +LIBKRUN: never annotate blindly', host: { crunFeatures: ['SYSTEMD'] }, reason: /silently ignores/, fix: /crun-krun/ },
  { name: 'stand-in 16 KiB host, no crun', host: { crunFeatures: undefined }, reason: /crun is not installed/ },
  { name: 'stand-in 16 KiB host, +LIBKRUN:… with a value still counts', host: { crunFeatures: ['LIBKRUN:1.9'] } },
  { name: 'stand-in 16 KiB host, +LIBKRUN but no /dev/kvm', host: { kvm: { present: false, accessible: false } }, reason: /kvm does not exist/ },
];
for (const c of krunCases) {
  test(`krunBlocker: ${c.name}`, () => {
    const b = krunBlocker({ ...krun, ...c.host });
    if (!c.reason) assert.equal(b, undefined);
    else {
      assert.match(b?.reason ?? '', c.reason);
      if (c.fix) assert.match(b?.fix ?? '', c.fix);
    }
  });
}

test('parseBinfmtInvocation: P flag keeps argv[0]; without P it is the path', () => {
  assert.deepEqual(parseBinfmtInvocation(['/usr/bin/ls', 'ls', '-l'], true), { binary: '/usr/bin/ls', argv0: 'ls', args: ['-l'] });
  assert.deepEqual(parseBinfmtInvocation(['/usr/bin/ls', '-l'], false), { binary: '/usr/bin/ls', argv0: '/usr/bin/ls', args: ['-l'] });
  assert.equal(parseBinfmtInvocation(['/usr/bin/ls'], true), undefined);
  assert.equal(parseBinfmtInvocation([], false), undefined);
});
