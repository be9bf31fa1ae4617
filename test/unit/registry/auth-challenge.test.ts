import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenges } from '../../../src/registry/auth.js';
import { retryDelay, DEFAULT_RETRY, isRetryableStatus } from '../../../src/registry/retry.js';

const cases = [
  { h: 'Basic realm="fexpod-test"', want: [{ scheme: 'basic', params: { realm: 'fexpod-test' } }] },
  {
    h: 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:fex/rootfs:pull,push"',
    want: [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:fex/rootfs:pull,push' } }],
  },
  {
    h: 'Bearer realm="https://a/t",error="invalid_token", Basic realm="x"',
    want: [{ scheme: 'bearer', params: { realm: 'https://a/t', error: 'invalid_token' } }, { scheme: 'basic', params: { realm: 'x' } }],
  },
  { h: 'bearer realm=https://a/t, service=svc', want: [{ scheme: 'bearer', params: { realm: 'https://a/t', service: 'svc' } }] },
  { h: 'Negotiate', want: [] },
];
for (const c of cases) {
  test(`parseChallenges(${c.h})`, () => {
    assert.deepEqual(parseChallenges(c.h), c.want);
  });
}

test('retry: backoff doubles with jitter, Retry-After wins, capped', () => {
  assert.equal(retryDelay(DEFAULT_RETRY, 0, undefined, 0, 0), 125);
  assert.equal(retryDelay(DEFAULT_RETRY, 2, undefined, 0, 1), 1000);
  assert.equal(retryDelay(DEFAULT_RETRY, 30, undefined, 0, 1), DEFAULT_RETRY.maxDelayMs);
  assert.equal(retryDelay(DEFAULT_RETRY, 0, '2', 0, 0.5), 2000);
  assert.equal(retryDelay(DEFAULT_RETRY, 0, '3600', 0, 0.5), DEFAULT_RETRY.maxDelayMs);
  assert.equal(retryDelay(DEFAULT_RETRY, 0, new Date(5_000).toUTCString(), 1_000, 0), 4000);
  for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s), String(s));
  for (const s of [400, 401, 403, 404]) assert.ok(!isRetryableStatus(s), String(s));
});
