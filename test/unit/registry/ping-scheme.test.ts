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

/** What a URL answers: a status, or an error thrown by the transport. */
type Answer = number | Error;

function fakeTransport(answers: Readonly<Record<string, Answer>>): Transport & { readonly seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async request(req: TransportRequest) {
      seen.push(`${req.method} ${req.url.href}`);
      const a = answers[req.url.href];
      if (a === undefined) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (a instanceof Error) throw a;
      return { status: a, headers: {}, body: Readable.from([]) as unknown as IncomingMessage };
    },
    close() {},
  };
}

function client(host: string, tlsVerify: boolean, transport: Transport): RegistryClient {
  return new RegistryClient(host, host, {
    transport,
    credentials: async () => ({ consulted: [] }),
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
