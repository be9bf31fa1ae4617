"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod build --load` against real engines: Podman's API service and Docker
 * Engine (Debian's docker.io), each started by the test on a unix socket in a
 * temp dir; the loaded image then runs. And with no engine answering: one
 * clear error naming every socket tried, exit code 5, the outputs kept.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const hook_host_js_1 = require("../runtime-hook/hook-host.js");
const engine_service_js_1 = require("./engine-service.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('unshare'), (0, integration_js_1.isRoot)());
const dockerReq = (0, integration_js_1.integration)((0, integration_js_1.onPath)('dockerd'), (0, integration_js_1.onPath)('docker'), (0, integration_js_1.isRoot)());
/** Runs a command asynchronously (the demo repository is served by this process). */
function run(cmd, env = {}) {
    const clean = {};
    for (const [k, v] of Object.entries({ ...process.env, ...env }))
        if (v !== undefined)
            clean[k] = v;
    return new Promise((resolve) => {
        const c = (0, node_child_process_1.spawn)(cmd[0] ?? 'false', cmd.slice(1), { env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (d) => (stdout += d.toString()));
        c.stderr.on('data', (d) => (stderr += d.toString()));
        c.on('close', (status) => resolve({ status, stdout, stderr }));
    });
}
/** The CLI, optionally wrapped (prefix) in another command. */
function fexpod(args, env, prefix = []) {
    return run([...prefix, process.execPath, (0, demo_build_js_1.cliPath)(), ...args], env);
}
const NO_ENGINE_ENV = { DOCKER_HOST: undefined, CONTAINER_HOST: undefined };
async function buildAndLoad(s, out, ref, env) {
    const r = await fexpod(['build', s.defFile, '--repo', s.repoArg, '--format', 'sbom', '-o', out, '--load-as', ref, '--json'], { ...NO_ENGINE_ENV, ...env });
    strict_1.default.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}
(0, node_test_1.test)('fexpod build --load', { ...req, timeout: 10 * 60_000 }, async (t) => {
    const s = await (0, demo_build_js_1.demoSetup)();
    const out = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-load-out-'));
    const ref = `localhost/fexpod-load-test:${process.pid}`;
    try {
        await t.test('into Podman\'s API service (DOCKER_HOST): the image appears with its tag and runs', async () => {
            const svc = await (0, engine_service_js_1.podmanService)();
            try {
                const res = await buildAndLoad(s, out, ref, { DOCKER_HOST: svc.url });
                strict_1.default.match(res.loaded.engine, /^Podman Engine \d/);
                strict_1.default.equal(res.loaded.reference, ref);
                strict_1.default.deepEqual(res.loaded.loaded, [ref]);
                // --format sbom alone: --load added the OCI layout it reads.
                strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(out, 'demo.oci', 'index.json')));
                const digest = (0, hook_host_js_1.podman)(['image', 'inspect', '--format', '{{.Digest}}', ref]);
                strict_1.default.equal(digest.stdout.trim(), res.manifestDigest, 'podman stores the manifest fexpod built');
                const run = (0, hook_host_js_1.podman)(['run', '--rm', ref, '/bin/busybox', 'echo', 'loaded and running']);
                strict_1.default.equal(run.status, 0, run.stderr);
                strict_1.default.equal(run.stdout.trim(), 'loaded and running');
            }
            finally {
                (0, hook_host_js_1.podman)(['rmi', '-f', ref]);
                await svc.stop();
            }
        });
        await t.test('CONTAINER_HOST is found when DOCKER_HOST is unset', async () => {
            const svc = await (0, engine_service_js_1.podmanService)();
            try {
                const res = await buildAndLoad(s, out, ref, { CONTAINER_HOST: svc.url });
                strict_1.default.match(res.loaded.engine, /^Podman Engine/);
                strict_1.default.equal((0, hook_host_js_1.podman)(['image', 'exists', ref]).status, 0);
            }
            finally {
                (0, hook_host_js_1.podman)(['rmi', '-f', ref]);
                await svc.stop();
            }
        });
        await t.test('no engine answering: one error naming the sockets tried, exit code 5, outputs kept', async () => {
            const none = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-load-none-'));
            const out2 = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-load-out2-'));
            try {
                // A private mount namespace with an empty /run (and so /var/run): the
                // machine's rootful sockets, if any, are out of sight.
                const r = await fexpod(['build', s.defFile, '--repo', s.repoArg, '--format', 'oci-archive', '-o', out2, '--load'], { DOCKER_HOST: `unix://${none}/docker.sock`, CONTAINER_HOST: undefined, XDG_RUNTIME_DIR: `${none}/xdg` }, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$@"', 'sh']);
                strict_1.default.equal(r.status, 5, r.stderr);
                const errors = r.stderr.split('\n').filter((l) => l.startsWith('fexpod: error:'));
                strict_1.default.equal(errors.length, 1, r.stderr);
                for (const sock of [`${none}/docker.sock (DOCKER_HOST)`, '/run/podman/podman.sock (rootful default)', '/var/run/docker.sock (rootful default)', `${none}/xdg/podman/podman.sock (rootless default)`]) {
                    strict_1.default.ok(r.stderr.includes(`unix://${sock}: not there`), `${sock} in:\n${r.stderr}`);
                }
                strict_1.default.match(r.stderr, /fix: .*podman\.socket/);
                strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(out2, 'demo.oci.tar')), 'the build\'s outputs stay');
                strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(out2, 'demo.oci', 'index.json')));
            }
            finally {
                (0, node_fs_1.rmSync)(none, { recursive: true, force: true });
                (0, node_fs_1.rmSync)(out2, { recursive: true, force: true });
            }
        });
        await t.test('into Docker Engine (Debian\'s docker.io, a private dockerd)', dockerReq, async () => {
            const svc = await (0, engine_service_js_1.dockerService)();
            const docker = (args) => run(['docker', '-H', svc.url, ...args]);
            try {
                const res = await buildAndLoad(s, out, ref, { DOCKER_HOST: svc.url });
                strict_1.default.match(res.loaded.engine, /^Docker Engine \d/);
                strict_1.default.deepEqual(res.loaded.loaded, [ref]);
                const id = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
                strict_1.default.equal(id.status, 0, id.stderr);
                const run = await docker(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'echo', 'docker runs it']);
                strict_1.default.equal(run.status, 0, run.stderr);
                strict_1.default.equal(run.stdout.trim(), 'docker runs it');
            }
            finally {
                await svc.stop();
            }
        });
    }
    finally {
        await s.close();
        (0, node_fs_1.rmSync)(out, { recursive: true, force: true });
    }
});
