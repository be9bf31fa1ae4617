import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import type { InstallState, InstalledRegistration } from '../../../src/emulator/binfmt/install-state.js';
import { hostExecFs } from '../../../src/runtime-hook/hook/host-fs.js';
import { precreate } from '../../../src/runtime-hook/hook/precreate.js';
import { FEX_CONTAINER_DATA_DIR, fexServerSocketName } from '../../../src/runtime-hook/fex/fex-env.js';
import { corpusDir } from '../../helpers/integration.js';
import { binfmtStandIn } from './binfmt-standin.js';
import { TempRoot, elfHeader } from './rootfs-fixture.js';

const configs = join(corpusDir(), 'podman-configs');

// Real directories for the prefixes: the hook refuses to mount a prefix that is gone.
const prefixes = mkdtempSync(join(tmpdir(), 'fexpod-hook-prefixes-'));
after(() => rmSync(prefixes, { recursive: true, force: true }));
const QEMU_PREFIX = join(prefixes, 'qemu-aarch64-0123');
const FEX_PREFIX = join(prefixes, 'fex-abcd');
for (const f of [join(QEMU_PREFIX, 'bin', 'qemu-aarch64'), join(FEX_PREFIX, 'bin', 'FEX'), join(FEX_PREFIX, 'bin', 'FEXServer')]) {
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, '');
}

const QEMU_AARCH64: InstalledRegistration = {
  guest: 'aarch64',
  emulator: 'qemu-user',
  entryName: 'fexpod-qemu-aarch64',
  registration: `:fexpod-qemu-aarch64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:${QEMU_PREFIX}/bin/qemu-aarch64:F`,
  interpreter: `${QEMU_PREFIX}/bin/qemu-aarch64`,
  prefix: QEMU_PREFIX,
};
// Stand-in for a FEX installation: FEX does not exist on this machine; the
// registration is shaped like the one `fexpod binfmt install` records for it.
const FEX_X86_64: InstalledRegistration = {
  guest: 'x86_64',
  emulator: 'fex',
  entryName: 'FEX-x86_64',
  registration: `:FEX-x86_64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x3e\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\x00\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:${FEX_PREFIX}/bin/FEX:POCF`,
  interpreter: `${FEX_PREFIX}/bin/FEX`,
  prefix: FEX_PREFIX,
  env: { FEX_TSOENABLED: '1' },
};
const STATE: InstallState = { version: 1, registrations: [QEMU_AARCH64, FEX_X86_64], disabled: [], persisted: [] };

/** A capture with its root.path pointing at a temp rootfs holding args[0] for `imageArch`. */
function fixture(name: string, imageArch: Arch) {
  const text = readFileSync(join(configs, name), 'utf8');
  const spec = JSON.parse(text);
  const r = new TempRoot();
  const elf = elfHeader(imageArch);
  for (const p of ['bin/uname', 'bin/true', 'bin/sh']) r.add([{ file: p, bytes: elf }]);
  const input = Buffer.from(text.replace(JSON.stringify(spec.root.path), JSON.stringify(r.root)), 'utf8');
  return { input, r };
}

interface Case {
  name: string;
  file: string;
  host: string;
  image: string;
  state?: InstallState | undefined;
  binfmt?: Parameters<typeof binfmtStandIn>;
  want: 'native' | 'unchanged' | 'edited';
  mounts?: string[];
  /** NAME=value, or a function of the fixture's root path. */
  env?: (string | ((root: string) => string))[];
  /** personality() values the added seccomp rules allow (none when absent). */
  personality?: number[];
  registered?: boolean;
}

// FEX's values (READ_IMPLIES_EXEC with each persona Podman allows, and the 64-bit query); see fex/personality-rule.ts.
const FEX_PERSONALITY = [0x400000, 0x400008, 0x420000, 0x420008, 2 ** 64];

const cases: Case[] = [
  { name: 'native amd64 passes through byte for byte', file: 'rootful-amd64-privileged.json', host: 'x86_64', image: 'x86_64', state: STATE, want: 'native' },
  { name: 'native amd64 with a user, volume and entrypoint', file: 'rootful-amd64-volume-user-entrypoint.json', host: 'x86_64', image: 'x86_64', state: STATE, want: 'native' },
  { name: 'i386 is native on x86_64', file: 'rootful-amd64-privileged.json', host: 'x86_64', image: 'i386', state: STATE, want: 'native' },
  {
    name: 'foreign arm64 gets the prefix mount',
    file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE,
    binfmt: [{ 'fexpod-qemu-aarch64': 'enabled' }], want: 'edited', mounts: [dirname(QEMU_AARCH64.prefix ?? '')], env: [],
  },
  {
    name: 'foreign --read-only container',
    file: 'rootful-arm64-readonly.json', host: 'x86_64', image: 'aarch64', state: STATE,
    binfmt: [{ 'fexpod-qemu-aarch64': 'enabled' }], want: 'edited', mounts: [dirname(QEMU_AARCH64.prefix ?? '')], env: [],
  },
  {
    name: 'flushed entry is re-registered (systemd-binfmt restart)',
    file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE,
    binfmt: [{}], want: 'edited', mounts: [dirname(QEMU_AARCH64.prefix ?? '')], registered: true,
  },
  {
    name: 'binfmt_misc not even mounted: mounted and re-registered',
    file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE,
    binfmt: [{}, { mounted: false }], want: 'edited', registered: true,
  },
  { name: 'rootless, entry missing: left alone', file: 'rootless-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE, binfmt: [{}, { privileged: false }], want: 'unchanged' },
  {
    name: 'rootless, entry present: mount added',
    file: 'rootless-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE,
    binfmt: [{ 'fexpod-qemu-aarch64': 'enabled' }, { privileged: false }], want: 'edited', mounts: [dirname(QEMU_AARCH64.prefix ?? '')],
  },
  { name: 'entry disabled by the admin: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE, binfmt: [{ 'fexpod-qemu-aarch64': 'disabled' }], want: 'unchanged' },
  { name: 'no install state: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: undefined, want: 'unchanged' },
  { name: 'no emulator for armhf: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'arm', state: STATE, want: 'unchanged' },
  { name: 'register fails: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE, binfmt: [{}, { failWith: 'EINVAL' }], want: 'unchanged' },
  {
    name: 'aarch64 host, amd64 image: FEX prefix, env and FEXServer data dir (FEX stand-in)',
    file: 'aarch64-crun-cgv2-amd64-uname.json', host: 'aarch64', image: 'x86_64', state: STATE,
    binfmt: [{ 'FEX-x86_64': 'enabled' }], want: 'edited', mounts: [dirname(FEX_X86_64.prefix ?? '')],
    env: [`FEX_APP_DATA_LOCATION=${FEX_CONTAINER_DATA_DIR}`, (root) => `FEX_SERVERSOCKETPATH=${fexServerSocketName(root)}`, 'FEX_TSOENABLED=1'],
    personality: FEX_PERSONALITY,
  },
  {
    name: 'aarch64 host, amd64 image with a volume (FEX stand-in)',
    file: 'aarch64-crun-cgv2-amd64-volume.json', host: 'aarch64', image: 'x86_64', state: STATE,
    binfmt: [{ 'FEX-x86_64': 'enabled' }], want: 'edited', mounts: [dirname(FEX_X86_64.prefix ?? '')], personality: FEX_PERSONALITY,
  },
  {
    name: 'privileged amd64 container (no seccomp) gets no seccomp rules (FEX stand-in)',
    file: 'rootful-amd64-privileged.json', host: 'aarch64', image: 'x86_64', state: STATE,
    binfmt: [{ 'FEX-x86_64': 'enabled' }], want: 'edited', mounts: [dirname(FEX_X86_64.prefix ?? '')],
  },
  { name: 'aarch64 host, arm64 image is native', file: 'aarch64-crun-cgv2-amd64-uname.json', host: 'aarch64', image: 'aarch64', state: STATE, want: 'native' },
];

for (const c of cases) {
  test(`precreate: ${c.name}`, (t) => {
    const { input, r } = fixture(c.file, Arch.parse(c.image));
    t.after(() => r.remove());
    const b = binfmtStandIn(...(c.binfmt ?? [{}]));
    const log = memoryLogger();
    const res = precreate(input, { fs: hostExecFs(), host: Arch.parse(c.host), loadState: () => c.state, binfmt: b.deps, log });
    assert.equal(res.outcome === 'native' || res.outcome === 'edited' ? res.outcome : 'unchanged', c.want, log.lines.join('\n'));
    if (c.want !== 'edited') {
      assert.ok(Buffer.from(res.output).equals(input), 'output must be the input bytes');
      return;
    }
    const before = JSON.parse(input.toString('utf8'));
    const after = JSON.parse(Buffer.from(res.output).toString('utf8'));
    const added = after.mounts.slice(before.mounts.length);
    for (const m of c.mounts ?? []) {
      assert.deepEqual(added.find((x: { destination: string }) => x.destination === m), { destination: m, source: m, type: 'bind', options: ['bind', 'ro', 'nosuid', 'nodev'] });
    }
    const addedEnv = after.process.env.slice(before.process.env.length);
    if (c.env) assert.deepEqual(addedEnv, c.env.map((e) => (typeof e === 'string' ? e : e(r.root))));
    const rules = before.linux.seccomp ? after.linux.seccomp.syscalls.slice(before.linux.seccomp.syscalls.length) : [];
    assert.deepEqual(rules, (c.personality ?? []).map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })));
    after.mounts = after.mounts.slice(0, before.mounts.length);
    after.process.env = after.process.env.slice(0, before.process.env.length);
    if (before.linux.seccomp) after.linux.seccomp.syscalls = after.linux.seccomp.syscalls.slice(0, before.linux.seccomp.syscalls.length);
    assert.deepEqual(after, before, 'nothing else changes');
    assert.equal(b.registered.length > 0, c.registered ?? false);
  });
}

test('precreate: a mount already present is not added twice', (t) => {
  const { input, r } = fixture('rootful-arm64-uname.json', Arch.of('aarch64'));
  t.after(() => r.remove());
  const prefix = QEMU_AARCH64.prefix ?? '';
  const withMount = Buffer.from(input.toString('utf8').replace('"mounts":[', `"mounts":[{"destination":"${prefix}","type":"bind","source":"${prefix}","options":["bind","ro"]},`));
  const res = precreate(withMount, { fs: hostExecFs(), host: Arch.of('x86_64'), loadState: () => STATE, binfmt: binfmtStandIn({ 'fexpod-qemu-aarch64': 'enabled' }).deps, log: memoryLogger() });
  assert.ok(Buffer.from(res.output).equals(withMount));
});

test('precreate: the container sets an emulator variable itself, it wins (FEX stand-in)', (t) => {
  const { input, r } = fixture('aarch64-crun-cgv2-amd64-uname.json', Arch.of('x86_64'));
  t.after(() => r.remove());
  const own = Buffer.from(input.toString('utf8').replace('"env":["PATH=/bin"', '"env":["PATH=/bin","FEX_TSOENABLED=0"'));
  const res = precreate(own, { fs: hostExecFs(), host: Arch.of('aarch64'), loadState: () => STATE, binfmt: binfmtStandIn({ 'FEX-x86_64': 'enabled' }).deps, log: memoryLogger() });
  const env: string[] = JSON.parse(Buffer.from(res.output).toString('utf8')).process.env;
  assert.deepEqual(env.filter((e) => e.startsWith('FEX_TSO')), ['FEX_TSOENABLED=0']);
});

const garbage: { name: string; input: string }[] = [
  { name: 'not JSON', input: 'not json' },
  { name: 'empty', input: '' },
  { name: 'array', input: '[]' },
  { name: 'no root', input: '{"process":{"args":["x"]}}' },
  { name: 'relative root', input: '{"root":{"path":"rootfs"},"process":{"args":["x"]}}' },
  { name: 'root outside anything', input: '{"root":{"path":"/nonexistent/fexpod"},"process":{"args":["/bin/sh"]}}' },
];
for (const g of garbage) {
  test(`precreate: ${g.name} input passes through unchanged`, () => {
    const input = Buffer.from(g.input);
    const res = precreate(input, { fs: hostExecFs(), host: Arch.of('x86_64'), loadState: () => STATE, binfmt: binfmtStandIn().deps, log: memoryLogger() });
    assert.ok(Buffer.from(res.output).equals(input));
  });
}

test('precreate: an unreadable install state leaves the container alone', (t) => {
  const { input, r } = fixture('rootful-arm64-uname.json', Arch.of('aarch64'));
  t.after(() => r.remove());
  const log = memoryLogger();
  const res = precreate(input, { fs: hostExecFs(), host: Arch.of('x86_64'), loadState: () => { throw new Error('bad json'); }, binfmt: binfmtStandIn().deps, log });
  assert.ok(Buffer.from(res.output).equals(input));
  assert.match(log.lines.join('\n'), /install state unreadable: bad json/);
});

test('precreate: a prefix that is gone is not mounted (the runtime would fail the container)', (t) => {
  const { input, r } = fixture('rootful-arm64-uname.json', Arch.of('aarch64'));
  t.after(() => r.remove());
  const gone: InstallState = { ...STATE, registrations: [{ ...QEMU_AARCH64, prefix: join(prefixes, 'gone') }] };
  const log = memoryLogger();
  const res = precreate(input, { fs: hostExecFs(), host: Arch.of('x86_64'), loadState: () => gone, binfmt: binfmtStandIn({ 'fexpod-qemu-aarch64': 'enabled' }).deps, log });
  assert.ok(Buffer.from(res.output).equals(input));
  assert.match(log.lines.join('\n'), /prefix .* is gone/);
});

test('precreate: FEX staged without FEXServer is mounted but logged (FEX stand-in)', (t) => {
  const { input, r } = fixture('aarch64-crun-cgv2-amd64-uname.json', Arch.of('x86_64'));
  t.after(() => r.remove());
  const bare = join(prefixes, 'fex-noserver');
  mkdirSync(join(bare, 'bin'), { recursive: true });
  const noServer: InstallState = { ...STATE, registrations: [{ ...FEX_X86_64, prefix: bare, interpreter: join(bare, 'bin', 'FEX') }] };
  const log = memoryLogger();
  const res = precreate(input, { fs: hostExecFs(), host: Arch.of('aarch64'), loadState: () => noServer, binfmt: binfmtStandIn({ 'FEX-x86_64': 'enabled' }).deps, log });
  assert.equal(res.outcome, 'edited');
  assert.match(log.lines.join('\n'), /warn: FEXServer is not next to/);
});
