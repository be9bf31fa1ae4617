"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The doctor's rootless route: the parsers behind its facts, the judgement
 * (available, and why not, each with its fix) and the advice it adds.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const podman_userns_js_1 = require("../../../src/emulator/rootless/podman-userns.js");
const rootless_facts_js_1 = require("../../../src/emulator/rootless/rootless-facts.js");
const rootless_route_js_1 = require("../../../src/emulator/rootless/rootless-route.js");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const doctor_command_js_1 = require("../../../src/emulator/doctor/doctor-command.js");
const doctor_report_js_1 = require("../../../src/emulator/doctor/doctor-report.js");
const doctor_format_js_1 = require("../../../src/emulator/doctor/doctor-format.js");
const elf_builder_js_1 = require("./elf-builder.js");
const fake_fs_js_1 = require("./fake-fs.js");
const fake_host_js_1 = require("./fake-host.js");
(0, node_test_1.test)('userName and subIdRanges read /etc/passwd and /etc/subuid, by name or by uid', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n';
    strict_1.default.equal((0, rootless_facts_js_1.userName)(passwd, 1000), 'alice');
    strict_1.default.equal((0, rootless_facts_js_1.userName)(passwd, 1001), undefined);
    const subuid = 'alice:100000:65536\nbob:165536:65536\n1000:300000:1000\n# comment\nalice:bad:1\n';
    strict_1.default.deepEqual((0, rootless_facts_js_1.subIdRanges)(subuid, 'alice', 1000), [{ start: 100000, count: 65536 }, { start: 300000, count: 1000 }]);
    strict_1.default.deepEqual((0, rootless_facts_js_1.subIdRanges)(subuid, 'carol', 1002), []);
});
(0, node_test_1.test)('parseUsernsBinfmt reads the podman unshare script output', () => {
    const ns = (0, podman_userns_js_1.parseUsernsBinfmt)('instance=private\nfexpod-qemu-user-aarch64=enabled\nfexpod-qemu-user-arm=missing\n', ['fexpod-qemu-user-aarch64', 'fexpod-qemu-user-arm', 'x']);
    strict_1.default.deepEqual(ns, { instance: 'private', entries: { 'fexpod-qemu-user-aarch64': 'enabled', 'fexpod-qemu-user-arm': 'missing', x: 'missing' } });
    strict_1.default.equal((0, podman_userns_js_1.parseUsernsBinfmt)('instance=host\n', []).instance, 'host');
});
const good = {
    uid: 1000,
    user: 'alice',
    kernelRelease: '6.8.5-301.fc40.aarch64',
    perUsernsBinfmt: true,
    maxUserNamespaces: 62000,
    unprivilegedUsernsClone: undefined,
    subuid: [{ start: 100000, count: 65536 }],
    subgid: [{ start: 100000, count: 65536 }],
    newuidmap: true,
    newgidmap: true,
    probe: { ok: true },
    podman: { present: true, unshare: { ok: true, uidMapLines: 2 } },
    install: { hooksDir: '/home/alice/.config/fexpod/hooks.d', hookInForce: false, stateFile: '/home/alice/.local/share/fexpod/binfmt-state.json', guests: [], missingPrefixes: [] },
};
const cases = [
    { name: 'Fedora 40 user with subordinate ids: available', facts: good, available: true },
    { name: 'kernel 6.6: not available, boot ≥ 6.7 or ask root', facts: { ...good, kernelRelease: '6.6.9', perUsernsBinfmt: false, probe: { ok: false, error: 'mount: permission denied' } }, available: false, failed: 'kernel', fix: /Linux ≥ 6\.7.*sudo fexpod binfmt install/ },
    { name: 'no subuid range: usermod --add-subuids', facts: { ...good, subuid: [] }, available: false, failed: 'subordinate ids', fix: /usermod --add-subuids .* alice/ },
    { name: 'Debian knob off: sysctl', facts: { ...good, unprivilegedUsernsClone: false }, available: false, failed: 'user namespaces', fix: /unprivileged_userns_clone=1/ },
    { name: 'no newuidmap: install shadow-utils/uidmap', facts: { ...good, newuidmap: false }, available: false, failed: 'newuidmap/newgidmap', fix: /uidmap/ },
    { name: 'podman unshare fails: its error', facts: { ...good, podman: { present: true, unshare: { ok: false, error: 'cannot re-exec process' } } }, available: false, failed: 'rootless podman', fix: /rootless Podman setup/ },
    { name: 'podman maps only the user (no subids in use): migrate', facts: { ...good, podman: { present: true, unshare: { ok: true, uidMapLines: 1 } } }, available: false, failed: 'rootless podman', fix: /podman system migrate/ },
    { name: 'no podman', facts: { ...good, podman: { present: false } }, available: false, failed: 'podman', fix: /dnf install podman/ },
    { name: 'the private mount is refused', facts: { ...good, probe: { ok: false, error: 'mount: /proc/sys/fs/binfmt_misc: permission denied.' } }, available: false, failed: 'private binfmt_misc' },
];
for (const c of cases) {
    (0, node_test_1.test)(`rootless route: ${c.name}`, () => {
        const r = (0, rootless_route_js_1.rootlessRoute)(c.facts);
        strict_1.default.equal(r.applicable, true);
        strict_1.default.equal(r.available, c.available, JSON.stringify(r.checks));
        if (c.failed) {
            const bad = r.checks.filter((x) => !x.ok);
            strict_1.default.ok(bad.some((x) => x.name === c.failed), JSON.stringify(bad));
            if (c.fix)
                strict_1.default.ok(bad.some((x) => c.fix?.test(x.fix ?? '')), JSON.stringify(bad));
            const advice = (0, rootless_route_js_1.rootlessAdvice)(r, c.facts, 'x86_64', false);
            strict_1.default.ok(advice.some((a) => /not available/.test(a.problem) && !a.blocking), 'not set up: informational');
        }
    });
}
(0, node_test_1.test)('rootless advice: installed and serving the primary guest → info; installed but route broken → blocking', () => {
    const installed = { ...good, install: { ...good.install, hookInForce: true, guests: ['x86_64', 'i386'] } };
    const r = (0, rootless_route_js_1.rootlessRoute)(installed);
    strict_1.default.equal(r.installed, true);
    strict_1.default.deepEqual(r.guests, ['x86_64', 'i386']);
    const a = (0, rootless_route_js_1.rootlessAdvice)(r, installed, 'x86_64', false);
    strict_1.default.deepEqual(a.map((x) => [x.severity, x.blocking]), [['info', false]]);
    strict_1.default.match(a[0]?.problem ?? '', /rootless route in use/);
    const broken = { ...installed, subgid: [] };
    const b = (0, rootless_route_js_1.rootlessAdvice)((0, rootless_route_js_1.rootlessRoute)(broken), broken, 'x86_64', false);
    strict_1.default.ok(b.some((x) => x.blocking && /not available/.test(x.problem)));
    strict_1.default.ok(!(0, rootless_route_js_1.rootlessAdvice)((0, rootless_route_js_1.rootlessRoute)(broken), broken, 'x86_64', true).some((x) => x.blocking), 'the host serves: not blocking');
    const gone = { ...installed, install: { ...installed.install, missingPrefixes: ['/home/alice/.local/share/fexpod/prefix/abc'] } };
    strict_1.default.ok((0, rootless_route_js_1.rootlessAdvice)((0, rootless_route_js_1.rootlessRoute)(gone), gone, 'x86_64', false).some((x) => x.blocking && /prefix .* is missing/.test(x.problem)));
    strict_1.default.deepEqual((0, rootless_route_js_1.rootlessAdvice)((0, rootless_route_js_1.rootlessRoute)({ ...good, uid: 0 }), { ...good, uid: 0 }, 'x86_64', false), []);
});
// The whole doctor as a normal user on a Fedora aarch64 host where root set nothing up.
const USER_HOOK = JSON.stringify({
    version: '1.0.0',
    hook: { path: '/usr/bin/node', args: ['node', '/usr/lib/fexpod/dist/hook/runtime-hook/hook-main.js', 'precreate', '--private-binfmt', '--state', '/home/alice/.local/share/fexpod/binfmt-state.json'], env: [], timeout: 10 },
    when: { always: true },
    stages: ['precreate'],
});
const PREFIX = `/home/alice/.local/share/fexpod/prefix/${'b'.repeat(64)}`;
const USER_STATE = JSON.stringify({
    version: 1,
    registrations: [{ guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: `:FEX-x86_64:M:0:\\x7fELF:\\xff\\xff\\xff\\xff:${PREFIX}/bin/FEX:POCF`, interpreter: `${PREFIX}/bin/FEX`, prefix: PREFIX }],
    disabled: [],
    persisted: [],
});
function aliceHost(installed, unshareOk, selinuxLabel) {
    const dyn = { bytes: (0, elf_builder_js_1.buildElf)({ machine: 0xb7, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libc.so.6'] } }), exec: true };
    const fs = new fake_fs_js_1.FakeFs({
        '/proc/self/auxv': { bytes: new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'auxv', 'aarch64-qemu-user.auxv'))) },
        '/proc/filesystems': { bytes: 'nodev\tbinfmt_misc\n' },
        '/proc/sys/fs/binfmt_misc/register': { bytes: '' },
        '/proc/sys/fs/binfmt_misc/status': { bytes: 'enabled\n' },
        '/proc/sys/user/max_user_namespaces': { bytes: '62000\n' },
        '/etc/passwd': { bytes: 'alice:x:1000:1000::/home/alice:/bin/bash\n' },
        '/etc/subuid': { bytes: 'alice:524288:65536\n' },
        '/etc/subgid': { bytes: 'alice:524288:65536\n' },
        '/usr/bin/FEX': dyn,
        '/usr/bin/FEXServer': dyn,
        ...(selinuxLabel ? { '/sys/fs/selinux/enforce': { bytes: '1\n' } } : {}),
        ...(installed
            ? {
                '/home/alice/.config/containers/containers.conf.d/90-fexpod-hooks.conf': { bytes: '[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "/home/alice/.config/fexpod/hooks.d"]\n' },
                '/home/alice/.config/fexpod/hooks.d/fexpod-precreate.json': { bytes: USER_HOOK },
                '/home/alice/.local/share/fexpod/binfmt-state.json': { bytes: USER_STATE },
                [`${PREFIX}/bin/FEX`]: dyn,
            }
            : {}),
    });
    fs.files.get('/proc/sys/fs/binfmt_misc/register').mode = 0o200;
    const programs = { ...(selinuxLabel ? { 'stat -c %C /home/alice/.local/share/fexpod/prefix': `${selinuxLabel}\n` } : {}), podman: '', 'podman --version': 'podman version 5.2.0\n', newuidmap: '', newgidmap: '', crun: '', 'crun --version': 'crun version 1.20\n+SYSTEMD +SELINUX\n' };
    const base = (0, fake_host_js_1.fakeHostDeps)(fs, { uid: 1000, kernelRelease: '6.8.5-301.fc40.aarch64', env: { HOME: '/home/alice', PATH: '/usr/bin' } }, programs);
    const host = {
        ...base,
        run: async (file, args, timeoutMs) => {
            if (file === 'unshare')
                return { stdout: '', stderr: '', exitCode: 0 };
            if (file === 'podman' && args[0] === 'unshare')
                return unshareOk ? { stdout: '         0       1000          1\n         1     524288      65536\n', stderr: '', exitCode: 0 } : { stdout: '', stderr: 'Error: cannot set up namespace using "/usr/bin/newuidmap": exit status 1\n', exitCode: 125 };
            return base.run(file, args, timeoutMs);
        },
    };
    return { fs, host };
}
(0, node_test_1.test)('doctor as a normal user, nothing set up by root: the rootless route is open and "fexpod hook install --user" is the fix', async () => {
    const { fs, host } = aliceHost(false, true);
    const r = (0, doctor_report_js_1.buildDoctorReport)(await (0, doctor_command_js_1.gatherDoctorInput)(host, (0, fake_host_js_1.fakeDiscoveryDeps)(fs), '/var/lib/fexpod'));
    strict_1.default.equal(r.rootlessRoute?.available, true);
    strict_1.default.equal(r.rootlessRoute?.installed, false);
    strict_1.default.equal(r.healthy, false);
    const w = r.advice.find((a) => /not writable as uid 1000/.test(a.problem));
    strict_1.default.ok(w?.blocking);
    strict_1.default.match(w?.fix ?? '', /fexpod hook install --user/);
    strict_1.default.match((0, doctor_format_js_1.formatDoctorReport)(r), /rootless route \(private binfmt_misc in Podman's user namespace\): available, not set up/);
});
(0, node_test_1.test)('doctor as a normal user after "fexpod hook install --user": healthy, the route in use', async () => {
    const { fs, host } = aliceHost(true, true);
    const r = (0, doctor_report_js_1.buildDoctorReport)(await (0, doctor_command_js_1.gatherDoctorInput)(host, (0, fake_host_js_1.fakeDiscoveryDeps)(fs), '/var/lib/fexpod'));
    const lines = r.advice.map((a) => `${a.severity}${a.blocking ? '!' : ''} ${a.problem}`).join('\n');
    strict_1.default.equal(r.healthy, true, lines);
    strict_1.default.deepEqual(r.rootlessRoute?.guests, ['x86_64']);
    strict_1.default.ok(r.advice.some((a) => /rootless route in use/.test(a.problem)), lines);
    strict_1.default.ok(r.podman?.fexpodHooks.some((h) => h.path === '/home/alice/.config/fexpod/hooks.d/fexpod-precreate.json'));
});
(0, node_test_1.test)('doctor as a normal user whose rootless podman is broken after the install: blocking, with podman\'s error', async () => {
    const { fs, host } = aliceHost(true, false);
    const r = (0, doctor_report_js_1.buildDoctorReport)(await (0, doctor_command_js_1.gatherDoctorInput)(host, (0, fake_host_js_1.fakeDiscoveryDeps)(fs), '/var/lib/fexpod'));
    strict_1.default.equal(r.healthy, false);
    strict_1.default.ok(r.advice.some((a) => a.blocking && /rootless podman: podman unshare failed: Error: cannot set up namespace/.test(a.problem)));
});
(0, node_test_1.test)('doctor, SELinux enforcing (stand-in label: no SELinux on this host): a user prefix labelled data_home_t blocks, with the chcon that fixes it; container_ro_file_t is fine', async () => {
    for (const [label, blocked] of [['unconfined_u:object_r:data_home_t:s0', true], ['unconfined_u:object_r:container_ro_file_t:s0', false]]) {
        const { fs, host } = aliceHost(true, true, label);
        const r = (0, doctor_report_js_1.buildDoctorReport)(await (0, doctor_command_js_1.gatherDoctorInput)(host, (0, fake_host_js_1.fakeDiscoveryDeps)(fs), '/var/lib/fexpod'));
        const a = r.advice.find((x) => /your rootless install\) is labelled/.test(x.problem));
        strict_1.default.equal(a !== undefined, blocked, label);
        if (a) {
            strict_1.default.equal(a.blocking, true);
            strict_1.default.equal(a.fix, 'chcon -R -t container_ro_file_t /home/alice/.local/share/fexpod/prefix');
        }
    }
});
