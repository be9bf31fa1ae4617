"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The muvm and krun blockers, and the binfmt_misc argument layouts. muvm,
 * krun and a 16 KiB kernel do not exist on this machine: every non-4k case is
 * a host-fact stand-in and named so.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const muvm_js_1 = require("../../../src/emulator/microvm/muvm.js");
(0, node_test_1.test)('needsMicroVm: only 4 KiB runs FEX directly', () => {
    strict_1.default.equal((0, muvm_js_1.needsMicroVm)(4096), false);
    strict_1.default.equal((0, muvm_js_1.needsMicroVm)(16384), true);
    strict_1.default.equal((0, muvm_js_1.needsMicroVm)(65536), true);
});
const user = { pageSize: 16384, uid: 1000, kvm: { present: true, accessible: true } };
const muvmCases = [
    { name: '4 KiB host: not needed', host: { pageSize: 4096 }, reason: /not needed/ },
    { name: 'stand-in 16 KiB host as a user: usable', host: {} },
    { name: 'stand-in 16 KiB host as root: refused', host: { uid: 0 }, reason: /refuses to run as root/ },
    { name: 'stand-in 16 KiB host, setuid caller (euid 0): refused', host: { euid: 0 }, reason: /refuses to run as root/ },
    { name: 'stand-in 16 KiB host without /dev/kvm', host: { kvm: { present: false, accessible: false } }, reason: /does not exist/ },
    { name: 'stand-in 16 KiB host, /dev/kvm not ours', host: { kvm: { present: true, accessible: false } }, reason: /not accessible/ },
];
for (const c of muvmCases) {
    (0, node_test_1.test)(`muvmBlocker: ${c.name}`, () => {
        const b = (0, muvm_js_1.muvmBlocker)({ ...user, ...c.host });
        if (!c.reason)
            strict_1.default.equal(b, undefined);
        else
            strict_1.default.match(b?.reason ?? '', c.reason);
    });
}
const krun = { pageSize: 16384, crunFeatures: ['SYSTEMD', 'LIBKRUN'], kvm: { present: true, accessible: true } };
const krunCases = [
    { name: 'stand-in 16 KiB host, crun +LIBKRUN, /dev/kvm usable', host: {} },
    { name: 'stand-in 16 KiB host, crun 1.8 without +LIBKRUN: never annotate blindly', host: { crunFeatures: ['SYSTEMD'] }, reason: /silently ignores/, fix: /crun-krun/ },
    { name: 'stand-in 16 KiB host, no crun', host: { crunFeatures: undefined }, reason: /crun is not installed/ },
    { name: 'stand-in 16 KiB host, +LIBKRUN:… with a value still counts', host: { crunFeatures: ['LIBKRUN:1.9'] } },
    { name: 'stand-in 16 KiB host, +LIBKRUN but no /dev/kvm', host: { kvm: { present: false, accessible: false } }, reason: /kvm does not exist/ },
];
for (const c of krunCases) {
    (0, node_test_1.test)(`krunBlocker: ${c.name}`, () => {
        const b = (0, muvm_js_1.krunBlocker)({ ...krun, ...c.host });
        if (!c.reason)
            strict_1.default.equal(b, undefined);
        else {
            strict_1.default.match(b?.reason ?? '', c.reason);
            if (c.fix)
                strict_1.default.match(b?.fix ?? '', c.fix);
        }
    });
}
(0, node_test_1.test)('parseBinfmtInvocation: P flag keeps argv[0]; without P it is the path', () => {
    strict_1.default.deepEqual((0, muvm_js_1.parseBinfmtInvocation)(['/usr/bin/ls', 'ls', '-l'], true), { binary: '/usr/bin/ls', argv0: 'ls', args: ['-l'] });
    strict_1.default.deepEqual((0, muvm_js_1.parseBinfmtInvocation)(['/usr/bin/ls', '-l'], false), { binary: '/usr/bin/ls', argv0: '/usr/bin/ls', args: ['-l'] });
    strict_1.default.equal((0, muvm_js_1.parseBinfmtInvocation)(['/usr/bin/ls'], true), undefined);
    strict_1.default.equal((0, muvm_js_1.parseBinfmtInvocation)([], false), undefined);
});
