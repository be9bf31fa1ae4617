"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const reference_js_1 = require("../../../src/registry/reference.js");
const D = `sha256:${'a'.repeat(64)}`;
const good = [
    { in: 'localhost:5000/fex/rootfs:42', want: { registry: 'localhost:5000', repository: 'fex/rootfs', tag: '42' } },
    { in: 'docker://127.0.0.1:5000/x', want: { registry: '127.0.0.1:5000', repository: 'x' } },
    { in: 'fedora', want: { registry: 'docker.io', repository: 'library/fedora' } },
    { in: 'me/tool:v1.2', want: { registry: 'docker.io', repository: 'me/tool', tag: 'v1.2' } },
    { in: `quay.io/a/b/c@${D}`, want: { registry: 'quay.io', repository: 'a/b/c', digest: D } },
    { in: `registry.example.com/fex:42-erofs@${D}`, want: { registry: 'registry.example.com', repository: 'fex', tag: '42-erofs', digest: D } },
    { in: 'localhost/x__y.z-w:tag_1', want: { registry: 'localhost', repository: 'x__y.z-w', tag: 'tag_1' } },
    { in: '[::1]:5000/ns/img:1', want: { registry: '[::1]:5000', repository: 'ns/img', tag: '1' } },
];
for (const c of good) {
    (0, node_test_1.test)(`parseReference(${c.in})`, () => {
        strict_1.default.deepEqual((0, reference_js_1.parseReference)(c.in), c.want);
    });
}
const bad = [
    { in: '', why: /empty/ },
    { in: 'localhost:5000/Fex:1', why: /lower-case/ },
    { in: 'localhost:5000/fex:-bad', why: /not a valid tag/ },
    { in: 'localhost:5000/fex@sha256:xyz', why: /not a digest/ },
    { in: 'localhost:5000/a//b', why: /component/ },
];
for (const c of bad) {
    (0, node_test_1.test)(`parseReference refuses ${JSON.stringify(c.in)} with a fix`, () => {
        strict_1.default.throws(() => (0, reference_js_1.parseReference)(c.in), (err) => c.why.test(err.message) && /REGISTRY\[:PORT\]/.test(err.fix ?? ''));
    });
}
(0, node_test_1.test)('Docker Hub is spoken to at registry-1.docker.io; formatReference round-trips', () => {
    strict_1.default.equal((0, reference_js_1.apiHost)((0, reference_js_1.parseReference)('fedora')), 'registry-1.docker.io');
    strict_1.default.equal((0, reference_js_1.apiHost)((0, reference_js_1.parseReference)('localhost:5000/x')), 'localhost:5000');
    strict_1.default.equal((0, reference_js_1.formatReference)((0, reference_js_1.parseReference)(`localhost:5000/a/b:t@${D}`)), `localhost:5000/a/b:t@${D}`);
});
