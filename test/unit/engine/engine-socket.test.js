"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const engine_socket_js_1 = require("../../../src/engine/engine-socket.js");
const errors_js_1 = require("../../../src/common/errors.js");
const order = (env, uid) => (0, engine_socket_js_1.engineCandidates)(env, uid).map((e) => `${(0, engine_socket_js_1.describeEndpoint)(e)} ${e.from}`);
const cases = [
    {
        name: 'root, nothing set: the rootful defaults, Podman first',
        env: {},
        uid: 0,
        want: ['unix:///run/podman/podman.sock rootful default', 'unix:///var/run/docker.sock rootful default'],
    },
    {
        name: 'a user: rootful, then the rootless sockets in XDG_RUNTIME_DIR',
        env: { XDG_RUNTIME_DIR: '/run/user/1000' },
        uid: 1000,
        want: [
            'unix:///run/podman/podman.sock rootful default',
            'unix:///var/run/docker.sock rootful default',
            'unix:///run/user/1000/podman/podman.sock rootless default',
            'unix:///run/user/1000/docker.sock rootless default',
        ],
    },
    {
        name: 'a user without XDG_RUNTIME_DIR: /run/user/UID',
        env: {},
        uid: 1001,
        want: [
            'unix:///run/podman/podman.sock rootful default',
            'unix:///var/run/docker.sock rootful default',
            'unix:///run/user/1001/podman/podman.sock rootless default',
            'unix:///run/user/1001/docker.sock rootless default',
        ],
    },
    {
        name: 'DOCKER_HOST, then CONTAINER_HOST, then the defaults; a default named twice is tried once',
        env: { DOCKER_HOST: 'tcp://127.0.0.1:2375', CONTAINER_HOST: 'unix:///run/podman/podman.sock' },
        uid: 0,
        want: ['tcp://127.0.0.1:2375 DOCKER_HOST', 'unix:///run/podman/podman.sock CONTAINER_HOST', 'unix:///var/run/docker.sock rootful default'],
    },
    {
        name: 'an empty DOCKER_HOST counts as unset',
        env: { DOCKER_HOST: '' },
        uid: 0,
        want: ['unix:///run/podman/podman.sock rootful default', 'unix:///var/run/docker.sock rootful default'],
    },
];
for (const c of cases) {
    (0, node_test_1.test)(`engine candidates: ${c.name}`, () => strict_1.default.deepEqual(order(c.env, c.uid), c.want));
}
const urls = [
    { url: 'unix:///tmp/x/podman.sock', want: 'unix:///tmp/x/podman.sock' },
    { url: '/var/run/docker.sock', want: 'unix:///var/run/docker.sock' },
    { url: 'tcp://localhost:2375', want: 'tcp://localhost:2375' },
    { url: 'http://[::1]:8080/', want: 'tcp://[::1]:8080' },
    { url: 'ssh://core@host/run/podman/podman.sock', fix: /ssh -L/ },
    { url: 'tcp://no-port', fix: /tcp:\/\/HOST:PORT/ },
    { url: 'unix://relative.sock', fix: /unix:\/\/\/run\/podman/ },
];
for (const u of urls) {
    (0, node_test_1.test)(`engine address ${u.url}`, () => {
        if (u.want) {
            strict_1.default.equal((0, engine_socket_js_1.describeEndpoint)((0, engine_socket_js_1.parseEngineUrl)(u.url, 'DOCKER_HOST')), u.want);
            return;
        }
        strict_1.default.throws(() => (0, engine_socket_js_1.parseEngineUrl)(u.url, 'DOCKER_HOST'), (err) => {
            strict_1.default.ok(err instanceof errors_js_1.FexpodError);
            strict_1.default.match(err.message, /DOCKER_HOST=/);
            strict_1.default.match(err.fix ?? '', u.fix ?? /./);
            strict_1.default.equal(err.exitCode, 2);
            return true;
        });
    });
}
