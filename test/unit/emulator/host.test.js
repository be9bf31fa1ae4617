"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const page_size_js_1 = require("../../../src/emulator/host/page-size.js");
const kernel_version_js_1 = require("../../../src/emulator/host/kernel-version.js");
const runtime_info_js_1 = require("../../../src/emulator/host/runtime-info.js");
const podman_info_js_1 = require("../../../src/emulator/host/podman-info.js");
const binfmt_status_js_1 = require("../../../src/emulator/binfmt/binfmt-status.js");
const host_facts_js_1 = require("../../../src/emulator/host/host-facts.js");
const fake_host_js_1 = require("./fake-host.js");
const fake_fs_js_1 = require("./fake-fs.js");
const fixture = (name) => new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'auxv', name)));
// Real auxv images: this host's kernel, and what qemu-user hands its guests
// (the 16 KiB one is qemu's -p 16384: a stand-in for a 16 KiB kernel, which does not exist here).
const auxvCases = [
    { name: 'x86_64 host kernel (64-bit LE)', file: 'x86_64-linux-6.18.auxv', bits: 64, page: 4096 },
    { name: 'aarch64 guest of qemu-user (64-bit LE)', file: 'aarch64-qemu-user.auxv', bits: 64, page: 4096 },
    { name: 'stand-in: aarch64 guest of qemu-user -p 16384', file: 'aarch64-qemu-user-p16384.auxv', bits: 64, page: 16384 },
    { name: 'armhf guest of qemu-user (32-bit LE)', file: 'armhf-qemu-user.auxv', bits: 32, page: 4096 },
];
for (const c of auxvCases) {
    (0, node_test_1.test)(`auxv: AT_PAGESZ of ${c.name}`, () => {
        const bytes = fixture(c.file);
        strict_1.default.equal((0, page_size_js_1.pageSizeFromAuxv)(bytes, { bits: c.bits, littleEndian: true }), c.page);
        // The other word size is tried when the preferred one does not fit.
        strict_1.default.equal((0, page_size_js_1.pageSizeFromAuxv)(bytes, { bits: c.bits === 64 ? 32 : 64, littleEndian: true }), c.page);
        strict_1.default.equal((0, page_size_js_1.parseAuxv)(bytes, { bits: c.bits, littleEndian: true })?.get(page_size_js_1.AT_PAGESZ), BigInt(c.page));
    });
}
(0, node_test_1.test)('auxv: synthetic big-endian 32-bit and 64 KiB pages; truncated input gives undefined', () => {
    const b = Buffer.alloc(32);
    b.writeUInt32BE(6, 0);
    b.writeUInt32BE(65536, 4);
    b.writeUInt32BE(16, 8);
    b.writeUInt32BE(0xdead, 12);
    strict_1.default.equal((0, page_size_js_1.pageSizeFromAuxv)(new Uint8Array(b), { bits: 32, littleEndian: false }), 65536);
    strict_1.default.equal((0, page_size_js_1.pageSizeFromAuxv)(fixture('x86_64-linux-6.18.auxv').subarray(0, 40), { bits: 64, littleEndian: true }), undefined);
});
(0, node_test_1.test)('getconf PAGESIZE output', () => {
    strict_1.default.equal((0, page_size_js_1.parseGetconfPageSize)('16384\n'), 16384);
    strict_1.default.equal((0, page_size_js_1.parseGetconfPageSize)('4097'), undefined);
    strict_1.default.equal((0, page_size_js_1.parseGetconfPageSize)('undefined'), undefined);
});
const kernels = [
    { release: '6.18.44-fc-v669', v: [6, 18, 44], userns: true },
    { release: '6.6.52-asahi', v: [6, 6, 52], userns: false },
    { release: '6.7.0', v: [6, 7, 0], userns: true },
    { release: '5.15.0-91-generic', v: [5, 15, 0], userns: false },
    { release: '7.0-rc1', v: [7, 0, 0], userns: true },
];
for (const k of kernels) {
    (0, node_test_1.test)(`kernel ${k.release}`, () => {
        const p = (0, kernel_version_js_1.parseKernelRelease)(k.release);
        strict_1.default.deepEqual(p && [p.major, p.minor, p.patch], k.v);
        strict_1.default.equal((0, kernel_version_js_1.hasPerUsernsBinfmt)(p), k.userns);
    });
}
// Real `crun --version` outputs: Debian 12's crun 1.8.1, and a Fedora crun with libkrun.
const crunDebian = 'crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL\n';
const crunFedora = 'crun version 1.20\ncommit: 9c9a76ac11994701dd666c4f0b869ceffb599a66\nrundir: /run/user/1000/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +CRIU +LIBKRUN +WASM:wasmedge +YAJL\n';
(0, node_test_1.test)('crun --version: version and feature flags', () => {
    strict_1.default.equal((0, runtime_info_js_1.parseRuntimeVersion)(crunDebian, 'crun'), '1.8.1');
    strict_1.default.deepEqual((0, runtime_info_js_1.parseCrunFeatures)(crunDebian), ['SYSTEMD', 'SELINUX', 'APPARMOR', 'CAP', 'SECCOMP', 'EBPF', 'YAJL']);
    strict_1.default.equal((0, runtime_info_js_1.crunHasKrun)((0, runtime_info_js_1.parseCrunFeatures)(crunDebian)), false);
    strict_1.default.equal((0, runtime_info_js_1.crunHasKrun)((0, runtime_info_js_1.parseCrunFeatures)(crunFedora)), true);
    strict_1.default.ok((0, runtime_info_js_1.parseCrunFeatures)(crunFedora).includes('WASM:wasmedge'));
    strict_1.default.equal((0, runtime_info_js_1.parseRuntimeVersion)('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\n', 'runc'), '1.1.5+ds1');
});
(0, node_test_1.test)('podman --version', () => {
    strict_1.default.deepEqual((0, podman_info_js_1.parsePodmanVersion)('podman version 4.3.1\n'), { raw: '4.3.1', major: 4, minor: 3 });
    strict_1.default.deepEqual((0, podman_info_js_1.parsePodmanVersion)('podman version 5.2.0-dev'), { raw: '5.2.0-dev', major: 5, minor: 2 });
});
(0, node_test_1.test)('containers.conf locations: root on 4.3, rootless on 4.3, rootless on 5, CONTAINERS_CONF', () => {
    const v43 = (0, podman_info_js_1.parsePodmanVersion)('podman version 4.3.1');
    const v5 = (0, podman_info_js_1.parsePodmanVersion)('podman version 5.2.0');
    const paths = (l) => l.map((x) => x.path);
    strict_1.default.deepEqual(paths((0, podman_info_js_1.containersConfLocations)({ uid: 0, home: '/root', xdgConfigHome: undefined, containersConf: undefined, podman: v43 })), [
        '/usr/share/containers/containers.conf',
        '/etc/containers/containers.conf',
        '/etc/containers/containers.conf.d',
    ]);
    strict_1.default.deepEqual(paths((0, podman_info_js_1.containersConfLocations)({ uid: 1000, home: '/home/u', xdgConfigHome: undefined, containersConf: undefined, podman: v43 })).slice(3), [
        '/home/u/.config/containers/containers.conf',
        '/home/u/.config/containers/containers.conf.d',
    ]);
    const rootless5 = paths((0, podman_info_js_1.containersConfLocations)({ uid: 1000, home: '/home/u', xdgConfigHome: '/x', containersConf: undefined, podman: v5 }));
    strict_1.default.ok(rootless5.includes('/usr/share/containers/containers.conf.d'));
    strict_1.default.ok(rootless5.includes('/etc/containers/containers.rootless.conf.d/1000'));
    strict_1.default.equal(rootless5.at(-1), '/x/containers/containers.conf.d');
    strict_1.default.deepEqual(paths((0, podman_info_js_1.containersConfLocations)({ uid: 0, home: undefined, xdgConfigHome: undefined, containersConf: '/c.conf', podman: v5 })), ['/c.conf']);
});
(0, node_test_1.test)('hooks_dir: default, later file replaces, drop-ins sorted, {append=true}, broken file reported', async () => {
    const fs = new fake_fs_js_1.FakeFs({
        '/usr/share/containers/containers.conf': { bytes: '[engine]\n#hooks_dir = ["/nope"]\nruntime = "crun"\n' },
        '/etc/containers/containers.conf.d/50-fexpod.conf': { bytes: '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/usr/libexec/fexpod/hooks.d"]\n' },
        '/etc/containers/containers.conf.d/10-other.conf': { bytes: '[engine]\nhooks_dir = ["/other"]\n' },
        '/etc/containers/containers.conf.d/README': { bytes: 'not toml' },
        '/home/u/.config/containers/containers.conf': { bytes: '[engine]\nhooks_dir = ["/mine", {append=true}]\n' },
        '/home/u/.config/containers/containers.conf.d/99-bad.conf': { bytes: '[engine\n' },
    });
    const deps = { readText: async (p) => fs.text(p), listDir: async (p) => fs.list(p) };
    const v43 = (0, podman_info_js_1.parsePodmanVersion)('podman version 4.3.1');
    const root = await (0, podman_info_js_1.loadHooksDirs)((0, podman_info_js_1.containersConfLocations)({ uid: 0, home: '/root', xdgConfigHome: undefined, containersConf: undefined, podman: v43 }), deps);
    strict_1.default.deepEqual(root.dirs, ['/usr/share/containers/oci/hooks.d', '/usr/libexec/fexpod/hooks.d']);
    strict_1.default.equal(root.setBy, '/etc/containers/containers.conf.d/50-fexpod.conf');
    const user = await (0, podman_info_js_1.loadHooksDirs)((0, podman_info_js_1.containersConfLocations)({ uid: 1000, home: '/home/u', xdgConfigHome: undefined, containersConf: undefined, podman: v43 }), deps);
    strict_1.default.deepEqual(user.dirs, ['/usr/share/containers/oci/hooks.d', '/usr/libexec/fexpod/hooks.d', '/mine']);
    strict_1.default.equal(user.errors.length, 1);
    strict_1.default.equal(user.errors[0]?.file, '/home/u/.config/containers/containers.conf.d/99-bad.conf');
    const none = await (0, podman_info_js_1.loadHooksDirs)([], deps);
    strict_1.default.deepEqual(none.dirs, podman_info_js_1.DEFAULT_HOOKS_DIRS);
    strict_1.default.equal((0, podman_info_js_1.parseHooksDir)('[containers]\n'), undefined);
    strict_1.default.throws(() => (0, podman_info_js_1.parseHooksDir)('[engine]\nhooks_dir = "/single"\n'));
});
// Real /proc/sys/fs/binfmt_misc/qemu-aarch64 as Debian's qemu-user-static registers it.
const qemuEntry = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
(0, node_test_1.test)('binfmt status: entries with the architectures they catch; not mounted; /proc/filesystems', async () => {
    const fs = new fake_fs_js_1.FakeFs({
        '/proc/filesystems': { bytes: 'nodev\tsysfs\nnodev\tbinfmt_misc\n' },
        '/proc/sys/fs/binfmt_misc/register': { bytes: '' },
        '/proc/sys/fs/binfmt_misc/status': { bytes: 'enabled\n' },
        '/proc/sys/fs/binfmt_misc/qemu-aarch64': { bytes: qemuEntry },
        '/proc/sys/fs/binfmt_misc/garbage': { bytes: 'what\n' },
    });
    const deps = { readText: async (p) => fs.text(p), listDir: async (p) => fs.list(p), exists: async (p) => fs.resolve(p) !== undefined, canWrite: async () => false };
    const s = await (0, binfmt_status_js_1.readBinfmtStatus)(deps);
    strict_1.default.equal(s.mounted, true);
    strict_1.default.equal(s.enabled, true);
    strict_1.default.equal(s.writable, false);
    strict_1.default.equal(s.kernelSupports, true);
    strict_1.default.deepEqual(s.entries.map((e) => [e.name, e.arches, e.flags]), [['qemu-aarch64', ['aarch64'], 'POF']]);
    strict_1.default.equal(s.unreadable[0]?.name, 'garbage');
    fs.files.delete('/proc/sys/fs/binfmt_misc/register');
    const off = await (0, binfmt_status_js_1.readBinfmtStatus)(deps);
    strict_1.default.equal(off.mounted, false);
    strict_1.default.deepEqual(off.entries, []);
    strict_1.default.equal((0, binfmt_status_js_1.filesystemsListBinfmt)('nodev\tproc\n'), false);
});
(0, node_test_1.test)('gatherHostFacts: stand-in Apple Silicon host (16 KiB auxv from qemu -p 16384, crun +LIBKRUN, rootless)', async () => {
    const fs = new fake_fs_js_1.FakeFs({
        '/proc/self/auxv': { bytes: fixture('aarch64-qemu-user-p16384.auxv') },
        '/proc/filesystems': { bytes: 'nodev\tbinfmt_misc\n' },
        '/proc/sys/fs/binfmt_misc/register': { bytes: '' },
        '/proc/sys/fs/binfmt_misc/status': { bytes: 'enabled\n' },
        '/dev/kvm': { bytes: '' },
        '/sys/fs/selinux/enforce': { bytes: '1' },
    });
    fs.files.get('/dev/kvm').mode = 0o666;
    const facts = await (0, host_facts_js_1.gatherHostFacts)((0, fake_host_js_1.fakeHostDeps)(fs, {}, { crun: '', 'crun --version': crunFedora, podman: '', 'podman --version': 'podman version 5.2.0\n' }));
    strict_1.default.equal(facts.arch.name, 'aarch64');
    strict_1.default.deepEqual(facts.pageSize, { bytes: 16384, source: 'auxv' });
    strict_1.default.equal(facts.kernel.perUsernsBinfmt, true);
    strict_1.default.equal(facts.rootless, true);
    strict_1.default.equal(facts.binfmt.writable, false);
    strict_1.default.deepEqual(facts.kvm, { present: true, accessible: true });
    strict_1.default.equal(facts.runtimes.runc, undefined);
    strict_1.default.deepEqual(facts.selinux, { enabled: true, enforcing: true });
    strict_1.default.deepEqual(facts.podman?.hooks.dirs, podman_info_js_1.DEFAULT_HOOKS_DIRS);
    strict_1.default.deepEqual((0, host_facts_js_1.choiceHost)(facts).crunFeatures?.includes('LIBKRUN'), true);
});
(0, node_test_1.test)('gatherHostFacts: no auxv → getconf fallback; nothing → unknown', async () => {
    const fs = new fake_fs_js_1.FakeFs({});
    const withGetconf = await (0, host_facts_js_1.gatherHostFacts)((0, fake_host_js_1.fakeHostDeps)(fs, {}, { 'getconf PAGESIZE': '16384\n' }));
    strict_1.default.deepEqual(withGetconf.pageSize, { bytes: 16384, source: 'getconf' });
    const nothing = await (0, host_facts_js_1.gatherHostFacts)((0, fake_host_js_1.fakeHostDeps)(fs));
    strict_1.default.deepEqual(nothing.pageSize, { bytes: undefined, source: 'unknown' });
    strict_1.default.equal((0, host_facts_js_1.choiceHost)(nothing).pageSize, 4096);
});
