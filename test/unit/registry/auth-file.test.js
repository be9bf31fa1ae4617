"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const auth_file_js_1 = require("../../../src/registry/auth-file.js");
const b64 = (s) => Buffer.from(s).toString('base64');
const ref = { registry: 'reg.example:5000', repository: 'fex/rootfs' };
function deps(files, env = {}, helper) {
    return {
        env,
        home: '/home/u',
        uid: 1000,
        readFile: async (p) => (p in files ? (typeof files[p] === 'string' ? files[p] : JSON.stringify(files[p])) : undefined),
        ...(helper ? { helper } : {}),
    };
}
(0, node_test_1.test)('auth files are read in containers-auth.json(5) order, docker last', () => {
    const paths = (env, explicit) => (0, auth_file_js_1.authFilePaths)({ env, home: '/home/u', uid: 1000 }, explicit).map((p) => p.path);
    strict_1.default.deepEqual(paths({ XDG_RUNTIME_DIR: '/run/user/1000' }), [
        '/run/user/1000/containers/auth.json', '/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg',
    ]);
    strict_1.default.deepEqual(paths({ REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/r', XDG_CONFIG_HOME: '/c', DOCKER_CONFIG: '/d' }), ['/a.json', '/c/containers/auth.json', '/d/config.json', '/home/u/.dockercfg']);
    strict_1.default.deepEqual(paths({}, '/flag.json')[0], '/flag.json');
    strict_1.default.equal(paths({})[0], '/run/containers/1000/auth.json');
});
(0, node_test_1.test)('keys: most specific first; normalized legacy keys', () => {
    strict_1.default.deepEqual((0, auth_file_js_1.authKeys)(ref), ['reg.example:5000/fex/rootfs', 'reg.example:5000/fex', 'reg.example:5000']);
    strict_1.default.equal((0, auth_file_js_1.normalizeAuthKey)('https://index.docker.io/v1/'), 'docker.io');
    strict_1.default.equal((0, auth_file_js_1.normalizeAuthKey)('http://reg.example:5000/'), 'reg.example:5000');
});
const cases = [
    {
        name: 'the first file with an entry wins, and the namespace entry beats the registry entry',
        files: {
            '/run/u/containers/auth.json': { auths: { other: { auth: b64('x:y') } } },
            '/home/u/.config/containers/auth.json': { auths: { 'reg.example:5000': { auth: b64('reg:1') }, 'reg.example:5000/fex': { auth: b64('ns:pass:with:colons') } } },
            '/home/u/.docker/config.json': { auths: { 'reg.example:5000': { auth: b64('docker:2') } } },
        },
        env: { XDG_RUNTIME_DIR: '/run/u' },
        want: { username: 'ns', password: 'pass:with:colons', source: '/home/u/.config/containers/auth.json' },
    },
    {
        name: "docker's config.json is the fallback, with scheme-prefixed keys",
        files: { '/home/u/.docker/config.json': { auths: { 'https://reg.example:5000': { auth: b64('d:p') } } } },
        env: {},
        want: { username: 'd', password: 'p', source: '/home/u/.docker/config.json' },
    },
    {
        name: 'an identity token is an OAuth2 refresh token',
        files: { '/a.json': { auths: { 'reg.example:5000': { identitytoken: 'refresh-me' } } } },
        env: { REGISTRY_AUTH_FILE: '/a.json' },
        want: { identityToken: 'refresh-me', source: '/a.json' },
    },
    {
        name: 'legacy ~/.dockercfg',
        files: { '/home/u/.dockercfg': { 'reg.example:5000': { auth: b64('l:p') } } },
        env: {},
        want: { username: 'l', password: 'p', source: '/home/u/.dockercfg' },
    },
];
for (const c of cases) {
    (0, node_test_1.test)(`findCredentials: ${c.name}`, async () => {
        const got = await (0, auth_file_js_1.findCredentials)(ref, deps(c.files, c.env));
        strict_1.default.deepEqual(got.credentials, c.want);
    });
}
(0, node_test_1.test)('findCredentials: nothing found lists the files consulted', async () => {
    const got = await (0, auth_file_js_1.findCredentials)(ref, deps({ '/home/u/.docker/config.json': { auths: {} } }));
    strict_1.default.equal(got.credentials, undefined);
    strict_1.default.deepEqual(got.consulted, ['/home/u/.docker/config.json']);
});
(0, node_test_1.test)('findCredentials: a credential helper named in the file is asked', async () => {
    const asked = [];
    const got = await (0, auth_file_js_1.findCredentials)(ref, deps({ '/home/u/.docker/config.json': { credHelpers: { 'reg.example:5000': 'pass' } } }, {}, async (name, url) => {
        asked.push(`${name} ${url}`);
        return { username: 'h', secret: 's' };
    }));
    strict_1.default.deepEqual(asked, ['pass reg.example:5000']);
    strict_1.default.equal(got.credentials?.username, 'h');
    strict_1.default.match(got.credentials?.source ?? '', /docker-credential-pass/);
});
(0, node_test_1.test)('a broken auth file is named, and the secret is not quoted', async () => {
    await strict_1.default.rejects((0, auth_file_js_1.findCredentials)(ref, deps({ '/a.json': '{not json' }, { REGISTRY_AUTH_FILE: '/a.json' })), /\/a\.json: is not valid JSON/);
    await strict_1.default.rejects((0, auth_file_js_1.findCredentials)(ref, deps({ '/a.json': { auths: { 'reg.example:5000': { auth: b64('nocolonsecret') } } } }, { REGISTRY_AUTH_FILE: '/a.json' })), (err) => /auths\.reg\.example:5000\.auth/.test(err.message) && !err.message.includes('nocolonsecret') && !err.message.includes(b64('nocolonsecret')));
});
