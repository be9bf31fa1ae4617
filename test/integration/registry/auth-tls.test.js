"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const integration_js_1 = require("../../helpers/integration.js");
const demo_build_js_1 = require("../../helpers/demo-build.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const registry_js_1 = require("../../helpers/registry.js");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.onPath)('skopeo'), (0, integration_js_1.onPath)('podman'), (0, integration_js_1.onPath)('htpasswd'), (0, integration_js_1.onPath)('openssl'), (0, integration_js_1.isRoot)());
const USER = 'fexpod-ci';
const PASSWORD = 'Tr0ub4dor&3-not-for-logs';
/** Every spelling of the secret that could leak. */
function secrets(password) {
    return [password, Buffer.from(`${USER}:${password}`).toString('base64'), encodeURIComponent(password)];
}
function assertNoSecret(text, password) {
    for (const s of secrets(password))
        strict_1.default.ok(!text.includes(s), `a secret leaked into the output: ${s}`);
}
/** Runs fexpod and returns exit status with both outputs, never throwing. */
async function fexpod(args, env) {
    try {
        const r = await (0, demo_build_js_1.runFexpod)(args, { env });
        return { ok: true, out: r.stdout + r.stderr };
    }
    catch (err) {
        return { ok: false, out: err instanceof Error ? err.message : String(err) };
    }
}
(0, node_test_1.test)('htpasswd auth behind TLS with a test CA: push, skopeo inspect and podman pull agree, the image runs; wrong credentials fail clearly without leaking', req, async () => {
    const reg = await (0, registry_js_1.startRegistry)({ tls: true, auth: { user: USER, password: PASSWORD } });
    const { dir, result } = await (0, sample_tree_js_1.sampleOutputs)(['oci', 'sbom']);
    const home = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-authhome-'));
    const repo = `fex/tls-${process.pid}`;
    const ref = `${reg.host}/${repo}:1`;
    const certDir = reg.certDir ?? '';
    const authFile = (0, node_path_1.join)(home, 'auth.json');
    const badAuthFile = (0, node_path_1.join)(home, 'bad-auth.json');
    const auth = (pw) => JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${pw}`).toString('base64') } } });
    (0, node_fs_1.writeFileSync)(authFile, auth(PASSWORD));
    (0, node_fs_1.writeFileSync)(badAuthFile, auth('wrong-password-also-secret'));
    const env = { HOME: home, XDG_RUNTIME_DIR: (0, node_path_1.join)(home, 'run'), XDG_CONFIG_HOME: (0, node_path_1.join)(home, 'cfg') };
    try {
        // no CA: a clear TLS error that says how to give one
        const noCa = await fexpod(['push', (0, node_path_1.join)(dir, 'sample.oci'), ref], { ...env, REGISTRY_AUTH_FILE: authFile });
        strict_1.default.equal(noCa.ok, false);
        strict_1.default.match(noCa.out, /over TLS[\s\S]*--cert-dir/);
        const pushed = await fexpod(['push', '--verbose', '--cert-dir', certDir, (0, node_path_1.join)(dir, 'sample.oci'), ref, '--sbom', (0, node_path_1.join)(dir, 'sample.spdx.json'), '--json'], { ...env, REGISTRY_AUTH_FILE: authFile });
        strict_1.default.ok(pushed.ok, pushed.out);
        assertNoSecret(pushed.out, PASSWORD);
        strict_1.default.match(pushed.out, /PUT https:\/\/127\.0\.0\.1:\d+\/v2\/fex\/tls-\d+\/manifests\/1 → 201/, '--verbose logs requests');
        const info = JSON.parse((await run('skopeo', ['inspect', '--cert-dir', certDir, '--authfile', authFile, `docker://${ref}`])).stdout);
        strict_1.default.equal(info.Digest, result.manifestDigest);
        await run('podman', ['pull', '-q', '--cert-dir', certDir, '--authfile', authFile, ref]);
        const img = JSON.parse((await run('podman', ['image', 'inspect', ref])).stdout)[0];
        strict_1.default.equal(img.Digest, result.manifestDigest);
        strict_1.default.equal((await run('podman', ['run', '--rm', ref, 'cat', '/usr/share/hello.txt'])).stdout, 'hello from fexpod\n');
        // pull back through --authfile (the flag beats REGISTRY_AUTH_FILE)
        const pulled = await fexpod(['pull', '--cert-dir', certDir, '--authfile', authFile, ref, '-o', (0, node_path_1.join)(dir, 'pulled.oci'), '--json'], { ...env, REGISTRY_AUTH_FILE: badAuthFile });
        strict_1.default.ok(pulled.ok, pulled.out);
        const wrong = await fexpod(['push', '--verbose', '--cert-dir', certDir, (0, node_path_1.join)(dir, 'sample.oci'), ref], { ...env, REGISTRY_AUTH_FILE: badAuthFile });
        strict_1.default.equal(wrong.ok, false);
        strict_1.default.match(wrong.out, new RegExp(`registry ${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "${USER}" from ${badAuthFile.replace(/\./g, '\\.')}`));
        strict_1.default.match(wrong.out, /fix: .*podman login/);
        assertNoSecret(wrong.out, 'wrong-password-also-secret');
        assertNoSecret(wrong.out, PASSWORD);
        const none = await fexpod(['push', '--cert-dir', certDir, (0, node_path_1.join)(dir, 'sample.oci'), ref], env);
        strict_1.default.equal(none.ok, false);
        strict_1.default.match(none.out, /requires authentication \(HTTP 401\) and no credentials for it were found/);
    }
    finally {
        await run('podman', ['rmi', '-f', ref]).catch(() => undefined);
        await reg.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(home, { recursive: true, force: true });
    }
});
