"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const host_override_js_1 = require("../../../src/emulator/host/host-override.js");
const ok = (o) => JSON.stringify({ testOnly: host_override_js_1.HOST_OVERRIDE_MARKER, ...o });
(0, node_test_1.test)('without the variable nothing is read', () => {
    let read = 0;
    strict_1.default.equal((0, host_override_js_1.loadHostOverride)({}, () => (read++, '')), undefined);
    strict_1.default.equal((0, host_override_js_1.loadHostOverride)({ [host_override_js_1.HOST_OVERRIDE_ENV]: '' }, () => (read++, '')), undefined);
    strict_1.default.equal(read, 0);
});
(0, node_test_1.test)('a marked file overrides exactly the facts it names, and says so', () => {
    const o = (0, host_override_js_1.loadHostOverride)({ [host_override_js_1.HOST_OVERRIDE_ENV]: '/t/facts.json' }, () => ok({ arch: 'aarch64', pageSize: 16384, kvm: 'usable', crunFeatures: ['LIBKRUN'], uid: 1000 }));
    strict_1.default.deepEqual(o, { file: '/t/facts.json', arch: 'aarch64', pageSize: 16384, kvm: 'usable', crunFeatures: ['LIBKRUN'], uid: 1000 });
    strict_1.default.match((0, host_override_js_1.overrideNotice)(o), /test-only host facts from \/t\/facts\.json \(arch="aarch64", pageSize=16384, uid=1000, kvm="usable", crunFeatures=\["LIBKRUN"\]\)/);
});
const refused = [
    { name: 'an unreadable file', text: undefined, error: /cannot read it/ },
    { name: 'a file without the test-only marker (never silently ignored)', text: JSON.stringify({ pageSize: 16384 }), error: /not a test facts file/ },
    { name: 'an odd page size', text: ok({ pageSize: 12288 }), error: /pageSize must be a power of two/ },
    { name: 'an unknown architecture', text: ok({ arch: 'riscv64' }), error: /arch must be one of/ },
    { name: 'a misspelt key', text: ok({ pagesize: 16384 }), error: /unknown key "pagesize"/ },
    { name: 'a bad kvm state', text: ok({ kvm: 'yes' }), error: /kvm must be/ },
];
for (const c of refused) {
    (0, node_test_1.test)(`refused: ${c.name}, with the fix to unset the variable`, () => {
        strict_1.default.throws(() => (0, host_override_js_1.loadHostOverride)({ [host_override_js_1.HOST_OVERRIDE_ENV]: '/t/f.json' }, () => c.text), (err) => {
            strict_1.default.match(err.message, c.error);
            strict_1.default.match(err.fix ?? '', /unset FEXPOD_TEST_HOST_FACTS/);
            return true;
        });
    });
}
(0, node_test_1.test)('crunFeatures null means "crun is not installed"', () => strict_1.default.equal((0, host_override_js_1.parseHostOverride)(ok({ crunFeatures: null }), 'f').crunFeatures, null));
