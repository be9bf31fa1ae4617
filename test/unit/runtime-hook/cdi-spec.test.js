"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const cdi_spec_js_1 = require("../../../src/runtime-hook/cdi/cdi-spec.js");
const base = { version: 1, disabled: [], persisted: [] };
(0, node_test_1.test)('cdiSpec: one device per arch plus "all", prefix mounts ro,nosuid,nodev and env (FEX stand-in)', () => {
    const state = {
        ...base,
        registrations: [
            { guest: 'x86_64', emulator: 'fex', entryName: 'FEX-x86_64', registration: 'x', interpreter: '/p/fex/bin/FEX', prefix: '/p/fex', env: { FEX_TSOENABLED: '1' } },
            { guest: 'i386', emulator: 'fex', entryName: 'FEX-x86', registration: 'x', interpreter: '/p/fex/bin/FEX', prefix: '/p/fex' },
        ],
    };
    const spec = (0, cdi_spec_js_1.cdiSpec)(state);
    strict_1.default.equal(spec.cdiVersion, cdi_spec_js_1.CDI_VERSION);
    strict_1.default.equal(spec.kind, cdi_spec_js_1.CDI_KIND);
    strict_1.default.deepEqual(spec.devices.map((d) => d.name), ['x86_64', 'i386', 'all']);
    const all = spec.devices.at(-1)?.containerEdits;
    strict_1.default.deepEqual(all?.mounts, [{ hostPath: '/p/fex', containerPath: '/p/fex', type: 'bind', options: ['ro', 'nosuid', 'nodev', 'bind'] }]);
    strict_1.default.deepEqual(all?.env, ['FEX_APP_DATA_LOCATION=/tmp/.fex-emu/', 'FEX_TSOENABLED=1']);
});
(0, node_test_1.test)('cdiSpec: static emulators need nothing, so there are no devices', () => {
    const spec = (0, cdi_spec_js_1.cdiSpec)({ ...base, registrations: [{ guest: 'aarch64', emulator: 'qemu-user-static', entryName: 'q', registration: 'x', interpreter: '/usr/bin/qemu-aarch64-static' }] });
    strict_1.default.deepEqual(spec.devices, []);
});
