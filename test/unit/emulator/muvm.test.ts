/**
 * muvm, krun and a 16 KiB kernel do not exist on this machine: these tests
 * drive the dispatcher's decisions with host facts that say they do. Every
 * non-4k case is a stand-in and named so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { muvmArgv, needsMicroVm, parseBinfmtInvocation, planContainer, planProcess, type DispatchHost } from '../../../src/emulator/muvm.js';

const base: DispatchHost = {
  pageSize: 4096,
  uid: 1000,
  kvm: { present: true, accessible: true },
  crunFeatures: ['SYSTEMD', 'SELINUX'],
  muvm: '/usr/bin/muvm',
  fex: '/usr/bin/FEX',
};
const req = { binary: '/home/u/game.x86_64', args: ['--windowed', 'a b'] };

test('needsMicroVm: only 4 KiB runs FEX directly', () => {
  assert.equal(needsMicroVm(4096), false);
  assert.equal(needsMicroVm(16384), true);
  assert.equal(needsMicroVm(65536), true);
});

test('muvmArgv: images in order, env sorted, "--" before FEX', () => {
  assert.deepEqual(muvmArgv('/usr/bin/muvm', '/usr/bin/FEX', { ...req, images: ['/r/default.erofs', '/r/mesa.erofs'], env: { Z: '1', A: 'x=y' } }), [
    '/usr/bin/muvm', '-f', '/r/default.erofs', '-f', '/r/mesa.erofs', '-e', 'A=x=y', '-e', 'Z=1', '--', '/usr/bin/FEX', '/home/u/game.x86_64', '--windowed', 'a b',
  ]);
});

const processCases: { name: string; host: Partial<DispatchHost>; route: string; argv0?: string; reason?: RegExp; fix?: RegExp }[] = [
  { name: '4 KiB host runs FEX directly', host: {}, route: 'direct', argv0: '/usr/bin/FEX' },
  { name: 'stand-in 16 KiB host as a user → muvm', host: { pageSize: 16384 }, route: 'muvm', argv0: '/usr/bin/muvm' },
  { name: 'stand-in 16 KiB host as root → refused', host: { pageSize: 16384, uid: 0 }, route: 'unavailable', reason: /refuses to run as root/ },
  { name: 'stand-in 16 KiB host, setuid (euid 0) → refused', host: { pageSize: 16384, euid: 0 }, route: 'unavailable', reason: /refuses to run as root/ },
  { name: 'stand-in 16 KiB host without muvm', host: { pageSize: 16384, muvm: undefined }, route: 'unavailable', fix: /sudo dnf install muvm/ },
  { name: 'stand-in 16 KiB host without /dev/kvm', host: { pageSize: 16384, kvm: { present: false, accessible: false } }, route: 'unavailable', reason: /\/dev\/kvm does not exist/ },
  { name: 'stand-in 16 KiB host, /dev/kvm not ours', host: { pageSize: 16384, kvm: { present: true, accessible: false } }, route: 'unavailable', fix: /kvm group/ },
  { name: 'no FEX at all', host: { fex: undefined }, route: 'unavailable', fix: /fex-emu/ },
];
for (const c of processCases) {
  test(`planProcess: ${c.name}`, () => {
    const p = planProcess({ ...base, ...c.host }, req);
    assert.equal(p.route, c.route);
    if (p.route !== 'unavailable') assert.equal(p.argv[0], c.argv0);
    else {
      if (c.reason) assert.match(p.reason, c.reason);
      if (c.fix) assert.match(p.fix, c.fix);
    }
  });
}

const containerCases: { name: string; host: Partial<DispatchHost>; route: string; reason?: RegExp }[] = [
  { name: '4 KiB host: no handler', host: {}, route: 'direct' },
  { name: 'stand-in 16 KiB host, crun +LIBKRUN, /dev/kvm → krun annotation', host: { pageSize: 16384, crunFeatures: ['SYSTEMD', 'LIBKRUN'] }, route: 'krun' },
  { name: 'stand-in 16 KiB host, crun 1.8 without +LIBKRUN → never annotate blindly', host: { pageSize: 16384 }, route: 'unavailable', reason: /silently ignores/ },
  { name: 'stand-in 16 KiB host, no crun', host: { pageSize: 16384, crunFeatures: undefined }, route: 'unavailable', reason: /crun is not installed/ },
  { name: 'stand-in 16 KiB host, +LIBKRUN but no /dev/kvm', host: { pageSize: 16384, crunFeatures: ['LIBKRUN'], kvm: { present: false, accessible: false } }, route: 'unavailable', reason: /kvm/ },
];
for (const c of containerCases) {
  test(`planContainer: ${c.name}`, () => {
    const p = planContainer({ ...base, ...c.host });
    assert.equal(p.route, c.route);
    if (p.route === 'krun') assert.deepEqual(p.annotations, { 'run.oci.handler': 'krun' });
    if (p.route === 'direct') assert.deepEqual(p.annotations, {});
    if (p.route === 'unavailable' && c.reason) assert.match(p.reason, c.reason);
  });
}

test('parseBinfmtInvocation: P flag keeps argv[0]; without P it is the path', () => {
  assert.deepEqual(parseBinfmtInvocation(['/usr/bin/ls', 'ls', '-l'], true), { binary: '/usr/bin/ls', argv0: 'ls', args: ['-l'] });
  assert.deepEqual(parseBinfmtInvocation(['/usr/bin/ls', '-l'], false), { binary: '/usr/bin/ls', argv0: '/usr/bin/ls', args: ['-l'] });
  assert.equal(parseBinfmtInvocation(['/usr/bin/ls'], true), undefined);
  assert.equal(parseBinfmtInvocation([], false), undefined);
});
