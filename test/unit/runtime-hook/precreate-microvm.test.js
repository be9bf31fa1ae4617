"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The precreate hook on a host whose page size is not 4 KiB (a stand-in: host
 * facts given to the plan; krun, libkrun and a 16 KiB kernel do not exist here),
 * over a real config captured from Podman on aarch64 with crun.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const host_fs_js_1 = require("../../../src/runtime-hook/hook/host-fs.js");
const precreate_js_1 = require("../../../src/runtime-hook/hook/precreate.js");
const integration_js_1 = require("../../helpers/integration.js");
const binfmt_standin_js_1 = require("./binfmt-standin.js");
const rootfs_fixture_js_1 = require("./rootfs-fixture.js");
const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-microvm-'));
(0, node_test_1.after)(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
const P = (0, node_path_1.join)(dir, 'prefix-fex');
(0, node_fs_1.mkdirSync)((0, node_path_1.join)(P, 'bin'), { recursive: true });
for (const f of ['FEX', 'FEXServer', 'fexpod-guest-init'])
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(P, 'bin', f), '');
const line = (name, magic) => `:${name}:M:0:${magic}:\\xff:${P}/bin/FEX:POCF`;
const VM = [
    { guest: 'x86_64', prefix: P, interpreter: `${P}/bin/FEX`, registration: line('FEX-x86_64', '\\x3e'), guestInit: `${P}/bin/fexpod-guest-init` },
    { guest: 'i386', prefix: P, interpreter: `${P}/bin/FEX`, registration: line('FEX-x86', '\\x03'), guestInit: `${P}/bin/fexpod-guest-init` },
];
const DISPATCH = { guest: 'x86_64', emulator: 'muvm', entryName: 'FEX-x86_64', registration: ':FEX-x86_64:M:0:x::/var/lib/fexpod/dispatch/fexpod-dispatch:PF', interpreter: '/var/lib/fexpod/dispatch/fexpod-dispatch' };
const STATE = { version: 1, registrations: [DISPATCH], disabled: [], persisted: [], microvm: VM };
const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'podman-configs', 'aarch64-crun-cgv2-amd64-uname.json'), 'utf8');
function input(image, rootfs = new rootfs_fixture_js_1.TempRoot()) {
    rootfs.add([{ file: 'usr/bin/uname', bytes: (0, rootfs_fixture_js_1.elfHeader)(image) }, { link: 'bin', to: 'usr/bin' }]);
    const spec = JSON.parse(text);
    return { input: Buffer.from(text.replace(JSON.stringify(spec.root.path), JSON.stringify(rootfs.root)), 'utf8'), r: rootfs };
}
const usable = { pageSize: 16384, crunFeatures: ['SYSTEMD', 'SELINUX', 'LIBKRUN'], kvm: { present: true, accessible: true } };
function run(image, vm, state = STATE) {
    const { input: i, r } = input(image);
    let asked = 0;
    const log = (0, log_js_1.memoryLogger)();
    const res = (0, precreate_js_1.precreate)(i, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('aarch64'), loadState: () => state, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({}).deps, log, microVmHost: () => (asked++, vm) });
    r.remove();
    return { res, input: i, asked, log: log.lines.join('\n') };
}
(0, node_test_1.test)('stand-in 16 KiB host, crun +LIBKRUN, /dev/kvm: krun handler, prefix mounted, fexpod-guest-init registers FEX-x86_64 and FEX-x86 first', () => {
    const { res, input: i, log } = run(arch_js_1.Arch.of('x86_64'), usable);
    strict_1.default.equal(res.outcome, 'edited', log);
    const before = JSON.parse(i.toString('utf8'));
    const out = JSON.parse(Buffer.from(res.output).toString('utf8'));
    strict_1.default.equal(out.annotations['run.oci.handler'], 'krun');
    strict_1.default.deepEqual(out.process.args, [`${P}/bin/fexpod-guest-init`, '--register', VM[0]?.registration, '--register', VM[1]?.registration, '--interpreter', `${P}/bin/FEX`, '--', 'uname', '-m']);
    strict_1.default.deepEqual(out.mounts.slice(before.mounts.length), [{ destination: P, source: P, type: 'bind', options: ['bind', 'ro', 'nosuid', 'nodev'] }]);
    strict_1.default.deepEqual(out.process.env.slice(before.process.env.length), ['FEX_APP_DATA_LOCATION=/tmp/.fex-emu/']);
    // Nothing else changed.
    delete out.annotations['run.oci.handler'];
    out.process.args = before.process.args;
    out.mounts = before.mounts;
    out.process.env = before.process.env;
    strict_1.default.deepEqual(out, before);
});
(0, node_test_1.test)('stand-in 64 KiB host without fexpod-guest-init built: the command runs through FEX, args[0] resolved in the rootfs', () => {
    const noInit = { ...STATE, microvm: VM.map(({ guestInit: _, ...e }) => e) };
    const { res } = run(arch_js_1.Arch.of('x86_64'), { ...usable, pageSize: 65536 }, noInit);
    const out = JSON.parse(Buffer.from(res.output).toString('utf8'));
    strict_1.default.deepEqual(out.process.args, [`${P}/bin/FEX`, '/usr/bin/uname', '-m'], 'found on the container\'s PATH, as execvp would');
});
const refusals = [
    { name: 'crun without +LIBKRUN (crun 1.8 would silently run it natively)', vm: { ...usable, crunFeatures: ['SYSTEMD'] }, why: /krun handler: crun is built without \+LIBKRUN/, fix: /dnf install crun-krun/ },
    { name: 'no crun', vm: { ...usable, crunFeatures: undefined }, why: /crun is not installed/, fix: /crun-krun/ },
    { name: 'no /dev/kvm', vm: { ...usable, kvm: { present: false, accessible: false } }, why: /\/dev\/kvm does not exist/, fix: /modprobe kvm/ },
    { name: '/dev/kvm not accessible (rootless)', vm: { ...usable, kvm: { present: true, accessible: false } }, why: /\/dev\/kvm is not accessible/, fix: /usermod -aG kvm/ },
    { name: 'nothing staged for the microVM', vm: usable, state: { ...STATE, microvm: undefined }, why: /staged no emulator for x86_64 containers in the krun microVM/, fix: /fexpod binfmt install/ },
    { name: 'the microVM prefix is gone', vm: usable, state: { ...STATE, microvm: VM.map((e) => ({ ...e, prefix: (0, node_path_1.join)(dir, 'gone') })) }, why: /microVM prefix .*gone is gone/, fix: /fexpod binfmt install/ },
];
for (const c of refusals) {
    (0, node_test_1.test)(`stand-in 16 KiB host, ${c.name}: refused at create time, naming the missing piece`, () => {
        const { res, input: i, log } = run(arch_js_1.Arch.of('x86_64'), c.vm, c.state);
        strict_1.default.equal(res.outcome, 'refused');
        strict_1.default.match(res.refusal ?? '', new RegExp(`^fexpod: refusing this container: /usr/bin/uname is x86_64; this host uses \\d+ KiB pages and FEX needs 4 KiB, .*${c.why.source}`));
        strict_1.default.match(res.refusal ?? '', new RegExp(`\\n  fix: .*${c.fix.source}`));
        strict_1.default.ok(Buffer.from(res.output).equals(i));
        strict_1.default.match(log, /refusing this container/);
    });
}
(0, node_test_1.test)('stand-in 16 KiB host without krun but with box64 registered on the host: box64 serves (no refusal)', () => {
    const box64 = { guest: 'x86_64', emulator: 'box64', entryName: 'fexpod-box64-x86_64', registration: ':fexpod-box64-x86_64:M:0:x::/usr/bin/box64:F', interpreter: '/usr/bin/box64' };
    const { res, log } = run(arch_js_1.Arch.of('x86_64'), { ...usable, crunFeatures: ['SYSTEMD'] }, { ...STATE, registrations: [box64] });
    strict_1.default.notEqual(res.outcome, 'refused', log);
});
(0, node_test_1.test)('stand-in 16 KiB host, a native arm64 container: untouched, and the microVM facts are never read', () => {
    const { res, input: i, asked } = run(arch_js_1.Arch.of('aarch64'), usable);
    strict_1.default.equal(res.outcome, 'native');
    strict_1.default.ok(Buffer.from(res.output).equals(i));
    strict_1.default.equal(asked, 0);
});
(0, node_test_1.test)('a 4 KiB host: the usual foreign path, no krun annotation', () => {
    const fex = { guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: ':FEX-x86_64:M:0:x::/usr/bin/FEX:POCF', interpreter: '/usr/bin/FEX' };
    const { input: i, r } = input(arch_js_1.Arch.of('x86_64'));
    const res = (0, precreate_js_1.precreate)(i, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('aarch64'), loadState: () => ({ ...STATE, registrations: [fex] }), binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({ 'FEX-x86_64': 'enabled' }).deps, log: (0, log_js_1.memoryLogger)(), microVmHost: () => ({ ...usable, pageSize: 4096 }) });
    r.remove();
    const out = JSON.parse(Buffer.from(res.output).toString('utf8'));
    strict_1.default.equal(out.annotations['run.oci.handler'], undefined);
    strict_1.default.deepEqual(out.process.args, ['uname', '-m']);
});
