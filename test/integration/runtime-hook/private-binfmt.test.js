"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The rootless hook's private-instance registration against the real kernel
 * (≥ 6.7), without Podman: ten processes in one throwaway user + mount
 * namespace of an unprivileged user (uid 65534, `unshare -Urm`, the shape of
 * rootless Podman's namespace) run ensurePrivateRegistration at once. Exactly
 * one mounts binfmt_misc, all succeed, a file with the registered magic then
 * executes through the registered interpreter inside the namespace only, and
 * the host's binfmt_misc never gets the entry. Nothing machine-global changes
 * (the namespace dies with the command), so no binfmt lock is taken — and so
 * the host's table, which teammates' locked tests may change meanwhile, is
 * checked only for our entry (rootless-podman.test.ts, under the lock, checks
 * it byte for byte).
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_url_1 = require("node:url");
const kernel_version_js_1 = require("../../../src/emulator/host/kernel-version.js");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const integration_js_1 = require("../../helpers/integration.js");
const readable_checkout_js_1 = require("../../helpers/readable-checkout.js");
const BINFMT = '/proc/sys/fs/binfmt_misc';
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const req = (0, integration_js_1.integration)((0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('setpriv'), (0, integration_js_1.onPath)('unshare'), (0, integration_js_1.fileExists)('/usr/bin/flock'), { what: 'Linux ≥ 6.7 (per-user-namespace binfmt_misc)', ok: (0, kernel_version_js_1.hasPerUsernsBinfmt)((0, kernel_version_js_1.parseKernelRelease)((0, node_os_1.release)())) });
/** Host entries whose registration mentions this test's marker. */
function hostEntriesWith(marker) {
    return (0, node_fs_1.readdirSync)(BINFMT).filter((n) => {
        if (n === 'register' || n === 'status')
            return false;
        try {
            return n.includes(marker) || (0, node_fs_1.readFileSync)((0, node_path_1.join)(BINFMT, n), 'utf8').includes(marker);
        }
        catch {
            return false;
        }
    });
}
/** A temporary directory uid 65534 can use, and the compiled module it can import. */
function workDir(t) {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-private-binfmt-'));
    (0, node_fs_1.chmodSync)(dir, 0o777);
    const checkout = (0, readable_checkout_js_1.readableCheckout)((p) => (0, node_child_process_1.spawnSync)('setpriv', [...NOBODY, 'test', '-r', p]).status === 0);
    t.after(() => {
        checkout.cleanup();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    });
    const mod = (0, node_url_1.pathToFileURL)((0, node_path_1.join)(checkout.root, 'dist', 'src', 'runtime-hook', 'hook', 'private-binfmt.js')).href;
    return { dir, mod };
}
(0, node_test_1.test)('ten concurrent hooks in one unprivileged user namespace: one mount, one entry, exec works there only', req, (t) => {
    const { dir, mod } = workDir(t);
    const name = `fexpod-it-${process.pid}`;
    // A magic nothing real has; /usr/bin/true as the interpreter (F opens it now).
    const registration = `:${name}:M::FXPDTEST::/usr/bin/true:F`;
    const state = {
        version: 1,
        registrations: [{ guest: 'aarch64', emulator: 'qemu-user-static', entryName: name, registration, interpreter: '/usr/bin/true' }],
        disabled: [],
        persisted: [],
    };
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'state.json'), (0, install_state_js_1.formatInstallState)(state));
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'probe.fx'), 'FXPDTEST this is not a program\n', { mode: 0o755 });
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'runner.mjs'), `import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { ensurePrivateRegistration, hostPrivateBinfmt } from ${JSON.stringify(mod)};
const state = JSON.parse(readFileSync(${JSON.stringify((0, node_path_1.join)(dir, 'state.json'))}, 'utf8'));
const r = ensurePrivateRegistration(state.registrations[0], state, hostPrivateBinfmt(${JSON.stringify((0, node_path_1.join)(dir, 'private-binfmt.lock'))}, release()));
process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n');
`);
    const script = `
for i in 1 2 3 4 5 6 7 8 9 10; do "$1" "$2/runner.mjs" & done; wait
echo "MOUNTS $(grep -c ' ${BINFMT} ' /proc/self/mountinfo)"
"$2/probe.fx"; echo "EXEC $?"
echo "ENTRY $(head -n 1 ${BINFMT}/${name})"
`;
    const r = (0, node_child_process_1.spawnSync)('setpriv', [...NOBODY, 'unshare', '--user', '--map-root-user', '--mount', '/bin/sh', '-c', script, 'sh', process.execPath, dir], { encoding: 'utf8', timeout: 120_000, cwd: dir });
    strict_1.default.equal(r.status, 0, r.stderr);
    const results = r.stdout.split('\n').filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)));
    strict_1.default.equal(results.length, 10, r.stdout + r.stderr);
    strict_1.default.deepEqual(results.filter((x) => !x.result.ok), [], r.stdout);
    strict_1.default.equal(results.filter((x) => x.created).length, 1, 'exactly one hook made the instance');
    const hostMounts = (0, node_fs_1.readFileSync)('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(` ${BINFMT} `)).length;
    strict_1.default.match(r.stdout, new RegExp(`^MOUNTS ${hostMounts + 1}$`, 'm'), 'one mount on top of what the host has');
    strict_1.default.match(r.stdout, /^EXEC 0$/m, 'the magic file ran through the private entry');
    strict_1.default.match(r.stdout, /^ENTRY enabled$/m);
    // Outside that namespace nothing changed: the host has no such entry and the file does not run.
    strict_1.default.deepEqual(hostEntriesWith(name), []);
    strict_1.default.deepEqual(hostEntriesWith('FXPDTEST'.split('').map((c) => c.charCodeAt(0).toString(16)).join('')), []);
    // (The kernel refuses it with ENOEXEC; execvp then hands it to sh, which fails on the text.)
    const outside = (0, node_child_process_1.spawnSync)('/bin/sh', ['-c', '"$0"', (0, node_path_1.join)(dir, 'probe.fx')], { encoding: 'utf8' });
    strict_1.default.notEqual(outside.status, 0, 'the host has no entry for the magic');
});
(0, node_test_1.test)('as uid 65534 without a user namespace: the host instance is not ours (so the hook would mount rather than write it)', req, (t) => {
    const { dir, mod } = workDir(t);
    const code = `const { hostPrivateBinfmt } = await import(${JSON.stringify(mod)});
const d = hostPrivateBinfmt(${JSON.stringify((0, node_path_1.join)(dir, 'l'))}, 'x');
process.stdout.write(JSON.stringify({ own: d.ownInstance(), map: d.uidMap() }));`;
    const r = (0, node_child_process_1.spawnSync)('setpriv', [...NOBODY, process.execPath, '--input-type=module', '-e', code], { encoding: 'utf8', cwd: dir });
    strict_1.default.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    strict_1.default.equal(doc.own, false);
    strict_1.default.match(doc.map, /^\s*0\s+0\s+4294967295\s*$/);
});
