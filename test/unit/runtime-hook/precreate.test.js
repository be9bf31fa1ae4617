"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const host_fs_js_1 = require("../../../src/runtime-hook/hook/host-fs.js");
const precreate_js_1 = require("../../../src/runtime-hook/hook/precreate.js");
const fex_env_js_1 = require("../../../src/runtime-hook/fex/fex-env.js");
const integration_js_1 = require("../../helpers/integration.js");
const binfmt_standin_js_1 = require("./binfmt-standin.js");
const rootfs_fixture_js_1 = require("./rootfs-fixture.js");
const configs = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'podman-configs');
// Real directories for the prefixes: the hook refuses to mount a prefix that is gone.
const prefixes = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-prefixes-'));
(0, node_test_1.after)(() => (0, node_fs_1.rmSync)(prefixes, { recursive: true, force: true }));
const QEMU_PREFIX = (0, node_path_1.join)(prefixes, 'qemu-aarch64-0123');
const FEX_PREFIX = (0, node_path_1.join)(prefixes, 'fex-abcd');
for (const f of [(0, node_path_1.join)(QEMU_PREFIX, 'bin', 'qemu-aarch64'), (0, node_path_1.join)(FEX_PREFIX, 'bin', 'FEX'), (0, node_path_1.join)(FEX_PREFIX, 'bin', 'FEXServer')]) {
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(f, '..'), { recursive: true });
    (0, node_fs_1.writeFileSync)(f, '');
}
const QEMU_AARCH64 = {
    guest: 'aarch64',
    emulator: 'qemu-user',
    entryName: 'fexpod-qemu-aarch64',
    registration: `:fexpod-qemu-aarch64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:${QEMU_PREFIX}/bin/qemu-aarch64:F`,
    interpreter: `${QEMU_PREFIX}/bin/qemu-aarch64`,
    prefix: QEMU_PREFIX,
};
// Stand-in for a FEX installation: FEX does not exist on this machine; the
// registration is shaped like the one `fexpod binfmt install` records for it.
const FEX_X86_64 = {
    guest: 'x86_64',
    emulator: 'fex',
    entryName: 'FEX-x86_64',
    registration: `:FEX-x86_64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x3e\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\x00\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:${FEX_PREFIX}/bin/FEX:POCF`,
    interpreter: `${FEX_PREFIX}/bin/FEX`,
    prefix: FEX_PREFIX,
    env: { FEX_TSOENABLED: '1' },
};
const STATE = { version: 1, registrations: [QEMU_AARCH64, FEX_X86_64], disabled: [], persisted: [] };
/** A capture with its root.path pointing at a temp rootfs holding args[0] for `imageArch`. */
function fixture(name, imageArch) {
    const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(configs, name), 'utf8');
    const spec = JSON.parse(text);
    const r = new rootfs_fixture_js_1.TempRoot();
    const elf = (0, rootfs_fixture_js_1.elfHeader)(imageArch);
    for (const p of ['bin/uname', 'bin/true', 'bin/sh'])
        r.add([{ file: p, bytes: elf }]);
    const input = Buffer.from(text.replace(JSON.stringify(spec.root.path), JSON.stringify(r.root)), 'utf8');
    return { input, r };
}
// FEX's values (READ_IMPLIES_EXEC with each persona Podman allows, and the 64-bit query); see fex/personality-rule.ts.
const FEX_PERSONALITY = [0x400000, 0x400008, 0x420000, 0x420008, 2 ** 64];
const cases = [
    { name: 'native amd64 passes through byte for byte', file: 'rootful-amd64-privileged.json', host: 'x86_64', image: 'x86_64', state: STATE, want: 'native' },
    { name: 'native amd64 with a user, volume and entrypoint', file: 'rootful-amd64-volume-user-entrypoint.json', host: 'x86_64', image: 'x86_64', state: STATE, want: 'native' },
    { name: 'i386 is native on x86_64', file: 'rootful-amd64-privileged.json', host: 'x86_64', image: 'i386', state: STATE, want: 'native' },
    {
        name: 'foreign arm64 gets the prefix mount',
        file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE,
        binfmt: [{ 'fexpod-qemu-aarch64': 'enabled' }], want: 'edited', mounts: [QEMU_AARCH64.prefix ?? ''], env: [],
    },
    {
        name: 'foreign --read-only container',
        file: 'rootful-arm64-readonly.json', host: 'x86_64', image: 'aarch64', state: STATE,
        binfmt: [{ 'fexpod-qemu-aarch64': 'enabled' }], want: 'edited', mounts: [QEMU_AARCH64.prefix ?? ''], env: [],
    },
    {
        name: 'flushed entry is re-registered (systemd-binfmt restart)',
        file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE,
        binfmt: [{}], want: 'edited', mounts: [QEMU_AARCH64.prefix ?? ''], registered: true,
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
        binfmt: [{ 'fexpod-qemu-aarch64': 'enabled' }, { privileged: false }], want: 'edited', mounts: [QEMU_AARCH64.prefix ?? ''],
    },
    { name: 'entry disabled by the admin: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE, binfmt: [{ 'fexpod-qemu-aarch64': 'disabled' }], want: 'unchanged' },
    { name: 'no install state: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: undefined, want: 'unchanged' },
    { name: 'no emulator for armhf: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'arm', state: STATE, want: 'unchanged' },
    { name: 'register fails: left alone', file: 'rootful-arm64-uname.json', host: 'x86_64', image: 'aarch64', state: STATE, binfmt: [{}, { failWith: 'EINVAL' }], want: 'unchanged' },
    {
        name: 'aarch64 host, amd64 image: FEX prefix, env and FEXServer data dir (FEX stand-in)',
        file: 'aarch64-crun-cgv2-amd64-uname.json', host: 'aarch64', image: 'x86_64', state: STATE,
        binfmt: [{ 'FEX-x86_64': 'enabled' }], want: 'edited', mounts: [FEX_X86_64.prefix ?? ''],
        env: [`FEX_APP_DATA_LOCATION=${fex_env_js_1.FEX_CONTAINER_DATA_DIR}`, (root) => `FEX_SERVERSOCKETPATH=${(0, fex_env_js_1.fexServerSocketName)(root)}`, 'FEX_TSOENABLED=1'],
        personality: FEX_PERSONALITY,
    },
    {
        name: 'aarch64 host, amd64 image with a volume (FEX stand-in)',
        file: 'aarch64-crun-cgv2-amd64-volume.json', host: 'aarch64', image: 'x86_64', state: STATE,
        binfmt: [{ 'FEX-x86_64': 'enabled' }], want: 'edited', mounts: [FEX_X86_64.prefix ?? ''], personality: FEX_PERSONALITY,
    },
    {
        name: 'privileged amd64 container (no seccomp) gets no seccomp rules (FEX stand-in)',
        file: 'rootful-amd64-privileged.json', host: 'aarch64', image: 'x86_64', state: STATE,
        binfmt: [{ 'FEX-x86_64': 'enabled' }], want: 'edited', mounts: [FEX_X86_64.prefix ?? ''],
    },
    { name: 'aarch64 host, arm64 image is native', file: 'aarch64-crun-cgv2-amd64-uname.json', host: 'aarch64', image: 'aarch64', state: STATE, want: 'native' },
];
for (const c of cases) {
    (0, node_test_1.test)(`precreate: ${c.name}`, (t) => {
        const { input, r } = fixture(c.file, arch_js_1.Arch.parse(c.image));
        t.after(() => r.remove());
        const b = (0, binfmt_standin_js_1.binfmtStandIn)(...(c.binfmt ?? [{}]));
        const log = (0, log_js_1.memoryLogger)();
        const res = (0, precreate_js_1.precreate)(input, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.parse(c.host), loadState: () => c.state, binfmt: b.deps, log });
        strict_1.default.equal(res.outcome === 'native' || res.outcome === 'edited' ? res.outcome : 'unchanged', c.want, log.lines.join('\n'));
        if (c.want !== 'edited') {
            strict_1.default.ok(Buffer.from(res.output).equals(input), 'output must be the input bytes');
            return;
        }
        const before = JSON.parse(input.toString('utf8'));
        const after = JSON.parse(Buffer.from(res.output).toString('utf8'));
        const added = after.mounts.slice(before.mounts.length);
        for (const m of c.mounts ?? []) {
            strict_1.default.deepEqual(added.find((x) => x.destination === m), { destination: m, source: m, type: 'bind', options: ['bind', 'ro', 'nosuid', 'nodev'] });
        }
        const addedEnv = after.process.env.slice(before.process.env.length);
        if (c.env)
            strict_1.default.deepEqual(addedEnv, c.env.map((e) => (typeof e === 'string' ? e : e(r.root))));
        const rules = before.linux.seccomp ? after.linux.seccomp.syscalls.slice(before.linux.seccomp.syscalls.length) : [];
        strict_1.default.deepEqual(rules, (c.personality ?? []).map((value) => ({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })));
        after.mounts = after.mounts.slice(0, before.mounts.length);
        after.process.env = after.process.env.slice(0, before.process.env.length);
        if (before.linux.seccomp)
            after.linux.seccomp.syscalls = after.linux.seccomp.syscalls.slice(0, before.linux.seccomp.syscalls.length);
        strict_1.default.deepEqual(after, before, 'nothing else changes');
        strict_1.default.equal(b.registered.length > 0, c.registered ?? false);
    });
}
(0, node_test_1.test)('precreate: a mount already present is not added twice', (t) => {
    const { input, r } = fixture('rootful-arm64-uname.json', arch_js_1.Arch.of('aarch64'));
    t.after(() => r.remove());
    const prefix = QEMU_AARCH64.prefix ?? '';
    const withMount = Buffer.from(input.toString('utf8').replace('"mounts":[', `"mounts":[{"destination":"${prefix}","type":"bind","source":"${prefix}","options":["bind","ro"]},`));
    const res = (0, precreate_js_1.precreate)(withMount, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('x86_64'), loadState: () => STATE, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({ 'fexpod-qemu-aarch64': 'enabled' }).deps, log: (0, log_js_1.memoryLogger)() });
    strict_1.default.ok(Buffer.from(res.output).equals(withMount));
});
(0, node_test_1.test)('precreate: the container sets an emulator variable itself, it wins (FEX stand-in)', (t) => {
    const { input, r } = fixture('aarch64-crun-cgv2-amd64-uname.json', arch_js_1.Arch.of('x86_64'));
    t.after(() => r.remove());
    const own = Buffer.from(input.toString('utf8').replace('"env":["PATH=/bin"', '"env":["PATH=/bin","FEX_TSOENABLED=0"'));
    const res = (0, precreate_js_1.precreate)(own, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('aarch64'), loadState: () => STATE, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({ 'FEX-x86_64': 'enabled' }).deps, log: (0, log_js_1.memoryLogger)() });
    const env = JSON.parse(Buffer.from(res.output).toString('utf8')).process.env;
    strict_1.default.deepEqual(env.filter((e) => e.startsWith('FEX_TSO')), ['FEX_TSOENABLED=0']);
});
const garbage = [
    { name: 'not JSON', input: 'not json' },
    { name: 'empty', input: '' },
    { name: 'array', input: '[]' },
    { name: 'no root', input: '{"process":{"args":["x"]}}' },
    { name: 'relative root', input: '{"root":{"path":"rootfs"},"process":{"args":["x"]}}' },
    { name: 'root outside anything', input: '{"root":{"path":"/nonexistent/fexpod"},"process":{"args":["/bin/sh"]}}' },
];
for (const g of garbage) {
    (0, node_test_1.test)(`precreate: ${g.name} input passes through unchanged`, () => {
        const input = Buffer.from(g.input);
        const res = (0, precreate_js_1.precreate)(input, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('x86_64'), loadState: () => STATE, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)().deps, log: (0, log_js_1.memoryLogger)() });
        strict_1.default.ok(Buffer.from(res.output).equals(input));
    });
}
(0, node_test_1.test)('precreate: an unreadable install state leaves the container alone', (t) => {
    const { input, r } = fixture('rootful-arm64-uname.json', arch_js_1.Arch.of('aarch64'));
    t.after(() => r.remove());
    const log = (0, log_js_1.memoryLogger)();
    const res = (0, precreate_js_1.precreate)(input, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('x86_64'), loadState: () => { throw new Error('bad json'); }, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)().deps, log });
    strict_1.default.ok(Buffer.from(res.output).equals(input));
    strict_1.default.match(log.lines.join('\n'), /install state unreadable: bad json/);
});
(0, node_test_1.test)('precreate: a prefix that is gone is not mounted (the runtime would fail the container)', (t) => {
    const { input, r } = fixture('rootful-arm64-uname.json', arch_js_1.Arch.of('aarch64'));
    t.after(() => r.remove());
    const gone = { ...STATE, registrations: [{ ...QEMU_AARCH64, prefix: (0, node_path_1.join)(prefixes, 'gone') }] };
    const log = (0, log_js_1.memoryLogger)();
    const res = (0, precreate_js_1.precreate)(input, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('x86_64'), loadState: () => gone, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({ 'fexpod-qemu-aarch64': 'enabled' }).deps, log });
    strict_1.default.ok(Buffer.from(res.output).equals(input));
    strict_1.default.match(log.lines.join('\n'), /prefix .* is gone/);
});
(0, node_test_1.test)('precreate: FEX staged without FEXServer is mounted but logged (FEX stand-in)', (t) => {
    const { input, r } = fixture('aarch64-crun-cgv2-amd64-uname.json', arch_js_1.Arch.of('x86_64'));
    t.after(() => r.remove());
    const bare = (0, node_path_1.join)(prefixes, 'fex-noserver');
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(bare, 'bin'), { recursive: true });
    const noServer = { ...STATE, registrations: [{ ...FEX_X86_64, prefix: bare, interpreter: (0, node_path_1.join)(bare, 'bin', 'FEX') }] };
    const log = (0, log_js_1.memoryLogger)();
    const res = (0, precreate_js_1.precreate)(input, { fs: (0, host_fs_js_1.hostExecFs)(), host: arch_js_1.Arch.of('aarch64'), loadState: () => noServer, binfmt: (0, binfmt_standin_js_1.binfmtStandIn)({ 'FEX-x86_64': 'enabled' }).deps, log });
    strict_1.default.equal(res.outcome, 'edited');
    strict_1.default.match(log.lines.join('\n'), /warn: FEXServer is not next to/);
});
