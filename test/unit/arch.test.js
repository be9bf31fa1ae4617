"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const arch_js_1 = require("../../src/common/arch.js");
const cases = [
    { input: 'amd64', name: 'x86_64', rpm: 'x86_64', oci: 'amd64', machine: 0x3e },
    { input: 'x86_64', name: 'x86_64', rpm: 'x86_64', oci: 'amd64', machine: 0x3e },
    { input: 'i686', name: 'i386', rpm: 'i686', oci: '386', machine: 0x03 },
    { input: '386', name: 'i386', rpm: 'i686', oci: '386', machine: 0x03 },
    { input: 'ARM64', name: 'aarch64', rpm: 'aarch64', oci: 'arm64', machine: 0xb7 },
    { input: 'armhf', name: 'arm', rpm: 'armv7hl', oci: 'arm', machine: 0x28 },
];
for (const c of cases) {
    (0, node_test_1.test)(`Arch.parse(${c.input})`, () => {
        const a = arch_js_1.Arch.parse(c.input);
        strict_1.default.equal(a.name, c.name);
        strict_1.default.equal(a.rpm, c.rpm);
        strict_1.default.equal(a.oci.architecture, c.oci);
        strict_1.default.equal(a.machine, c.machine);
        strict_1.default.equal(arch_js_1.Arch.fromElf(a.elfClass, a.machine), a);
    });
}
(0, node_test_1.test)('unknown arch names the accepted spellings', () => {
    strict_1.default.throws(() => arch_js_1.Arch.parse('mips'), (e) => e instanceof arch_js_1.UnknownArchError && /aarch64/.test(e.message));
});
(0, node_test_1.test)('native guests are relative to the host', () => {
    strict_1.default.ok(arch_js_1.Arch.parse('i686').isNativeOn(arch_js_1.Arch.parse('x86_64')));
    strict_1.default.ok(!arch_js_1.Arch.parse('aarch64').isNativeOn(arch_js_1.Arch.parse('x86_64')));
    strict_1.default.ok(!arch_js_1.Arch.parse('x86_64').isNativeOn(arch_js_1.Arch.parse('aarch64')));
    strict_1.default.ok(arch_js_1.Arch.parse('aarch64').isNativeOn(arch_js_1.Arch.parse('arm64')));
});
