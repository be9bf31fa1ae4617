"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The builder image for the foreign architecture (arm64 on an x86-64 host,
 * amd64 on an aarch64 one), built on this host through fexpod's own binfmt
 * registration and hook: `fexpod binfmt install --emulator qemu-user` stages
 * the dynamic QEMU in a prefix registered with the F flag, which runs nothing
 * unless the prefix is mounted into the container — and the createRuntime
 * hook (`fexpod hook install --build-hooks-dir`, handed to podman build with
 * --hooks-dir) does that for every RUN step. Both architectures go into one
 * image index (podman build --manifest). Then the foreign image runs
 * `fexpod --version` under emulation through the precreate hook.
 *
 * binfmt_misc is machine-wide: all of it under the binfmt test lock, restored
 * exactly afterwards. Hooks and configuration live in a temp dir.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const binfmt_lock_js_1 = require("../../helpers/binfmt-lock.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const standin_base_js_1 = require("../../helpers/standin-base.js");
const hook_host_js_1 = require("../runtime-hook/hook-host.js");
const builder_image_js_1 = require("./builder-image.js");
const host = (0, foreign_image_js_1.hostArch)();
const guest = (0, foreign_image_js_1.foreignArches)(host)[0] ?? host;
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('debootstrap'), (0, integration_js_1.isRoot)(), (0, integration_js_1.fileExists)(`${hook_host_js_1.BINFMT}/register`), (0, integration_js_1.fileExists)(`/usr/bin/qemu-${guest.qemu}`), (0, integration_js_1.fileExists)(`/usr/bin/qemu-${guest.qemu}-static`));
const unameOf = guest.name === 'arm' ? 'armv7l' : guest.name;
(0, node_test_1.test)(`builder image for ${guest.oci.architecture} built through fexpod's binfmt + hook, one index with ${host.oci.architecture} (stand-in Fedora base)`, { ...req, timeout: 60 * 60_000 }, async (t) => {
    await (0, binfmt_lock_js_1.withBinfmtLock)(async () => {
        const snapshot = (0, hook_host_js_1.binfmtSnapshot)();
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bi-foreign-'));
        const stateDir = (0, node_path_1.join)(dir, 'state');
        const hooks = (0, node_path_1.join)(dir, 'hooks.d');
        const buildHooks = (0, node_path_1.join)(dir, 'build-hooks.d');
        const log = (0, node_path_1.join)(dir, 'hook.log');
        for (const d of [stateDir, hooks, buildHooks])
            (0, node_fs_1.mkdirSync)(d);
        const hookDirs = ['--hooks-dir', hooks, '--conf-dir', (0, node_path_1.join)(dir, 'containers.conf.d'), '--build-hooks-dir', buildHooks, '--state', (0, node_path_1.join)(stateDir, 'binfmt-state.json')];
        const list = `localhost/fexpod-builder-test-index:${process.pid}`;
        const tags = [`localhost/fexpod-builder-test:${host.oci.architecture}-${process.pid}`, `localhost/fexpod-builder-test:${guest.oci.architecture}-${process.pid}`];
        try {
            const t0 = Date.now();
            const hostBase = (0, standin_base_js_1.standinBase)(host).ref;
            const base = (0, standin_base_js_1.standinBase)(guest).ref;
            t.diagnostic(`stand-in bases ${hostBase}, ${base} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
            const inst = (0, hook_host_js_1.fexpod)(['binfmt', 'install', '--guest', guest.name, '--emulator', 'qemu-user', '--state-dir', stateDir]);
            strict_1.default.equal(inst.status, 0, inst.stderr);
            const hook = (0, hook_host_js_1.fexpod)(['hook', 'install', ...hookDirs, '--log', log]);
            strict_1.default.equal(hook.status, 0, hook.stderr);
            await t.test('without the hook, a foreign container cannot run (only the F-flag prefix entry serves)', () => {
                const r = (0, builder_image_js_1.podman)(['run', '--rm', '--hooks-dir', (0, node_path_1.join)(dir, 'none'), '--arch', guest.oci.architecture, base, 'true']);
                strict_1.default.notEqual(r.status, 0, r.stdout);
            });
            strict_1.default.equal((0, builder_image_js_1.podman)(['manifest', 'create', list]).status, 0);
            const native = (0, builder_image_js_1.buildBuilderImage)(host, hostBase, tags[0] ?? '', ['--manifest', list, '--hooks-dir', buildHooks]);
            t.diagnostic(`${host.oci.architecture}: ${native.seconds.toFixed(0)} s, ${(0, builder_image_js_1.mib)((0, builder_image_js_1.imageSize)(tags[0] ?? ''))}`);
            const before = (0, node_fs_1.existsSync)(log) ? (0, node_fs_1.readFileSync)(log, 'utf8').length : 0; // native RUN steps log nothing
            const foreign = (0, builder_image_js_1.buildBuilderImage)(guest, base, tags[1] ?? '', ['--manifest', list, '--hooks-dir', buildHooks]);
            t.diagnostic(`${guest.oci.architecture}: ${foreign.seconds.toFixed(0)} s under emulation, ${(0, builder_image_js_1.mib)((0, builder_image_js_1.imageSize)(tags[1] ?? ''))}`);
            await t.test(`the ${guest.oci.architecture} RUN steps ran under emulation through the createRuntime hook`, () => {
                strict_1.default.match(foreign.output, /^fexpod \d+\.\d+\.\d+$/m, 'the smoke step printed the version');
                const logged = (0, node_fs_1.readFileSync)(log, 'utf8').slice(before);
                strict_1.default.match(logged, /createRuntime info: .*foreign: .* is (aarch64|arm|x86_64|i386)/, logged.slice(-2000));
                strict_1.default.match(logged, /bind-mounted/, logged.slice(-2000));
            });
            await t.test('one image index with both architectures', () => {
                const idx = JSON.parse((0, builder_image_js_1.podman)(['manifest', 'inspect', list]).stdout);
                strict_1.default.deepEqual(idx.manifests.map((m) => m.platform?.architecture).sort(), [host.oci.architecture, guest.oci.architecture].sort());
            });
            await t.test(`the ${guest.oci.architecture} image runs fexpod --version under emulation`, () => {
                const v = (0, builder_image_js_1.podman)(['run', '--rm', '--hooks-dir', hooks, '--arch', guest.oci.architecture, tags[1] ?? '', '--version']);
                strict_1.default.equal(v.status, 0, `${v.stderr}\n${(0, node_fs_1.existsSync)(log) ? (0, node_fs_1.readFileSync)(log, 'utf8').slice(-2000) : '(no hook log)'}`);
                strict_1.default.match(v.stdout, /^fexpod \d+\.\d+\.\d+/);
                const m = (0, builder_image_js_1.podman)(['run', '--rm', '--hooks-dir', hooks, '--arch', guest.oci.architecture, '--entrypoint', 'uname', tags[1] ?? '', '-m']);
                strict_1.default.equal(m.stdout.trim(), unameOf);
            });
        }
        finally {
            (0, hook_host_js_1.fexpod)(['hook', 'uninstall', ...hookDirs]);
            (0, hook_host_js_1.fexpod)(['binfmt', 'uninstall', '--state-dir', stateDir]);
            (0, hook_host_js_1.binfmtRestore)(snapshot);
            (0, builder_image_js_1.podman)(['manifest', 'rm', list]);
            for (const tag of tags)
                (0, builder_image_js_1.podman)(['rmi', '-f', tag]);
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
});
