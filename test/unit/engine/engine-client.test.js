"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const engine_client_js_1 = require("../../../src/engine/engine-client.js");
const engine_socket_js_1 = require("../../../src/engine/engine-socket.js");
const errors_js_1 = require("../../../src/common/errors.js");
function errno(code) {
    return Object.assign(new Error(`connect ${code}`), { code });
}
/** Sockets that exist, and how each answers /_ping. */
function fakeDeps(sockets) {
    const probed = [];
    return {
        probed,
        socketExists: async (p) => p in sockets,
        client: async (e) => {
            const key = e.kind === 'unix' ? e.socketPath : `${e.host}:${e.port}`;
            const how = sockets[key];
            return {
                ping: async () => {
                    probed.push(key);
                    if (how === undefined)
                        throw errno('ECONNREFUSED');
                    if (how instanceof Error)
                        throw how;
                    return 'OK';
                },
                version: async () => how === 'podman'
                    ? { Version: '4.3.1', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }] }
                    : { Version: '24.0.7', Components: [{ Name: 'Engine', Version: '24.0.7' }] },
                loadImage: async () => {
                    throw new Error('not in this test');
                },
            };
        },
    };
}
(0, node_test_1.test)('the first engine that answers wins, and is named', async () => {
    const deps = fakeDeps({ '/run/user/1000/podman/podman.sock': 'podman', '/var/run/docker.sock': errno('EACCES') });
    const e = await (0, engine_client_js_1.connectEngine)((0, engine_socket_js_1.engineCandidates)({ XDG_RUNTIME_DIR: '/run/user/1000' }, 1000), deps);
    strict_1.default.equal(e.address, 'unix:///run/user/1000/podman/podman.sock');
    strict_1.default.equal(e.product, 'Podman Engine 4.3.1');
    strict_1.default.deepEqual(deps.probed, ['/var/run/docker.sock', '/run/user/1000/podman/podman.sock']);
});
(0, node_test_1.test)('DOCKER_HOST is tried before the defaults', async () => {
    const deps = fakeDeps({ '/tmp/d.sock': 'docker', '/run/podman/podman.sock': 'podman' });
    const e = await (0, engine_client_js_1.connectEngine)((0, engine_socket_js_1.engineCandidates)({ DOCKER_HOST: 'unix:///tmp/d.sock' }, 0), deps);
    strict_1.default.equal(e.product, 'Docker Engine 24.0.7');
    strict_1.default.equal(e.endpoint.from, 'DOCKER_HOST');
});
(0, node_test_1.test)('no engine: one error naming every socket tried and why, exit code 5, a fix', async () => {
    const deps = fakeDeps({ '/run/podman/podman.sock': errno('ECONNREFUSED'), '/var/run/docker.sock': errno('EACCES') });
    await strict_1.default.rejects((0, engine_client_js_1.connectEngine)((0, engine_socket_js_1.engineCandidates)({ CONTAINER_HOST: 'unix:///tmp/none.sock' }, 0), deps), (err) => {
        strict_1.default.ok(err instanceof errors_js_1.FexpodError);
        strict_1.default.equal(err.exitCode, engine_client_js_1.NO_ENGINE_EXIT_CODE);
        strict_1.default.equal(engine_client_js_1.NO_ENGINE_EXIT_CODE, 5);
        strict_1.default.match(err.message, /^no container engine answered; tried:/);
        strict_1.default.match(err.message, /unix:\/\/\/tmp\/none\.sock \(CONTAINER_HOST\): not there/);
        strict_1.default.match(err.message, /unix:\/\/\/run\/podman\/podman\.sock \(rootful default\): connection refused/);
        strict_1.default.match(err.message, /unix:\/\/\/var\/run\/docker\.sock \(rootful default\): permission denied/);
        strict_1.default.match(err.fix ?? '', /podman\.socket/);
        strict_1.default.match(err.fix ?? '', /DOCKER_HOST=/);
        return true;
    });
});
