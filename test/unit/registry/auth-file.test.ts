import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authFilePaths, authKeys, findCredentials, normalizeAuthKey, type AuthFileDeps } from '../../../src/registry/auth-file.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ref = { registry: 'reg.example:5000', repository: 'fex/rootfs' };

function deps(files: Record<string, unknown>, env: Record<string, string> = {}, helper?: AuthFileDeps['helper']): AuthFileDeps {
  return {
    env,
    home: '/home/u',
    uid: 1000,
    readFile: async (p) => (p in files ? (typeof files[p] === 'string' ? (files[p] as string) : JSON.stringify(files[p])) : undefined),
    ...(helper ? { helper } : {}),
  };
}

test('auth files are read in containers-auth.json(5) order, docker last', () => {
  const paths = (env: Record<string, string>, explicit?: string) => authFilePaths({ env, home: '/home/u', uid: 1000 }, explicit).map((p) => p.path);
  assert.deepEqual(paths({ XDG_RUNTIME_DIR: '/run/user/1000' }), [
    '/run/user/1000/containers/auth.json', '/home/u/.config/containers/auth.json', '/home/u/.docker/config.json', '/home/u/.dockercfg',
  ]);
  assert.deepEqual(paths({ REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/r', XDG_CONFIG_HOME: '/c', DOCKER_CONFIG: '/d' }), ['/a.json', '/c/containers/auth.json', '/d/config.json', '/home/u/.dockercfg']);
  assert.deepEqual(paths({}, '/flag.json')[0], '/flag.json');
  assert.equal(paths({})[0], '/run/containers/1000/auth.json');
});

test('keys: most specific first; normalized legacy keys', () => {
  assert.deepEqual(authKeys(ref), ['reg.example:5000/fex/rootfs', 'reg.example:5000/fex', 'reg.example:5000']);
  assert.equal(normalizeAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(normalizeAuthKey('http://reg.example:5000/'), 'reg.example:5000');
});

const cases: { name: string; files: Record<string, unknown>; env: Record<string, string>; want: unknown }[] = [
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
  test(`findCredentials: ${c.name}`, async () => {
    const got = await findCredentials(ref, deps(c.files, c.env));
    assert.deepEqual(got.credentials, c.want);
  });
}

test('findCredentials: nothing found lists the files consulted', async () => {
  const got = await findCredentials(ref, deps({ '/home/u/.docker/config.json': { auths: {} } }));
  assert.equal(got.credentials, undefined);
  assert.deepEqual(got.consulted, ['/home/u/.docker/config.json']);
});

test('findCredentials: a credential helper named in the file is asked', async () => {
  const asked: string[] = [];
  const got = await findCredentials(ref, deps({ '/home/u/.docker/config.json': { credHelpers: { 'reg.example:5000': 'pass' } } }, {}, async (name, url) => {
    asked.push(`${name} ${url}`);
    return { username: 'h', secret: 's' };
  }));
  assert.deepEqual(asked, ['pass reg.example:5000']);
  assert.equal(got.credentials?.username, 'h');
  assert.match(got.credentials?.source ?? '', /docker-credential-pass/);
});

test('a broken auth file is named, and the secret is not quoted', async () => {
  await assert.rejects(findCredentials(ref, deps({ '/a.json': '{not json' }, { REGISTRY_AUTH_FILE: '/a.json' })), /\/a\.json: is not valid JSON/);
  await assert.rejects(
    findCredentials(ref, deps({ '/a.json': { auths: { 'reg.example:5000': { auth: b64('nocolonsecret') } } } }, { REGISTRY_AUTH_FILE: '/a.json' })),
    (err: Error) => /auths\.reg\.example:5000\.auth/.test(err.message) && !err.message.includes('nocolonsecret') && !err.message.includes(b64('nocolonsecret')),
  );
});
