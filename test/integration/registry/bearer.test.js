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
const token_server_js_1 = require("../../helpers/token-server.js");
const run = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('docker-registry'), (0, integration_js_1.onPath)('skopeo'), (0, integration_js_1.onPath)('openssl'), (0, integration_js_1.isRoot)());
(0, node_test_1.test)("bearer tokens against docker-registry's token auth: scoped per repository, the registry checks them; refused credentials are named without the secret", req, async () => {
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bearer-'));
    const tokens = await (0, token_server_js_1.startTokenServer)(work, 'robot', 'b3arer-secret-pw');
    const reg = await (0, registry_js_1.startRegistry)({ token: tokens });
    const { dir, result } = await (0, sample_tree_js_1.sampleOutputs)(['oci']);
    const good = (0, node_path_1.join)(work, 'auth.json');
    const bad = (0, node_path_1.join)(work, 'bad.json');
    const authJson = (pw) => JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`robot:${pw}`).toString('base64') } } });
    (0, node_fs_1.writeFileSync)(good, authJson('b3arer-secret-pw'));
    (0, node_fs_1.writeFileSync)(bad, authJson('not-the-pw'));
    const env = { HOME: work, XDG_RUNTIME_DIR: (0, node_path_1.join)(work, 'run'), XDG_CONFIG_HOME: (0, node_path_1.join)(work, 'cfg') };
    try {
        const r = await (0, demo_build_js_1.runFexpod)(['push', '--verbose', '--tls-verify=false', '--authfile', good, (0, node_path_1.join)(dir, 'sample.oci'), `${reg.host}/fex/bearer:1`, '--json'], { env });
        strict_1.default.equal(JSON.parse(r.stdout).digest, result.manifestDigest);
        strict_1.default.deepEqual(tokens.requests.map((x) => x.scopes), [['repository:fex/bearer:pull,push']], 'one token, scoped to the repository, for the whole push');
        for (const s of ['b3arer-secret-pw', Buffer.from('robot:b3arer-secret-pw').toString('base64'), 'eyJ'])
            strict_1.default.ok(!(r.stdout + r.stderr).includes(s), `no ${s.slice(0, 3)}… in the output`);
        const info = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', '--authfile', good, `docker://${reg.host}/fex/bearer:1`])).stdout);
        strict_1.default.equal(info.Digest, result.manifestDigest);
        await (0, demo_build_js_1.runFexpod)(['push', '--tls-verify=false', '--authfile', good, (0, node_path_1.join)(dir, 'sample.oci'), `${reg.host}/fex/bearer-copy:1`, '--mount-from', 'fex/bearer'], { env });
        strict_1.default.deepEqual(tokens.requests.at(-1)?.scopes, ['repository:fex/bearer-copy:pull,push', 'repository:fex/bearer:pull'], 'a mount asks for pull on its source');
        await strict_1.default.rejects((0, demo_build_js_1.runFexpod)(['push', '--verbose', '--tls-verify=false', '--authfile', bad, (0, node_path_1.join)(dir, 'sample.oci'), `${reg.host}/fex/bearer:2`], { env }), (err) => {
            strict_1.default.match(err.message, new RegExp(`the token service 127\\.0\\.0\\.1:\\d+ refused: registry ${reg.host.replace(/\./g, '\\.')} rejected the credentials of user "robot" from ${bad.replace(/\./g, '\\.')}`));
            strict_1.default.ok(!err.message.includes('not-the-pw') && !err.message.includes(Buffer.from('robot:not-the-pw').toString('base64')));
            return true;
        });
    }
    finally {
        await reg.close();
        await tokens.close();
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
    }
});
