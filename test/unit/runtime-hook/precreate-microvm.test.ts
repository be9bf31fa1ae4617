/**
 * The precreate hook on a host whose page size is not 4 KiB (a stand-in: host
 * facts given to the plan; krun, libkrun and a 16 KiB kernel do not exist here),
 * over a real config captured from Podman on aarch64 with crun.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import type { InstallState, MicroVmGuestEntry } from '../../../src/emulator/binfmt/install-state.js';
import type { KrunHost } from '../../../src/emulator/microvm/muvm.js';
import { hostExecFs } from '../../../src/runtime-hook/hook/host-fs.js';
import { precreate } from '../../../src/runtime-hook/hook/precreate.js';
import { corpusDir } from '../../helpers/integration.js';
import { binfmtStandIn } from './binfmt-standin.js';
import { TempRoot, elfHeader } from './rootfs-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'fexpod-hook-microvm-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const P = join(dir, 'prefix-fex');
mkdirSync(join(P, 'bin'), { recursive: true });
for (const f of ['FEX', 'FEXServer', 'fexpod-guest-init']) writeFileSync(join(P, 'bin', f), '');

const line = (name: string, magic: string) => `:${name}:M:0:${magic}:\\xff:${P}/bin/FEX:POCF`;
const VM: MicroVmGuestEntry[] = [
  { guest: 'x86_64', prefix: P, interpreter: `${P}/bin/FEX`, registration: line('FEX-x86_64', '\\x3e'), guestInit: `${P}/bin/fexpod-guest-init` },
  { guest: 'i386', prefix: P, interpreter: `${P}/bin/FEX`, registration: line('FEX-x86', '\\x03'), guestInit: `${P}/bin/fexpod-guest-init` },
];
const DISPATCH = { guest: 'x86_64' as const, emulator: 'muvm', entryName: 'FEX-x86_64', registration: ':FEX-x86_64:M:0:x::/var/lib/fexpod/dispatch/fexpod-dispatch:PF', interpreter: '/var/lib/fexpod/dispatch/fexpod-dispatch' };
const STATE: InstallState = { version: 1, registrations: [DISPATCH], disabled: [], persisted: [], microvm: VM };

const text = readFileSync(join(corpusDir(), 'podman-configs', 'aarch64-crun-cgv2-amd64-uname.json'), 'utf8');
function input(image: Arch, rootfs = new TempRoot()): { input: Buffer; r: TempRoot } {
  rootfs.add([{ file: 'usr/bin/uname', bytes: elfHeader(image) }, { link: 'bin', to: 'usr/bin' }]);
  const spec = JSON.parse(text);
  return { input: Buffer.from(text.replace(JSON.stringify(spec.root.path), JSON.stringify(rootfs.root)), 'utf8'), r: rootfs };
}

const usable: KrunHost = { pageSize: 16384, crunFeatures: ['SYSTEMD', 'SELINUX', 'LIBKRUN'], kvm: { present: true, accessible: true } };

function run(image: Arch, vm: KrunHost, state: InstallState = STATE) {
  const { input: i, r } = input(image);
  let asked = 0;
  const log = memoryLogger();
  const res = precreate(i, { fs: hostExecFs(), host: Arch.of('aarch64'), loadState: () => state, binfmt: binfmtStandIn({}).deps, log, microVmHost: () => (asked++, vm) });
  r.remove();
  return { res, input: i, asked, log: log.lines.join('\n') };
}

test('stand-in 16 KiB host, crun +LIBKRUN, /dev/kvm: krun handler, prefix mounted, fexpod-guest-init registers FEX-x86_64 and FEX-x86 first', () => {
  const { res, input: i, log } = run(Arch.of('x86_64'), usable);
  assert.equal(res.outcome, 'edited', log);
  const before = JSON.parse(i.toString('utf8'));
  const out = JSON.parse(Buffer.from(res.output).toString('utf8'));
  assert.equal(out.annotations['run.oci.handler'], 'krun');
  assert.deepEqual(out.process.args, [`${P}/bin/fexpod-guest-init`, '--register', VM[0]?.registration, '--register', VM[1]?.registration, '--interpreter', `${P}/bin/FEX`, '--', 'uname', '-m']);
  assert.deepEqual(out.mounts.slice(before.mounts.length), [{ destination: dirname(P), source: dirname(P), type: 'bind', options: ['bind', 'ro', 'nosuid', 'nodev'] }]);
  assert.deepEqual(out.process.env.slice(before.process.env.length), ['FEX_APP_DATA_LOCATION=/tmp/.fex-emu/']);
  // Nothing else changed.
  delete out.annotations['run.oci.handler'];
  out.process.args = before.process.args;
  out.mounts = before.mounts;
  out.process.env = before.process.env;
  assert.deepEqual(out, before);
});

test('stand-in 64 KiB host without fexpod-guest-init built: the command runs through FEX, args[0] resolved in the rootfs', () => {
  const noInit: InstallState = { ...STATE, microvm: VM.map(({ guestInit: _, ...e }) => e) };
  const { res } = run(Arch.of('x86_64'), { ...usable, pageSize: 65536 }, noInit);
  const out = JSON.parse(Buffer.from(res.output).toString('utf8'));
  assert.deepEqual(out.process.args, [`${P}/bin/FEX`, '/usr/bin/uname', '-m'], 'found on the container\'s PATH, as execvp would');
});

const refusals: { name: string; vm: KrunHost; state?: InstallState; why: RegExp; fix: RegExp }[] = [
  { name: 'crun without +LIBKRUN (crun 1.8 would silently run it natively)', vm: { ...usable, crunFeatures: ['SYSTEMD'] }, why: /krun handler: crun is built without \+LIBKRUN/, fix: /dnf install crun-krun/ },
  { name: 'no crun', vm: { ...usable, crunFeatures: undefined }, why: /crun is not installed/, fix: /crun-krun/ },
  { name: 'no /dev/kvm', vm: { ...usable, kvm: { present: false, accessible: false } }, why: /\/dev\/kvm does not exist/, fix: /modprobe kvm/ },
  { name: '/dev/kvm not accessible (rootless)', vm: { ...usable, kvm: { present: true, accessible: false } }, why: /\/dev\/kvm is not accessible/, fix: /usermod -aG kvm/ },
  { name: 'nothing staged for the microVM', vm: usable, state: { ...STATE, microvm: undefined }, why: /staged no emulator for x86_64 containers in the krun microVM/, fix: /fexpod binfmt install/ },
  { name: 'the microVM prefix is gone', vm: usable, state: { ...STATE, microvm: VM.map((e) => ({ ...e, prefix: join(dir, 'gone') })) }, why: /microVM prefix .*gone is gone/, fix: /fexpod binfmt install/ },
];
for (const c of refusals) {
  test(`stand-in 16 KiB host, ${c.name}: refused at create time, naming the missing piece`, () => {
    const { res, input: i, log } = run(Arch.of('x86_64'), c.vm, c.state);
    assert.equal(res.outcome, 'refused');
    assert.match(res.refusal ?? '', new RegExp(`^fexpod: refusing this container: /usr/bin/uname is x86_64; this host uses \\d+ KiB pages and FEX needs 4 KiB, .*${c.why.source}`));
    assert.match(res.refusal ?? '', new RegExp(`\\n  fix: .*${c.fix.source}`));
    assert.ok(Buffer.from(res.output).equals(i));
    assert.match(log, /refusing this container/);
  });
}

test('stand-in 16 KiB host without krun but with box64 registered on the host: box64 serves (no refusal)', () => {
  const box64 = { guest: 'x86_64' as const, emulator: 'box64', entryName: 'fexpod-box64-x86_64', registration: ':fexpod-box64-x86_64:M:0:x::/usr/bin/box64:F', interpreter: '/usr/bin/box64' };
  const { res, log } = run(Arch.of('x86_64'), { ...usable, crunFeatures: ['SYSTEMD'] }, { ...STATE, registrations: [box64] });
  assert.notEqual(res.outcome, 'refused', log);
});

test('stand-in 16 KiB host, a native arm64 container: untouched, and the microVM facts are never read', () => {
  const { res, input: i, asked } = run(Arch.of('aarch64'), usable);
  assert.equal(res.outcome, 'native');
  assert.ok(Buffer.from(res.output).equals(i));
  assert.equal(asked, 0);
});

test('a 4 KiB host: the usual foreign path, no krun annotation', () => {
  const fex = { guest: 'x86_64' as const, emulator: 'fex', entryName: 'FEX-x86_64', registration: ':FEX-x86_64:M:0:x::/usr/bin/FEX:POCF', interpreter: '/usr/bin/FEX' };
  const { input: i, r } = input(Arch.of('x86_64'));
  const res = precreate(i, { fs: hostExecFs(), host: Arch.of('aarch64'), loadState: () => ({ ...STATE, registrations: [fex] }), binfmt: binfmtStandIn({ 'FEX-x86_64': 'enabled' }).deps, log: memoryLogger(), microVmHost: () => ({ ...usable, pageSize: 4096 }) });
  r.remove();
  const out = JSON.parse(Buffer.from(res.output).toString('utf8'));
  assert.equal(out.annotations['run.oci.handler'], undefined);
  assert.deepEqual(out.process.args, ['uname', '-m']);
});
