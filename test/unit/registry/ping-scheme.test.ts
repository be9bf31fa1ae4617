import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { silentLogger } from '../../../src/common/log.js';
import { isLoopbackHost, RegistryClient } from '../../../src/registry/registry-client.js';
import type { Transport, TransportRequest } from '../../../src/registry/transport.js';

test('isLoopbackHost: 127.0.0.0/8, ::1 and localhost, with or without a port', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['localhost:5000', true],
    ['localhost', true],
    ['[::1]:5000', true],
    ['[::1]', true],
    ['registry.example.com:5000', false],
    ['127.0.0.1.example.com', false],
    ['10.0.0.1:5000', false],
    ['[::2]:5000', false],
    ['localhost.example.com', false],
  ];
  for (const [host, want] of cases) assert.equal(isLoopbackHost(host), want, host);
});

/** What a URL answers: a status (with headers), or an error thrown by the transport; a list answers in turn. */
type Answer = number | Error | { readonly status: number; readonly headers: Record<string, string> };

function fakeTransport(answers: Readonly<Record<string, Answer | Answer[]>>): Transport & { readonly seen: string[] } {
  const seen: string[] = [];
  const turn = new Map<string, number>();
  return {
    seen,
    async request(req: TransportRequest) {
      seen.push(`${req.method} ${req.url.href}${req.headers?.['authorization'] ? ' (with credentials)' : ''}`);
      const all = answers[req.url.href];
      const n = turn.get(req.url.href) ?? 0;
      turn.set(req.url.href, n + 1);
      const a = Array.isArray(all) ? all[Math.min(n, all.length - 1)] : all;
      if (a === undefined) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (a instanceof Error) throw a;
      const { status, headers } = typeof a === 'number' ? { status: a, headers: {} } : a;
      return { status, headers, body: Readable.from([]) as unknown as IncomingMessage };
    },
    close() {},
  };
}

function client(host: string, tlsVerify: boolean, transport: Transport): RegistryClient {
  return new RegistryClient(host, host, {
    transport,
    credentials: async () => ({ credentials: { username: 'u', password: 'p', source: '/tmp/auth.json' }, consulted: ['/tmp/auth.json'] }),
    log: silentLogger,
    now: () => 0,
    sleep: async () => {},
    random: () => 0,
    tlsVerify,
  });
}

const tlsAlert = () => Object.assign(new Error('write EPROTO ...:wrong version number'), { code: 'EPROTO' });
const parseError = () => Object.assign(new Error('Parse Error: Expected HTTP/'), { code: 'HPE_INVALID_CONSTANT' });

test('ping: which scheme is tried first, and what falls back', async () => {
  const cases: { name: string; host: string; verify: boolean; answers: Record<string, Answer>; base: string; tried: string[] }[] = [
    {
      name: 'loopback, --tls-verify=false, a plain-HTTP registry: one request, no TLS handshake',
      host: '127.0.0.1:5000', verify: false,
      answers: { 'http://127.0.0.1:5000/v2/': 200 },
      base: 'http://127.0.0.1:5000/', tried: ['http://127.0.0.1:5000/v2/'],
    },
    {
      name: 'loopback, --tls-verify=false, a TLS registry answering plain HTTP with 400 (Go): HTTPS next',
      host: 'localhost:5000', verify: false,
      answers: { 'http://localhost:5000/v2/': 400, 'https://localhost:5000/v2/': 401 },
      base: 'https://localhost:5000/', tried: ['http://localhost:5000/v2/', 'https://localhost:5000/v2/'],
    },
    {
      name: 'loopback, --tls-verify=false, a TLS server whose answer is no HTTP at all: HTTPS next',
      host: '[::1]:5000', verify: false,
      answers: { 'http://[::1]:5000/v2/': parseError(), 'https://[::1]:5000/v2/': 200 },
      base: 'https://[::1]:5000/', tried: ['http://[::1]:5000/v2/', 'https://[::1]:5000/v2/'],
    },
    {
      name: 'elsewhere, --tls-verify=false: HTTPS first, as skopeo',
      host: 'registry.example.com:5000', verify: false,
      answers: { 'https://registry.example.com:5000/v2/': tlsAlert(), 'http://registry.example.com:5000/v2/': 200 },
      base: 'http://registry.example.com:5000/', tried: ['https://registry.example.com:5000/v2/', 'http://registry.example.com:5000/v2/'],
    },
    {
      name: 'loopback, TLS verified: HTTPS only',
      host: '127.0.0.1:5000', verify: true,
      answers: { 'https://127.0.0.1:5000/v2/': 200, 'http://127.0.0.1:5000/v2/': 200 },
      base: 'https://127.0.0.1:5000/', tried: ['https://127.0.0.1:5000/v2/'],
    },
  ];
  for (const c of cases) {
    const t = fakeTransport(c.answers);
    const base = await client(c.host, c.verify, t).ping();
    assert.equal(base.href, c.base, c.name);
    assert.deepEqual(t.seen, c.tried.map((u) => `GET ${u}`), c.name);
  }
});

test('ping: a verified TLS failure on loopback is not retried over plain HTTP', async () => {
  const t = fakeTransport({ 'https://127.0.0.1:5000/v2/': tlsAlert(), 'http://127.0.0.1:5000/v2/': 200 });
  await assert.rejects(client('127.0.0.1:5000', true, t).ping(), /cannot reach registry 127\.0\.0\.1:5000 over TLS[\s\S]*/);
  assert.deepEqual(t.seen, ['GET https://127.0.0.1:5000/v2/']);
});

test('ping: a loopback port that speaks neither scheme names the HTTPS failure', async () => {
  const t = fakeTransport({ 'http://127.0.0.1:5000/v2/': 400, 'https://127.0.0.1:5000/v2/': tlsAlert() });
  await assert.rejects(client('127.0.0.1:5000', false, t).ping(), /cannot reach registry 127\.0\.0\.1:5000/);
  assert.deepEqual(t.seen, ['GET http://127.0.0.1:5000/v2/', 'GET https://127.0.0.1:5000/v2/']);
});

const API = { 'docker-distribution-api-version': 'registry/2.0' };

test("the first GET/HEAD stands for the ping when its answer shows a registry", async () => {
  const tag = 'http://127.0.0.1:5000/v2/fex/a/manifests/1';
  const ping = 'http://127.0.0.1:5000/v2/';
  const cases: { name: string; answers: Record<string, Answer | Answer[]>; status: number | undefined; tried: string[] }[] = [
    { name: 'a re-push: 200 with the API header, one request', answers: { [tag]: { status: 200, headers: API } }, status: 200, tried: [`HEAD ${tag}`] },
    { name: 'a new tag: 404 with the API header, one request', answers: { [tag]: { status: 404, headers: API } }, status: undefined, tried: [`HEAD ${tag}`] },
    {
      name: '401: the challenge, then the request again with credentials',
      answers: { [tag]: [{ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }, { status: 200, headers: API }] },
      status: 200, tried: [`HEAD ${tag}`, `HEAD ${tag} (with credentials)`],
    },
    {
      name: '404 without the API header: the plain ping decides, then the request',
      answers: { [tag]: 404, [ping]: 200 },
      status: undefined, tried: [`HEAD ${tag}`, `GET ${ping}`, `HEAD ${tag}`],
    },
  ];
  for (const c of cases) {
    const t = fakeTransport(c.answers);
    const got = await client('127.0.0.1:5000', false, t).manifestHead('fex/a', '1');
    assert.equal(got === undefined ? undefined : 200, c.status, c.name);
    assert.deepEqual(t.seen, c.tried, c.name);
  }
});

test('a first request answered by something that is no registry ends in the ping\'s clear error', async () => {
  const t = fakeTransport({ 'http://127.0.0.1:5000/v2/fex/a/manifests/1': 404, 'http://127.0.0.1:5000/v2/': 404 });
  await assert.rejects(client('127.0.0.1:5000', false, t).manifestHead('fex/a', '1'), /127\.0\.0\.1:5000 is not an OCI registry \(GET \/v2\/ answered HTTP 404\)/);
});
