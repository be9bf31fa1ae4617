import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/integration.js';
import { gatherDoctorInput } from '../../../src/emulator/doctor/doctor-command.js';
import { buildDoctorReport, type DoctorReport } from '../../../src/emulator/doctor/doctor-report.js';
import { formatDoctorReport } from '../../../src/emulator/doctor/doctor-format.js';
import { parseFexRelease } from '../../../src/emulator/doctor/fex-advice.js';
import type { HostDeps } from '../../../src/emulator/host/host-facts.js';
import { buildElf } from './elf-builder.js';
import { FakeFs, type FakeNode } from './fake-fs.js';
import { fakeDiscoveryDeps, fakeHostDeps } from './fake-host.js';

const A64 = 0xb7;
const auxv = (f: string) => new Uint8Array(readFileSync(join(repoRoot(), 'test', 'fixtures', 'auxv', f)));
const dyn: FakeNode = { bytes: buildElf({ machine: A64, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libc.so.6'] } }), exec: true };
const stat: FakeNode = { bytes: buildElf({ machine: A64, type: 2 }), exec: true };

// Real binfmt_misc entry texts: FEX's upstream x86-64 rule, and Fedora's qemu-x86_64.
const fexEntry = (interp: string) =>
  `enabled\ninterpreter ${interp}\nflags: POCF\noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask fffffffffffefe0000000000fffffffffffeffff\n`;
const qemuX86Entry = 'enabled\ninterpreter /usr/bin/qemu-x86_64-static\nflags: POCF\noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask fffffffffffefe00fffffffffffffffffeffffff\n';
const fexI386 = 'enabled\ninterpreter /usr/bin/FEX\nflags: POCF\noffset 0\nmagic 7f454c4601010100000000000000000002000300\nmask fffffffffffefe0000000000fffffffffffeffff\n';

const PRECREATE_HOOK = JSON.stringify({
  version: '1.0.0',
  hook: { path: '/usr/bin/node', args: ['node', '/usr/lib/fexpod/dist/src/runtime-hook/hook-main.js', 'precreate', '--state', '/var/lib/fexpod/binfmt-state.json'], env: [], timeout: 10 },
  when: { always: true },
  stages: ['precreate'],
});
const noHook = (fs: FakeFs) => {
  fs.files.delete('/etc/fexpod/hooks.d/fexpod-precreate.json');
  return fs;
};
const crunFedora = 'crun version 1.20\n+SYSTEMD +SELINUX +CAP +SECCOMP +EBPF +YAJL\n';
const crunKrun = 'crun version 1.20\n+SYSTEMD +SELINUX +CAP +SECCOMP +EBPF +LIBKRUN +YAJL\n';

/** A Fedora aarch64 host (4 KiB unless the auxv says otherwise). */
function fedora(extra: Record<string, FakeNode> = {}): FakeFs {
  const fs = new FakeFs({
    '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user.auxv') },
    '/proc/filesystems': { bytes: 'nodev\tbinfmt_misc\n' },
    '/proc/sys/fs/binfmt_misc/register': { bytes: '' },
    '/proc/sys/fs/binfmt_misc/status': { bytes: 'enabled\n' },
    '/usr/bin/FEX': dyn,
    '/usr/bin/FEXServer': dyn,
    '/usr/bin/qemu-x86_64-static': stat,
    '/dev/kvm': { bytes: '' },
    // `fexpod hook install`'s layout: a drop-in adding its hooks dir, and the precreate hook.
    '/etc/containers/containers.conf.d/90-fexpod-hooks.conf': { bytes: '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/etc/fexpod/hooks.d"]\n' },
    '/etc/fexpod/hooks.d/fexpod-precreate.json': { bytes: PRECREATE_HOOK },
    ...extra,
  });
  fs.files.get('/proc/sys/fs/binfmt_misc/register')!.mode = 0o666;
  fs.files.get('/dev/kvm')!.mode = 0o666;
  return fs;
}

async function report(fs: FakeFs, over: Partial<HostDeps> = {}, programs: Record<string, string> = {}, dist?: string): Promise<DoctorReport> {
  const host = fakeHostDeps(fs, { uid: 0, ...over }, { crun: '', 'crun --version': crunFedora, podman: '', 'podman --version': 'podman version 5.2.0\n', ...programs });
  const input = await gatherDoctorInput(host, fakeDiscoveryDeps(fs), '/var/lib/fexpod', undefined, dist);
  const r = buildDoctorReport(input);
  JSON.parse(JSON.stringify(r)); // one valid JSON document
  formatDoctorReport(r);
  return r;
}

const has = (r: DoctorReport, re: RegExp, blocking?: boolean) =>
  r.advice.some((a) => (re.test(a.problem) || re.test(a.fix)) && (blocking === undefined || a.blocking === blocking));

/** FEX registered from a fexpod prefix (the healthy case's entries). */
const FEX_PREFIXED: Record<string, FakeNode> = {
  '/proc/sys/fs/binfmt_misc/FEX-x86_64': { bytes: fexEntry('/var/lib/fexpod/prefix/abc/bin/FEX') },
  '/proc/sys/fs/binfmt_misc/FEX-x86': { bytes: fexI386.replace('/usr/bin/FEX', '/var/lib/fexpod/prefix/abc/bin/FEX') },
  '/var/lib/fexpod/prefix/abc/bin/FEX': dyn,
};
/** The first bytes of an EroFS image (superblock magic at 1024) and of a SquashFS 4.0 one. */
const EROFS = (() => {
  const b = new Uint8Array(4096);
  new DataView(b.buffer).setUint32(1024, 0xe0f5e1e2, true);
  return b;
})();
const SQUASHFS = (() => {
  const b = new Uint8Array(96);
  b.set(new TextEncoder().encode('hsqs'), 0);
  new DataView(b.buffer).setUint16(28, 4, true);
  return b;
})();

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A 16 KiB host whose krun prefix /p was staged from a fexpod-guest-init with these bytes; this fexpod's holds "new guest init". */
function microvmStaged(stagedFrom: string): Record<string, FakeNode> {
  const sha = sha256(stagedFrom);
  return {
    '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/muvm': dyn, '/usr/bin/crun': dyn,
    '/usr/lib/node_modules/fexpod/dist/native/fexpod-guest-init': { bytes: 'new guest init', exec: true },
    '/p/fexpod-prefix.json': { bytes: JSON.stringify({ layout: 1, files: [{ path: 'bin/FEX', mode: 365, sourceSha256: sha256(dyn.bytes ?? ''), sha256: 'e'.repeat(64) }, { path: 'bin/fexpod-guest-init', mode: 365, sourceSha256: sha, sha256: 'd'.repeat(64) }] }) },
    '/var/lib/fexpod/binfmt-state.json': { bytes: JSON.stringify({ version: 1, registrations: [], disabled: [], persisted: [], microvm: [{ guest: 'x86_64', prefix: '/p', interpreter: '/p/bin/FEX', registration: ':FEX-x86_64:M::x::/p/bin/FEX:POCF', guestInit: '/p/bin/fexpod-guest-init' }] }) },
  };
}

/** A rootless install (HOME=/home/u) whose prefix holds bin/FEX staged from a source with these bytes. */
function userStaged(stagedFrom: string | Uint8Array): Record<string, FakeNode> {
  const prefix = '/home/u/.local/share/fexpod/prefix/abc';
  return {
    [`${prefix}/bin/FEX`]: dyn,
    [`${prefix}/fexpod-prefix.json`]: { bytes: JSON.stringify({ layout: 1, files: [{ path: 'bin/FEX', mode: 365, sourceSha256: sha256(stagedFrom), sha256: 'e'.repeat(64) }] }) },
    '/home/u/.local/share/fexpod/binfmt-state.json': { bytes: JSON.stringify({ version: 1, disabled: [], persisted: [], registrations: [{ guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: `:FEX-x86_64:M::x:y:${prefix}/bin/FEX:POCF`, interpreter: `${prefix}/bin/FEX`, prefix }] }) },
  };
}

interface Case {
  name: string;
  fs: () => FakeFs;
  over?: Partial<HostDeps>;
  programs?: Record<string, string>;
  /** The installation's dist/ (where fexpod-guest-init is looked for). */
  dist?: string;
  healthy: boolean;
  advice?: { re: RegExp; blocking?: boolean }[];
  noAdvice?: RegExp[];
  check?: (r: DoctorReport) => void;
}

const cases: Case[] = [
  {
    name: 'healthy Fedora aarch64 with FEX registered from a fexpod prefix',
    fs: () =>
      fedora({
        '/proc/sys/fs/binfmt_misc/FEX-x86_64': { bytes: fexEntry('/var/lib/fexpod/prefix/abc/bin/FEX') },
        '/proc/sys/fs/binfmt_misc/FEX-x86': { bytes: fexI386.replace('/usr/bin/FEX', '/var/lib/fexpod/prefix/abc/bin/FEX') },
        '/var/lib/fexpod/prefix/abc/bin/FEX': dyn,
        '/usr/bin/crun': dyn,
      }),
    healthy: true,
    noAdvice: [/dynamically linked/],
    check: (r) => {
      assert.equal(r.hostArch, 'aarch64');
      assert.equal(r.routes.find((x) => x.guest === 'x86_64' && x.purpose === 'container')?.emulator, 'fex');
      assert.equal(r.binfmt.entries.find((e) => e.name === 'FEX-x86_64')?.inPrefix, true);
      assert.deepEqual(r.conflicts, []);
      assert.ok(!r.emulators.some((e) => e.id === 'krun'), 'crun without +LIBKRUN is not listed as an emulator');
      assert.deepEqual(r.podman?.fexpodHooks, [{ path: '/etc/fexpod/hooks.d/fexpod-precreate.json', stages: ['precreate'] }]);
      assert.deepEqual(r.podman?.hooks.dirs, ['/usr/share/containers/oci/hooks.d', '/etc/fexpod/hooks.d']);
    },
  },
  {
    name: 'a prefix from another --state-dir still counts as a prefix (no ENOENT warning)',
    fs: () => {
      const p = `/srv/fexpod/prefix/${'a'.repeat(64)}/bin/FEX`;
      return fedora({ '/proc/sys/fs/binfmt_misc/FEX-x86_64': { bytes: fexEntry(p) }, '/proc/sys/fs/binfmt_misc/FEX-x86': { bytes: fexI386.replace('/usr/bin/FEX', p) }, [p]: dyn });
    },
    healthy: true,
    noAdvice: [/dynamically linked/],
  },
  {
    name: 'FEX registered from a prefix but no fexpod hook in Podman\'s hooks dirs → blocking, sudo fexpod hook install',
    fs: () => noHook(fedora({ '/proc/sys/fs/binfmt_misc/FEX-x86_64': { bytes: fexEntry('/var/lib/fexpod/prefix/abc/bin/FEX') }, '/var/lib/fexpod/prefix/abc/bin/FEX': dyn })),
    healthy: false,
    advice: [{ re: /hold no fexpod precreate hook: the emulator prefix is not mounted/, blocking: true }, { re: /sudo fexpod hook install/ }],
  },
  {
    name: 'static QEMU registered and no fexpod hook → informational',
    fs: () => noHook(fedora({ '/proc/sys/fs/binfmt_misc/qemu-x86_64': { bytes: qemuX86Entry } })),
    healthy: true,
    advice: [{ re: /only work with static emulators/, blocking: false }],
  },
  {
    name: 'binfmt_misc not mounted → blocking, with the mount command',
    fs: () => {
      const fs = fedora();
      fs.files.delete('/proc/sys/fs/binfmt_misc/register');
      return fs;
    },
    healthy: false,
    advice: [{ re: /mount -t binfmt_misc binfmt_misc \/proc\/sys\/fs\/binfmt_misc/, blocking: true }],
  },
  {
    name: 'rootless, not writable, nothing registered → explains and says sudo fexpod binfmt install',
    fs: () => {
      const fs = fedora();
      fs.files.get('/proc/sys/fs/binfmt_misc/register')!.mode = 0o200;
      return fs;
    },
    over: { uid: 1000 },
    healthy: false,
    advice: [{ re: /not writable as uid 1000 \(rootless\)/, blocking: true }, { re: /sudo fexpod binfmt install/ }],
  },
  {
    name: 'rootless, not writable, entries present → informational only',
    fs: () => {
      const fs = fedora({ '/proc/sys/fs/binfmt_misc/qemu-x86_64': { bytes: qemuX86Entry }, '/proc/sys/fs/binfmt_misc/FEX-x86': { bytes: fexI386 } });
      fs.files.get('/proc/sys/fs/binfmt_misc/register')!.mode = 0o200;
      return fs;
    },
    over: { uid: 1000 },
    healthy: true,
    advice: [{ re: /existing entries work for every user/, blocking: false }],
  },
  {
    name: 'conflict: FEX-x86_64 and qemu-x86_64 both catch x86_64; dynamic FEX outside a prefix warned',
    fs: () => fedora({ '/proc/sys/fs/binfmt_misc/FEX-x86_64': { bytes: fexEntry('/usr/bin/FEX') }, '/proc/sys/fs/binfmt_misc/qemu-x86_64': { bytes: qemuX86Entry } }),
    healthy: true,
    advice: [{ re: /FEX-x86_64, qemu-x86_64 all catch x86_64/ }, { re: /dynamically linked \/usr\/bin\/FEX.*ENOENT/ }],
    check: (r) => assert.deepEqual(r.conflicts, [{ guest: 'x86_64', entries: ['FEX-x86_64', 'qemu-x86_64'] }]),
  },
  {
    name: 'no emulator for x86_64 → blocking with dnf install fex-emu',
    fs: () => {
      const fs = fedora();
      for (const p of ['/usr/bin/FEX', '/usr/bin/FEXServer', '/usr/bin/qemu-x86_64-static']) fs.files.delete(p);
      return fs;
    },
    healthy: false,
    advice: [{ re: /no usable emulator for x86_64/, blocking: true }, { re: /sudo dnf install fex-emu/ }],
  },
  {
    name: 'stand-in 16 KiB host (qemu -p 16384 auxv), no muvm, crun without +LIBKRUN',
    fs: () => fedora({ '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/crun': dyn }),
    healthy: false,
    // QEMU static serves x86-64 here, so the microVM gaps are warnings, not blockers.
    advice: [{ re: /sudo dnf install muvm/, blocking: false }, { re: /without \+LIBKRUN/, blocking: false }, { re: /crun-krun/ }],
    check: (r) => {
      assert.equal(r.pageSize.bytes, 16384);
      const route = r.routes.find((x) => x.guest === 'x86_64' && x.purpose === 'container');
      assert.ok(route?.rejected.some((x) => x.id === 'fex' && /needs 4 KiB/.test(x.reason)));
    },
  },
  {
    name: 'stand-in 16 KiB host, no QEMU, crun without +LIBKRUN, as root: containers blocked, programs explained for a regular user',
    fs: () => {
      const fs = fedora({ '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/crun': dyn, '/usr/bin/muvm': dyn });
      fs.files.delete('/usr/bin/qemu-x86_64-static');
      return fs;
    },
    healthy: false,
    advice: [{ re: /x86_64 containers cannot run .*without \+LIBKRUN/, blocking: true }],
    noAdvice: [/muvm refuses/, /host processes cannot run/],
    check: (r) => {
      assert.equal(r.summary?.process.via, 'muvm');
      assert.equal(r.summary?.container.via, undefined);
      assert.match(r.summary?.sentence ?? '', /^on this host an x86-64 program runs via muvm \+ FEX \(a 4 KiB microVM\), an amd64 container cannot run, because this host uses 16 KiB pages/);
      assert.match(formatDoctorReport(r), /in short .*\(programs: as a regular user in the kvm group; muvm refuses root\)/);
    },
  },
  {
    name: 'stand-in 16 KiB host with muvm and crun +LIBKRUN: user processes via muvm, containers via krun',
    fs: () => fedora({ '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/muvm': dyn, '/usr/bin/crun': dyn }),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    healthy: true,
    noAdvice: [/sudo dnf install muvm/, /LIBKRUN/],
    check: (r) => {
      assert.equal(r.routes.find((x) => x.guest === 'x86_64' && x.purpose === 'process')?.emulator, 'muvm');
      assert.equal(r.routes.find((x) => x.guest === 'x86_64' && x.purpose === 'container')?.emulator, 'krun');
      assert.ok(r.emulators.some((e) => e.id === 'krun'));
    },
  },
  {
    name: 'SELinux enforcing and prefix labelled var_lib_t → blocking, semanage + restorecon',
    fs: () => fedora({ '/sys/fs/selinux/enforce': { bytes: '1\n' }, '/var/lib/fexpod/prefix/x': { bytes: '' } }),
    programs: { 'stat -c %C /var/lib/fexpod/prefix': 'system_u:object_r:var_lib_t:s0\n' },
    healthy: false,
    advice: [{ re: /labelled system_u:object_r:var_lib_t:s0/, blocking: true }, { re: /semanage fcontext -a -t container_ro_file_t '\/var\/lib\/fexpod\/prefix\(\/\.\*\)\?' && sudo restorecon -R/ }],
  },
  {
    name: 'SELinux enforcing and prefix labelled container_ro_file_t → fine',
    fs: () => fedora({ '/sys/fs/selinux/enforce': { bytes: '1\n' }, '/var/lib/fexpod/prefix/x': { bytes: '' }, '/proc/sys/fs/binfmt_misc/qemu-x86_64': { bytes: qemuX86Entry } }),
    programs: { 'stat -c %C /var/lib/fexpod/prefix': 'system_u:object_r:container_ro_file_t:s0\n' },
    healthy: true,
    noAdvice: [/labelled/],
    check: (r) => assert.equal(r.selinux.prefixLabel, 'system_u:object_r:container_ro_file_t:s0'),
  },
  {
    name: 'install state names a prefix that is gone → blocking',
    fs: () =>
      fedora({
        '/proc/sys/fs/binfmt_misc/qemu-x86_64': { bytes: qemuX86Entry },
        '/var/lib/fexpod/binfmt-state.json': {
          bytes: JSON.stringify({ version: 1, registrations: [{ guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: ':FEX-x86_64:M::x:y:/p/bin/FEX:POCF', interpreter: '/var/lib/fexpod/prefix/gone/bin/FEX', prefix: '/var/lib/fexpod/prefix/gone' }], disabled: [], persisted: [] }),
        },
      }),
    healthy: false,
    advice: [{ re: /prefix\/gone recorded by fexpod is missing/, blocking: true }],
    check: (r) => assert.equal(r.installed?.registrations[0]?.entryName, 'FEX-x86_64'),
  },
  {
    name: 'stand-in 16 KiB host, krun usable, but the install state stages nothing for the microVM → blocking',
    fs: () => fedora({
      '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/muvm': dyn, '/usr/bin/crun': dyn,
      '/var/lib/fexpod/binfmt-state.json': { bytes: JSON.stringify({ version: 1, registrations: [], disabled: [], persisted: [], masks: [{ path: '/etc/binfmt.d/x.conf', source: '/usr/lib/binfmt.d/x.conf', movedAside: false, entries: [] }] }) },
    }),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    healthy: false,
    advice: [{ re: /x86_64 containers need FEX staged for the krun microVM/, blocking: true }],
  },
  {
    name: 'stand-in 16 KiB host, microVM staged without fexpod-guest-init → warning about argv[0]; doctor lists it',
    fs: () => fedora({
      '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/muvm': dyn, '/usr/bin/crun': dyn,
      '/var/lib/fexpod/binfmt-state.json': { bytes: JSON.stringify({ version: 1, registrations: [], disabled: [], persisted: [], microvm: [{ guest: 'x86_64', prefix: '/p', interpreter: '/p/bin/FEX', registration: ':FEX-x86_64:M::x::/p/bin/FEX:POCF' }] }) },
    }),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    healthy: true,
    advice: [{ re: /fexpod-guest-init was not built/, blocking: false }],
    check: (r) => assert.match(formatDoctorReport(r), /krun microVM: x86_64 → \/p\/bin\/FEX, run directly \(no fexpod-guest-init\)/),
  },
  {
    name: 'stand-in 16 KiB host after a fexpod update: the krun prefix holds another fexpod-guest-init than this fexpod\'s → warning, sudo fexpod binfmt refresh',
    fs: () => fedora(microvmStaged('old guest init')),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    dist: '/usr/lib/node_modules/fexpod/dist',
    healthy: true,
    advice: [{ re: /^the krun microVM prefix \/p holds another fexpod-guest-init than this fexpod's \/usr\/lib\/node_modules\/fexpod\/dist\/native\/fexpod-guest-init \(fexpod was updated since it was staged\): containers start with the old one$/, blocking: false }, { re: /^sudo fexpod binfmt refresh$/ }],
  },
  {
    name: 'stand-in 16 KiB host: the krun prefix was staged from this fexpod\'s fexpod-guest-init → no warning',
    fs: () => fedora(microvmStaged('new guest init')),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    dist: '/usr/lib/node_modules/fexpod/dist',
    healthy: true,
    noAdvice: [/another fexpod-guest-init/, /staged from another build/],
  },
  {
    name: 'FEX was updated after it was staged (the prefix\'s manifest records another source) → warning, sudo fexpod binfmt refresh',
    fs: () => fedora({
      ...FEX_PREFIXED,
      '/var/lib/fexpod/prefix/abc/fexpod-prefix.json': { bytes: JSON.stringify({ layout: 1, files: [{ path: 'bin/FEX', mode: 365, sourceSha256: sha256('the FEX before the update'), sha256: 'e'.repeat(64) }] }) },
      '/var/lib/fexpod/binfmt-state.json': { bytes: JSON.stringify({ version: 1, disabled: [], persisted: [], registrations: ['x86_64', 'i386'].map((guest) => ({ guest, emulator: 'fex', entryName: guest === 'i386' ? 'FEX-x86' : 'FEX-x86_64', registration: ':FEX-x86_64:M::x:y:/var/lib/fexpod/prefix/abc/bin/FEX:POCF', interpreter: '/var/lib/fexpod/prefix/abc/bin/FEX', prefix: '/var/lib/fexpod/prefix/abc' })) }) },
    }),
    healthy: true,
    advice: [{ re: /^the emulator prefix \/var\/lib\/fexpod\/prefix\/abc holds bin\/FEX staged from another build of \/usr\/bin\/FEX \(it was updated since\): x86_64, i386 programs and containers still run the old one$/, blocking: false }, { re: /^sudo fexpod binfmt refresh$/ }],
  },
  {
    name: 'rootless: FEX was updated after `binfmt install --user` staged it → warning, the user re-runs the install (no sudo)',
    fs: () => fedora(userStaged('the FEX before the update')),
    over: { uid: 1000 },
    healthy: false, // this fake host has no working rootless route (subids, newuidmap): not the point here
    advice: [
      { re: /^your rootless install's prefix \/home\/u\/\.local\/share\/fexpod\/prefix\/abc holds bin\/FEX staged from another build of \/usr\/bin\/FEX \(it was updated since\): your x86_64 containers still run the old one$/, blocking: false },
      { re: /^fexpod binfmt install --user --guest x86_64 --emulator fex \(as yourself, no sudo: stages it again\)$/ },
    ],
    noAdvice: [/sudo fexpod binfmt refresh/],
  },
  {
    name: 'rootless: the user\'s prefix was staged from the installed FEX → no staleness warning',
    fs: () => fedora(userStaged(dyn.bytes ?? '')),
    over: { uid: 1000 },
    healthy: false, // as above
    noAdvice: [/staged from another build/],
  },
  {
    name: 'FEX staged from the installed build → no staleness warning',
    fs: () => fedora({
      ...FEX_PREFIXED,
      '/var/lib/fexpod/prefix/abc/fexpod-prefix.json': { bytes: JSON.stringify({ layout: 1, files: [{ path: 'bin/FEX', mode: 365, sourceSha256: sha256(dyn.bytes ?? ''), sha256: 'e'.repeat(64) }] }) },
      '/var/lib/fexpod/binfmt-state.json': { bytes: JSON.stringify({ version: 1, disabled: [], persisted: [], registrations: [{ guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: ':FEX-x86_64:M::x:y:/var/lib/fexpod/prefix/abc/bin/FEX:POCF', interpreter: '/var/lib/fexpod/prefix/abc/bin/FEX', prefix: '/var/lib/fexpod/prefix/abc' }] }) },
    }),
    healthy: true,
    noAdvice: [/staged from another build/],
    check: (r) => assert.equal(r.installed?.registrations.length, 1),
  },
  {
    name: 'packaged layout: fexpod-guest-init found in the package\'s libexec (not built into dist/)',
    fs: () => fedora({ '/usr/libexec/fexpod/fexpod-guest-init': dyn }),
    dist: '/usr/lib/node_modules/fexpod/dist/',
    healthy: false, // nothing registered yet
    noAdvice: [/fexpod-guest-init/],
    check: (r) => {
      assert.equal(r.guestInit, '/usr/libexec/fexpod/fexpod-guest-init');
      assert.match(formatDoctorReport(r), /^guest init {4}\/usr\/libexec\/fexpod\/fexpod-guest-init$/m);
    },
  },
  {
    name: 'stand-in 16 KiB host, krun usable, nothing installed and no fexpod-guest-init anywhere → warning before install',
    fs: () => fedora({ '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/muvm': dyn, '/usr/bin/crun': dyn }),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    dist: '/usr/lib/node_modules/fexpod/dist',
    healthy: true,
    advice: [{ re: /fexpod-guest-init was not built/, blocking: false }],
    check: (r) => {
      assert.equal(r.guestInit, null);
      assert.match(formatDoctorReport(r), /^guest init {4}not built/m);
    },
  },
  {
    name: 'FEX\'s RootFS is an EroFS image (global Config.json) and erofsfuse is not on PATH → warning naming erofs-fuse',
    fs: () => fedora({ ...FEX_PREFIXED, '/usr/share/fex-emu/Config.json': { bytes: '{"Config":{"RootFS":"default.erofs"}}' }, '/usr/share/fex-emu/RootFS/default.erofs': { bytes: EROFS } }),
    healthy: true,
    advice: [{ re: /^FEX's RootFS \/usr\/share\/fex-emu\/RootFS\/default\.erofs \(named by \/usr\/share\/fex-emu\/Config\.json\) is an EroFS image and erofsfuse is not on PATH/, blocking: false }, { re: /^sudo dnf install erofs-fuse$/ }],
    check: (r) => {
      assert.deepEqual(r.fex?.rootfs, { value: 'default.erofs', source: '/usr/share/fex-emu/Config.json', path: '/usr/share/fex-emu/RootFS/default.erofs', kind: 'erofs' });
      assert.match(formatDoctorReport(r), /^FEX RootFS {4}\/usr\/share\/fex-emu\/RootFS\/default\.erofs \(erofs\), named by \/usr\/share\/fex-emu\/Config\.json; erofsfuse not found/m);
    },
  },
  {
    name: 'the same EroFS RootFS with erofsfuse on PATH → no FUSE warning',
    fs: () => fedora({ ...FEX_PREFIXED, '/usr/share/fex-emu/Config.json': { bytes: '{"Config":{"RootFS":"default.erofs"}}' }, '/usr/share/fex-emu/RootFS/default.erofs': { bytes: EROFS } }),
    programs: { erofsfuse: '' },
    healthy: true,
    noAdvice: [/erofsfuse|squashfuse/],
  },
  {
    name: 'the user\'s Config.json names a SquashFS image and squashfuse is missing → warning naming squashfuse',
    fs: () => fedora({ ...FEX_PREFIXED, '/home/u/.config/fex-emu/Config.json': { bytes: '{"Config":{"RootFS":"fedora.sqfs"}}' }, '/home/u/.local/share/fex-emu/RootFS/fedora.sqfs': { bytes: SQUASHFS } }),
    programs: { erofsfuse: '' },
    healthy: true,
    advice: [{ re: /^FEX's RootFS \/home\/u\/\.local\/share\/fex-emu\/RootFS\/fedora\.sqfs \(named by \/home\/u\/\.config\/fex-emu\/Config\.json\) is a SquashFS image and squashfuse is not on PATH/ }, { re: /sudo dnf install squashfuse/ }],
  },
  {
    name: 'a directory RootFS needs no FUSE mounter',
    fs: () => fedora({ ...FEX_PREFIXED, '/usr/share/fex-emu/Config.json': { bytes: '{"Config":{"RootFS":"Fedora_42"}}' }, '/usr/share/fex-emu/RootFS/Fedora_42/usr/bin/bash': { bytes: 'x' } }),
    healthy: true,
    noAdvice: [/erofsfuse|squashfuse/],
    check: (r) => assert.equal(r.fex?.rootfs?.kind, 'directory'),
  },
  {
    name: 'stand-in 16 KiB host: muvm mounts the EroFS itself → no erofsfuse warning',
    fs: () => fedora({ '/proc/self/auxv': { bytes: auxv('aarch64-qemu-user-p16384.auxv') }, '/usr/bin/muvm': dyn, '/usr/bin/crun': dyn, '/usr/share/fex-emu/Config.json': { bytes: '{"Config":{"RootFS":"default.erofs"}}' }, '/usr/share/fex-emu/RootFS/default.erofs': { bytes: EROFS } }),
    over: { uid: 1000 },
    programs: { 'crun --version': crunKrun },
    healthy: true,
    noAdvice: [/erofsfuse/],
  },
  {
    name: 'SVE default vector length 512 bits with FEX-2507.1 → warning with the workaround',
    fs: () => fedora({ ...FEX_PREFIXED, '/proc/sys/abi/sve_default_vector_length': { bytes: '64\n' } }),
    programs: { 'FEXServer --version': 'FEX-Emu (FEX-2507.1) \n' },
    healthy: true,
    advice: [
      { re: /^SVE's default vector length is 512 bits \(\/proc\/sys\/abi\/sve_default_vector_length = 64\), and FEX-2507\.1 computes wrong results in x86 vector code above 256 bits: x86 programs abort with "free\(\): invalid pointer"/, blocking: false },
      { re: /^run x86 programs with FEX_HOSTFEATURES=disablesve, or set a 256-bit default: echo 32 \| sudo tee \/proc\/sys\/abi\/sve_default_vector_length/ },
    ],
    check: (r) => assert.match(formatDoctorReport(r), /^SVE {11}default vector length 512 bits$/m),
  },
  {
    name: 'SVE at 256 bits with FEX-2507.1 → no SVE warning',
    fs: () => fedora({ ...FEX_PREFIXED, '/proc/sys/abi/sve_default_vector_length': { bytes: '32\n' } }),
    programs: { 'FEXServer --version': 'FEX-Emu (FEX-2507.1) \n' },
    healthy: true,
    noAdvice: [/vector length/],
  },
  {
    name: 'SVE at 512 bits, FEX built without a version (FEXServer --version: "FEX-Emu ()", as the lab\'s FEX-2507.1 from a tarball) → the warning, saying the release is unknown',
    fs: () => fedora({ ...FEX_PREFIXED, '/proc/sys/abi/sve_default_vector_length': { bytes: '64\n' } }),
    programs: { 'FEXServer --version': 'FEX-Emu () \n', 'FEX --version': 'FEX-Emu (FEX-2604) \n' },
    healthy: true,
    advice: [{ re: /^SVE's default vector length is 512 bits .*FEX's release is unknown \(FEXServer --version: "FEX-Emu \(\)"\) and FEX releases up to FEX-2507\.1 compute wrong results/ }],
  },
  {
    name: 'SVE at 512 bits with a later FEX (2604) → no SVE warning',
    fs: () => fedora({ ...FEX_PREFIXED, '/proc/sys/abi/sve_default_vector_length': { bytes: '64\n' } }),
    programs: { 'FEXServer --version': 'FEX-Emu (FEX-2604) \n' },
    healthy: true,
    noAdvice: [/vector length/],
  },
];

for (const c of cases) {
  test(`doctor: ${c.name}`, async () => {
    const r = await report(c.fs(), c.over, c.programs, c.dist);
    const lines = r.advice.map((a) => `${a.severity}${a.blocking ? '!' : ''} ${a.problem} | ${a.fix}`).join('\n');
    assert.equal(r.healthy, c.healthy, lines);
    for (const a of c.advice ?? []) assert.ok(has(r, a.re, a.blocking), `${a.re} (blocking=${a.blocking}) not in:\n${lines}`);
    for (const re of c.noAdvice ?? []) assert.ok(!has(r, re), `${re} unexpectedly in:\n${lines}`);
    c.check?.(r);
  });
}

const releases = [
  { text: 'FEX-Emu (FEX-2507.1) ', want: { release: 2507, patch: 1, label: 'FEX-2507.1', later: false } },
  { text: 'FEX-Emu (FEX-2604) ', want: { release: 2604, patch: 0, label: 'FEX-2604', later: false } },
  { text: 'FEX-Emu (FEX-2507.1-23-gabc1234) ', want: { release: 2507, patch: 1, label: 'FEX-2507.1-23-gabc1234', later: true } },
  { text: 'FEX-Emu (FEX-Unknown) ', want: undefined },
];
for (const c of releases) {
  test(`parseFexRelease: ${c.text.trim()}`, () => assert.deepEqual(parseFexRelease(c.text), c.want));
}
