"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const arch_js_1 = require("../../../src/common/arch.js");
const discovery_deps_js_1 = require("../../../src/emulator/discovery-deps.js");
const emulator_catalogue_js_1 = require("../../../src/emulator/emulator-catalogue.js");
const emulator_choice_js_1 = require("../../../src/emulator/emulator-choice.js");
const elf_builder_js_1 = require("./elf-builder.js");
const integration_js_1 = require("../../helpers/integration.js");
const fake_fs_js_1 = require("./fake-fs.js");
const A64 = 0xb7;
const X64 = 0x3e;
const dyn = (machine) => ({ bytes: (0, elf_builder_js_1.buildElf)({ machine, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libc.so.6'] } }), exec: true });
const stat = (machine) => ({ bytes: (0, elf_builder_js_1.buildElf)({ machine, type: 2 }), exec: true });
function deps(fs, path = '/usr/local/bin:/usr/bin') {
    return {
        pathDirs: path.split(':'),
        isExecutable: async (p) => fs.isExec(p),
        realpath: async (p) => fs.resolve(p),
        readHead: async (p, n) => fs.read(p)?.subarray(0, n),
    };
}
const aarch64 = arch_js_1.Arch.of('aarch64');
const x86_64 = arch_js_1.Arch.of('x86_64');
/** A Fedora aarch64 host with FEX, FEXServer, box64 and both QEMUs for x86-64. */
const fedoraAarch64 = {
    '/usr/bin/FEX': dyn(A64),
    '/usr/bin/FEXServer': dyn(A64),
    '/usr/bin/box64': dyn(A64),
    '/usr/bin/qemu-x86_64-static': stat(A64),
    '/usr/bin/qemu-x86_64': dyn(A64),
    '/usr/bin/qemu-i386-static': stat(A64),
    '/usr/bin/muvm': dyn(A64),
    '/usr/bin/crun': dyn(A64),
};
(0, node_test_1.test)('discover: Fedora aarch64 host finds FEX (+FEXServer), box64, QEMU static and dynamic', async () => {
    const found = await (0, emulator_catalogue_js_1.discoverEmulators)(aarch64, deps(new fake_fs_js_1.FakeFs(fedoraAarch64)));
    const fex = found.find((f) => f.id === 'fex');
    strict_1.default.ok(fex);
    strict_1.default.deepEqual(fex.guests, ['x86_64', 'i386']);
    strict_1.default.equal(fex.helpers['FEXServer'], '/usr/bin/FEXServer');
    strict_1.default.equal(fex.static, false);
    strict_1.default.deepEqual(fex.problems, []);
    strict_1.default.deepEqual(found.find((f) => f.id === 'box64')?.guests, ['x86_64']);
    const qs = found.filter((f) => f.id === 'qemu-user-static').map((f) => [f.path, f.guests, f.static]);
    strict_1.default.deepEqual(qs, [
        ['/usr/bin/qemu-x86_64-static', ['x86_64'], true],
        ['/usr/bin/qemu-i386-static', ['i386'], true],
    ]);
    // arm is foreign on aarch64 (no AArch32 assumed) but no qemu-arm is installed here.
    strict_1.default.ok(!found.some((f) => f.guests.includes('arm')));
});
(0, node_test_1.test)('discover: legacy FEXInterpreter, FEXServer next to its real path, then PATH', async () => {
    const fs = new fake_fs_js_1.FakeFs({
        '/usr/local/bin/FEXInterpreter': { link: '/opt/fex/bin/FEXInterpreter' },
        '/opt/fex/bin/FEXInterpreter': dyn(A64),
        '/opt/fex/bin/FEXServer': dyn(A64),
    });
    const fex = (await (0, emulator_catalogue_js_1.discoverEmulators)(aarch64, deps(fs))).find((f) => f.id === 'fex');
    strict_1.default.equal(fex?.path, '/usr/local/bin/FEXInterpreter');
    strict_1.default.equal(fex?.helpers['FEXServer'], '/opt/fex/bin/FEXServer');
});
(0, node_test_1.test)('discover: FEX without FEXServer is found but carries a problem', async () => {
    const fex = (await (0, emulator_catalogue_js_1.discoverEmulators)(aarch64, deps(new fake_fs_js_1.FakeFs({ '/usr/bin/FEX': dyn(A64) })))).find((f) => f.id === 'fex');
    strict_1.default.match(fex?.problems[0] ?? '', /FEXServer not found/);
});
(0, node_test_1.test)('discover: Debian x86_64 host finds qemu-aarch64-static with its binfmt-P wrapper; a dynamic "-static" is a problem', async () => {
    const fs = new fake_fs_js_1.FakeFs({
        '/usr/bin/qemu-aarch64-static': stat(X64),
        '/usr/libexec/qemu-binfmt/aarch64-binfmt-P': { link: '../../bin/qemu-aarch64-static' },
        '/usr/bin/qemu-arm-static': dyn(X64),
        '/usr/bin/FEX': dyn(X64),
    });
    const found = await (0, emulator_catalogue_js_1.discoverEmulators)(x86_64, deps(fs));
    const q = found.find((f) => f.guests.includes('aarch64'));
    strict_1.default.equal(q?.helpers['binfmt-P'], '/usr/libexec/qemu-binfmt/aarch64-binfmt-P');
    strict_1.default.match(found.find((f) => f.guests.includes('arm'))?.problems[0] ?? '', /dynamically linked/);
    strict_1.default.ok(!found.some((f) => f.id === 'fex'), 'FEX serves nothing on an x86_64 host');
});
(0, node_test_1.test)('discover: a binary for the wrong architecture is reported', async () => {
    const fex = (await (0, emulator_catalogue_js_1.discoverEmulators)(aarch64, deps(new fake_fs_js_1.FakeFs({ '/usr/bin/FEX': dyn(X64), '/usr/bin/FEXServer': dyn(X64) })))).find((f) => f.id === 'fex');
    strict_1.default.match(fex?.problems.join() ?? '', /built for x86_64/);
});
(0, node_test_1.test)('discover: relative PATH entries are ignored', async () => {
    const fs = new fake_fs_js_1.FakeFs({ 'bin/FEX': dyn(A64) });
    const found = await (0, emulator_catalogue_js_1.discoverEmulators)(aarch64, deps(fs, 'bin'));
    strict_1.default.equal(found.length, 0);
});
// --- choice ---------------------------------------------------------------
const host = (over = {}) => ({
    arch: aarch64,
    pageSize: 4096,
    uid: 1000,
    kvm: { present: true, accessible: true },
    crunFeatures: ['SYSTEMD', 'SELINUX'],
    ...over,
});
const cases = [
    { name: '4k aarch64 container x86_64 → FEX', tree: fedoraAarch64, host: host(), guest: x86_64, chosen: 'fex', rejectedIncludes: [/muvm: not a container route/, /krun: not needed: host pages are 4 KiB/] },
    { name: '4k aarch64 i386 → FEX (box64 has no 32-bit)', tree: fedoraAarch64, host: host(), guest: arch_js_1.Arch.of('i386'), prefer: 'box64', chosen: 'fex', rejectedIncludes: [/box64: does not serve i386/], preferenceUnmet: /box64/ },
    { name: 'user prefers qemu-user-static', tree: fedoraAarch64, host: host(), guest: x86_64, prefer: 'qemu-user-static', chosen: 'qemu-user-static' },
    { name: 'no FEX → box64 for x86_64', tree: { ...fedoraAarch64, '/usr/bin/FEX': { bytes: '' } }, host: host(), guest: x86_64, chosen: 'box64', rejectedIncludes: [/fex: not installed/] },
    { name: 'QEMU static before dynamic', tree: { '/usr/bin/qemu-x86_64-static': stat(A64), '/usr/bin/qemu-x86_64': dyn(A64) }, host: host(), guest: x86_64, chosen: 'qemu-user-static' },
    { name: 'native guest → nothing', tree: fedoraAarch64, host: host(), guest: aarch64, chosen: undefined, rejectedIncludes: [/runs natively/] },
    // Stand-ins: no 16 KiB kernel, muvm or krun exists here; the host facts say so.
    { name: 'stand-in 16 KiB host, process as user → muvm', tree: fedoraAarch64, host: host({ pageSize: 16384 }), guest: x86_64, purpose: 'process', chosen: 'muvm' },
    { name: 'stand-in 16 KiB host, process as root → muvm refuses root, FEX needs 4k → box64', tree: fedoraAarch64, host: host({ pageSize: 16384, uid: 0 }), guest: x86_64, purpose: 'process', chosen: 'box64', rejectedIncludes: [/muvm: muvm refuses to run as root/, /fex: FEX needs 4 KiB pages; this host uses 16 KiB/] },
    { name: 'stand-in 16 KiB host, container, crun without +LIBKRUN → not krun', tree: fedoraAarch64, host: host({ pageSize: 16384 }), guest: x86_64, chosen: 'box64', rejectedIncludes: [/krun: crun is built without \+LIBKRUN/] },
    { name: 'stand-in 16 KiB host, container, crun +LIBKRUN and /dev/kvm → krun', tree: fedoraAarch64, host: host({ pageSize: 16384, crunFeatures: ['SYSTEMD', 'LIBKRUN'] }), guest: x86_64, chosen: 'krun' },
    { name: 'stand-in 16 KiB host, crun +LIBKRUN but no /dev/kvm', tree: fedoraAarch64, host: host({ pageSize: 16384, crunFeatures: ['LIBKRUN'], kvm: { present: false, accessible: false } }), guest: x86_64, chosen: 'box64', rejectedIncludes: [/krun: \/dev\/kvm does not exist/] },
    { name: 'stand-in 16 KiB host, binfmt purpose: muvm first (fexpod registers its dispatcher for it)', tree: fedoraAarch64, host: host({ pageSize: 16384 }), guest: arch_js_1.Arch.of('i386'), purpose: 'binfmt', chosen: 'muvm' },
    { name: 'stand-in 16 KiB host, binfmt purpose without /dev/kvm: the next route (never FEX)', tree: fedoraAarch64, host: host({ pageSize: 16384, kvm: { present: false, accessible: false } }), guest: arch_js_1.Arch.of('i386'), purpose: 'binfmt', chosen: 'qemu-user-static', rejectedIncludes: [/fex: FEX needs 4 KiB pages/] },
    { name: 'stand-in 16 KiB host, muvm without FEX', tree: { '/usr/bin/muvm': dyn(A64), '/usr/bin/qemu-x86_64': dyn(A64) }, host: host({ pageSize: 16384 }), guest: x86_64, purpose: 'process', chosen: 'qemu-user', rejectedIncludes: [/muvm: FEX \(with FEXServer\) is needed/] },
    { name: 'x86_64 host: aarch64 guest → qemu-user-static', tree: { '/usr/bin/qemu-aarch64-static': stat(X64), '/usr/bin/qemu-aarch64': dyn(X64) }, host: host({ arch: x86_64 }), guest: aarch64, chosen: 'qemu-user-static', rejectedIncludes: [/fex: does not serve aarch64 guests on a x86_64 host/] },
    { name: 'nothing installed', tree: {}, host: host(), guest: x86_64, chosen: undefined, rejectedIncludes: [/qemu-user: not installed/] },
];
for (const c of cases) {
    (0, node_test_1.test)(`choose: ${c.name}`, async () => {
        const found = await (0, emulator_catalogue_js_1.discoverEmulators)(c.host.arch, deps(new fake_fs_js_1.FakeFs(c.tree)));
        const choice = (0, emulator_choice_js_1.chooseEmulator)(found, c.guest, c.host, { ...(c.purpose ? { purpose: c.purpose } : {}), ...(c.prefer ? { prefer: c.prefer } : {}) });
        strict_1.default.equal(choice.chosen?.id, c.chosen, JSON.stringify(choice.rejected));
        const lines = choice.rejected.map((r) => `${r.id}: ${r.reason}`);
        for (const re of c.rejectedIncludes ?? [])
            strict_1.default.ok(lines.some((l) => re.test(l)), `${re} not in ${lines.join(' | ')}`);
        if (c.preferenceUnmet)
            strict_1.default.match(choice.preferenceUnmet ?? '', c.preferenceUnmet);
        else
            strict_1.default.equal(choice.preferenceUnmet, undefined);
    });
}
(0, node_test_1.test)('choose: precedence is data (a custom list reorders)', async () => {
    const found = await (0, emulator_catalogue_js_1.discoverEmulators)(aarch64, deps(new fake_fs_js_1.FakeFs(fedoraAarch64)));
    const choice = (0, emulator_choice_js_1.chooseEmulator)(found, x86_64, host(), { precedence: ['qemu-user', 'fex'] });
    strict_1.default.equal(choice.chosen?.id, 'qemu-user');
});
// The real host: whatever QEMU builds are installed for the foreign architectures are found
// and classified by reading their program headers (nothing is executed).
(0, node_test_1.test)('discover on this host: installed qemu-user(-static) builds are found and classified static/dynamic', async (t) => {
    const host = arch_js_1.Arch.fromNode(process.arch);
    const foreign = arch_js_1.Arch.all().filter((a) => !a.isNativeOn(host));
    const expected = foreign.flatMap((g) => [
        { id: 'qemu-user-static', path: `/usr/bin/qemu-${g.qemu}-static`, static: true },
        { id: 'qemu-user', path: `/usr/bin/qemu-${g.qemu}`, static: false },
    ]).filter((e) => (0, node_fs_1.existsSync)(e.path));
    if (expected.length === 0)
        return (0, integration_js_1.skipOrFail)(t, 'no qemu-user builds installed');
    const found = await (0, emulator_catalogue_js_1.discoverEmulators)(host, (0, discovery_deps_js_1.nodeDiscoveryDeps)('/usr/bin:/bin'));
    for (const e of expected) {
        const hit = found.find((f) => f.path === e.path);
        strict_1.default.ok(hit, `${e.path} not found`);
        strict_1.default.equal(hit.id, e.id);
        strict_1.default.equal(hit.static, e.static, e.path);
        strict_1.default.equal(hit.arch, host);
    }
});
