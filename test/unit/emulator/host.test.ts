import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/integration.js';
import { parseAuxv, pageSizeFromAuxv, parseGetconfPageSize, AT_PAGESZ } from '../../../src/emulator/host/page-size.js';
import { parseKernelRelease, hasPerUsernsBinfmt } from '../../../src/emulator/host/kernel-version.js';
import { parseCrunFeatures, parseRuntimeVersion, crunHasKrun } from '../../../src/emulator/host/runtime-info.js';
import { containersConfLocations, loadHooksDirs, parseHooksDir, parsePodmanVersion, DEFAULT_HOOKS_DIRS } from '../../../src/emulator/host/podman-info.js';
import { filesystemsListBinfmt, readBinfmtStatus } from '../../../src/emulator/binfmt/binfmt-status.js';
import { gatherHostFacts, choiceHost } from '../../../src/emulator/host/host-facts.js';
import { fakeHostDeps } from './fake-host.js';
import { FakeFs } from './fake-fs.js';

const fixture = (name: string) => new Uint8Array(readFileSync(join(repoRoot(), 'test', 'fixtures', 'auxv', name)));

// Real auxv images: this host's kernel, and what qemu-user hands its guests
// (the 16 KiB one is qemu's -p 16384: a stand-in for a 16 KiB kernel, which does not exist here).
const auxvCases = [
  { name: 'x86_64 host kernel (64-bit LE)', file: 'x86_64-linux-6.18.auxv', bits: 64, page: 4096 },
  { name: 'aarch64 guest of qemu-user (64-bit LE)', file: 'aarch64-qemu-user.auxv', bits: 64, page: 4096 },
  { name: 'stand-in: aarch64 guest of qemu-user -p 16384', file: 'aarch64-qemu-user-p16384.auxv', bits: 64, page: 16384 },
  { name: 'armhf guest of qemu-user (32-bit LE)', file: 'armhf-qemu-user.auxv', bits: 32, page: 4096 },
] as const;

for (const c of auxvCases) {
  test(`auxv: AT_PAGESZ of ${c.name}`, () => {
    const bytes = fixture(c.file);
    assert.equal(pageSizeFromAuxv(bytes, { bits: c.bits, littleEndian: true }), c.page);
    // The other word size is tried when the preferred one does not fit.
    assert.equal(pageSizeFromAuxv(bytes, { bits: c.bits === 64 ? 32 : 64, littleEndian: true }), c.page);
    assert.equal(parseAuxv(bytes, { bits: c.bits, littleEndian: true })?.get(AT_PAGESZ), BigInt(c.page));
  });
}

test('auxv: synthetic big-endian 32-bit and 64 KiB pages; truncated input gives undefined', () => {
  const b = Buffer.alloc(32);
  b.writeUInt32BE(6, 0);
  b.writeUInt32BE(65536, 4);
  b.writeUInt32BE(16, 8);
  b.writeUInt32BE(0xdead, 12);
  assert.equal(pageSizeFromAuxv(new Uint8Array(b), { bits: 32, littleEndian: false }), 65536);
  assert.equal(pageSizeFromAuxv(fixture('x86_64-linux-6.18.auxv').subarray(0, 40), { bits: 64, littleEndian: true }), undefined);
});

test('getconf PAGESIZE output', () => {
  assert.equal(parseGetconfPageSize('16384\n'), 16384);
  assert.equal(parseGetconfPageSize('4097'), undefined);
  assert.equal(parseGetconfPageSize('undefined'), undefined);
});

const kernels = [
  { release: '6.18.44-fc-v669', v: [6, 18, 44], userns: true },
  { release: '6.6.52-asahi', v: [6, 6, 52], userns: false },
  { release: '6.7.0', v: [6, 7, 0], userns: true },
  { release: '5.15.0-91-generic', v: [5, 15, 0], userns: false },
  { release: '7.0-rc1', v: [7, 0, 0], userns: true },
];
for (const k of kernels) {
  test(`kernel ${k.release}`, () => {
    const p = parseKernelRelease(k.release);
    assert.deepEqual(p && [p.major, p.minor, p.patch], k.v);
    assert.equal(hasPerUsernsBinfmt(p), k.userns);
  });
}

// Real `crun --version` outputs: Debian 12's crun 1.8.1, and a Fedora crun with libkrun.
const crunDebian = 'crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL\n';
const crunFedora = 'crun version 1.20\ncommit: 9c9a76ac11994701dd666c4f0b869ceffb599a66\nrundir: /run/user/1000/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +CRIU +LIBKRUN +WASM:wasmedge +YAJL\n';
test('crun --version: version and feature flags', () => {
  assert.equal(parseRuntimeVersion(crunDebian, 'crun'), '1.8.1');
  assert.deepEqual(parseCrunFeatures(crunDebian), ['SYSTEMD', 'SELINUX', 'APPARMOR', 'CAP', 'SECCOMP', 'EBPF', 'YAJL']);
  assert.equal(crunHasKrun(parseCrunFeatures(crunDebian)), false);
  assert.equal(crunHasKrun(parseCrunFeatures(crunFedora)), true);
  assert.ok(parseCrunFeatures(crunFedora).includes('WASM:wasmedge'));
  assert.equal(parseRuntimeVersion('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n', 'runc'), '1.1.5+ds1');
});

test('podman --version', () => {
  assert.deepEqual(parsePodmanVersion('podman version 4.3.1\n'), { raw: '4.3.1', major: 4, minor: 3 });
  assert.deepEqual(parsePodmanVersion('podman version 5.2.0-dev'), { raw: '5.2.0-dev', major: 5, minor: 2 });
});

test('containers.conf locations: root on 4.3, rootless on 4.3, rootless on 5, CONTAINERS_CONF', () => {
  const v43 = parsePodmanVersion('podman version 4.3.1');
  const v5 = parsePodmanVersion('podman version 5.2.0');
  const paths = (l: { path: string }[]) => l.map((x) => x.path);
  assert.deepEqual(paths(containersConfLocations({ uid: 0, home: '/root', xdgConfigHome: undefined, containersConf: undefined, podman: v43 })), [
    '/usr/share/containers/containers.conf',
    '/etc/containers/containers.conf',
    '/etc/containers/containers.conf.d',
  ]);
  assert.deepEqual(paths(containersConfLocations({ uid: 1000, home: '/home/u', xdgConfigHome: undefined, containersConf: undefined, podman: v43 })).slice(3), [
    '/home/u/.config/containers/containers.conf',
    '/home/u/.config/containers/containers.conf.d',
  ]);
  const rootless5 = paths(containersConfLocations({ uid: 1000, home: '/home/u', xdgConfigHome: '/x', containersConf: undefined, podman: v5 }));
  assert.ok(rootless5.includes('/usr/share/containers/containers.conf.d'));
  assert.ok(rootless5.includes('/etc/containers/containers.rootless.conf.d/1000'));
  assert.equal(rootless5.at(-1), '/x/containers/containers.conf.d');
  assert.deepEqual(paths(containersConfLocations({ uid: 0, home: undefined, xdgConfigHome: undefined, containersConf: '/c.conf', podman: v5 })), ['/c.conf']);
});

test('hooks_dir: default, later file replaces, drop-ins sorted, {append=true}, broken file reported', async () => {
  const fs = new FakeFs({
    '/usr/share/containers/containers.conf': { bytes: '[engine]\n#hooks_dir = ["/nope"]\nruntime = "crun"\n' },
    '/etc/containers/containers.conf.d/50-fexpod.conf': { bytes: '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/usr/libexec/fexpod/hooks.d"]\n' },
    '/etc/containers/containers.conf.d/10-other.conf': { bytes: '[engine]\nhooks_dir = ["/other"]\n' },
    '/etc/containers/containers.conf.d/README': { bytes: 'not toml' },
    '/home/u/.config/containers/containers.conf': { bytes: '[engine]\nhooks_dir = ["/mine", {append=true}]\n' },
    '/home/u/.config/containers/containers.conf.d/99-bad.conf': { bytes: '[engine\n' },
  });
  const deps = { readText: async (p: string) => fs.text(p), listDir: async (p: string) => fs.list(p) };
  const v43 = parsePodmanVersion('podman version 4.3.1');
  const root = await loadHooksDirs(containersConfLocations({ uid: 0, home: '/root', xdgConfigHome: undefined, containersConf: undefined, podman: v43 }), deps);
  assert.deepEqual(root.dirs, ['/usr/share/containers/oci/hooks.d', '/usr/libexec/fexpod/hooks.d']);
  assert.equal(root.setBy, '/etc/containers/containers.conf.d/50-fexpod.conf');
  const user = await loadHooksDirs(containersConfLocations({ uid: 1000, home: '/home/u', xdgConfigHome: undefined, containersConf: undefined, podman: v43 }), deps);
  assert.deepEqual(user.dirs, ['/usr/share/containers/oci/hooks.d', '/usr/libexec/fexpod/hooks.d', '/mine']);
  assert.equal(user.errors.length, 1);
  assert.equal(user.errors[0]?.file, '/home/u/.config/containers/containers.conf.d/99-bad.conf');
  const none = await loadHooksDirs([], deps);
  assert.deepEqual(none.dirs, DEFAULT_HOOKS_DIRS);
  assert.equal(parseHooksDir('[containers]\n'), undefined);
  assert.throws(() => parseHooksDir('[engine]\nhooks_dir = "/single"\n'));
});

// Real /proc/sys/fs/binfmt_misc/qemu-aarch64 as Debian's qemu-user-static registers it.
const qemuEntry = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n';

test('binfmt status: entries with the architectures they catch; not mounted; /proc/filesystems', async () => {
  const fs = new FakeFs({
    '/proc/filesystems': { bytes: 'nodev\tsysfs\nnodev\tbinfmt_misc\n' },
    '/proc/sys/fs/binfmt_misc/register': { bytes: '' },
    '/proc/sys/fs/binfmt_misc/status': { bytes: 'enabled\n' },
    '/proc/sys/fs/binfmt_misc/qemu-aarch64': { bytes: qemuEntry },
    '/proc/sys/fs/binfmt_misc/garbage': { bytes: 'what\n' },
  });
  const deps = { readText: async (p: string) => fs.text(p), listDir: async (p: string) => fs.list(p), exists: async (p: string) => fs.resolve(p) !== undefined, canWrite: async () => false };
  const s = await readBinfmtStatus(deps);
  assert.equal(s.mounted, true);
  assert.equal(s.enabled, true);
  assert.equal(s.writable, false);
  assert.equal(s.kernelSupports, true);
  assert.deepEqual(s.entries.map((e) => [e.name, e.arches, e.flags]), [['qemu-aarch64', ['aarch64'], 'POF']]);
  assert.equal(s.unreadable[0]?.name, 'garbage');
  fs.files.delete('/proc/sys/fs/binfmt_misc/register');
  const off = await readBinfmtStatus(deps);
  assert.equal(off.mounted, false);
  assert.deepEqual(off.entries, []);
  assert.equal(filesystemsListBinfmt('nodev\tproc\n'), false);
});

test('gatherHostFacts: stand-in Apple Silicon host (16 KiB auxv from qemu -p 16384, crun +LIBKRUN, rootless)', async () => {
  const fs = new FakeFs({
    '/proc/self/auxv': { bytes: fixture('aarch64-qemu-user-p16384.auxv') },
    '/proc/filesystems': { bytes: 'nodev\tbinfmt_misc\n' },
    '/proc/sys/fs/binfmt_misc/register': { bytes: '' },
    '/proc/sys/fs/binfmt_misc/status': { bytes: 'enabled\n' },
    '/dev/kvm': { bytes: '' },
    '/sys/fs/selinux/enforce': { bytes: '1' },
  });
  fs.files.get('/dev/kvm')!.mode = 0o666;
  const facts = await gatherHostFacts(
    fakeHostDeps(fs, {}, { crun: '', 'crun --version': crunFedora, podman: '', 'podman --version': 'podman version 5.2.0\n' }),
  );
  assert.equal(facts.arch.name, 'aarch64');
  assert.deepEqual(facts.pageSize, { bytes: 16384, source: 'auxv' });
  assert.equal(facts.kernel.perUsernsBinfmt, true);
  assert.equal(facts.rootless, true);
  assert.equal(facts.binfmt.writable, false);
  assert.deepEqual(facts.kvm, { present: true, accessible: true });
  assert.equal(facts.runtimes.runc, undefined);
  assert.deepEqual(facts.selinux, { enabled: true, enforcing: true });
  assert.deepEqual(facts.podman?.hooks.dirs, DEFAULT_HOOKS_DIRS);
  assert.deepEqual(choiceHost(facts).crunFeatures?.includes('LIBKRUN'), true);
});

test('gatherHostFacts: no auxv → getconf fallback; nothing → unknown', async () => {
  const fs = new FakeFs({});
  const withGetconf = await gatherHostFacts(fakeHostDeps(fs, {}, { 'getconf PAGESIZE': '16384\n' }));
  assert.deepEqual(withGetconf.pageSize, { bytes: 16384, source: 'getconf' });
  const nothing = await gatherHostFacts(fakeHostDeps(fs));
  assert.deepEqual(nothing.pageSize, { bytes: undefined, source: 'unknown' });
  assert.equal(choiceHost(nothing).pageSize, 4096);
});
