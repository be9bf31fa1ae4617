"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const auth_js_1 = require("../../../src/registry/auth.js");
const retry_js_1 = require("../../../src/registry/retry.js");
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
    (0, node_test_1.test)(`parseChallenges(${c.h})`, () => {
        strict_1.default.deepEqual((0, auth_js_1.parseChallenges)(c.h), c.want);
    });
}
(0, node_test_1.test)('retry: backoff doubles with jitter, Retry-After wins, capped', () => {
    strict_1.default.equal((0, retry_js_1.retryDelay)(retry_js_1.DEFAULT_RETRY, 0, undefined, 0, 0), 125);
    strict_1.default.equal((0, retry_js_1.retryDelay)(retry_js_1.DEFAULT_RETRY, 2, undefined, 0, 1), 1000);
    strict_1.default.equal((0, retry_js_1.retryDelay)(retry_js_1.DEFAULT_RETRY, 30, undefined, 0, 1), retry_js_1.DEFAULT_RETRY.maxDelayMs);
    strict_1.default.equal((0, retry_js_1.retryDelay)(retry_js_1.DEFAULT_RETRY, 0, '2', 0, 0.5), 2000);
    strict_1.default.equal((0, retry_js_1.retryDelay)(retry_js_1.DEFAULT_RETRY, 0, '3600', 0, 0.5), retry_js_1.DEFAULT_RETRY.maxDelayMs);
    strict_1.default.equal((0, retry_js_1.retryDelay)(retry_js_1.DEFAULT_RETRY, 0, new Date(5_000).toUTCString(), 1_000, 0), 4000);
    for (const s of [408, 429, 500, 502, 503, 504])
        strict_1.default.ok((0, retry_js_1.isRetryableStatus)(s), String(s));
    for (const s of [400, 401, 403, 404])
        strict_1.default.ok(!(0, retry_js_1.isRetryableStatus)(s), String(s));
});
