"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const elf_ident_js_1 = require("../../src/common/elf-ident.js");
const arch_js_1 = require("../../src/common/arch.js");
function header(elfClass, machine, le = true) {
    const b = new Uint8Array(64);
    b.set([0x7f, 0x45, 0x4c, 0x46, elfClass, le ? 1 : 2, 1]);
    if (le) {
        b[16] = 2;
        b[18] = machine & 0xff;
        b[19] = machine >> 8;
    }
    else {
        b[17] = 2;
        b[19] = machine & 0xff;
        b[18] = machine >> 8;
    }
    return b;
}
const cases = [
    { name: 'x86_64', bytes: header(2, 0x3e), arch: 'x86_64' },
    { name: 'i386', bytes: header(1, 0x03), arch: 'i386' },
    { name: 'aarch64', bytes: header(2, 0xb7), arch: 'aarch64' },
    { name: 'arm', bytes: header(1, 0x28), arch: 'arm' },
    { name: 'riscv64 is ELF but unknown', bytes: header(2, 0xf3), arch: undefined },
];
for (const c of cases) {
    (0, node_test_1.test)(`readElfIdent: ${c.name}`, () => {
        const id = (0, elf_ident_js_1.readElfIdent)(c.bytes);
        strict_1.default.ok(id);
        strict_1.default.equal(id.arch?.name, c.arch);
    });
}
const bad = [
    { name: 'empty', bytes: new Uint8Array() },
    { name: 'truncated', bytes: header(2, 0x3e).subarray(0, 10) },
    { name: 'bad class', bytes: header(7, 0x3e) },
    { name: 'script', bytes: Buffer.from('#!/bin/sh\necho hi\n') },
];
for (const c of bad)
    (0, node_test_1.test)(`readElfIdent rejects ${c.name}`, () => strict_1.default.equal((0, elf_ident_js_1.readElfIdent)(c.bytes), undefined));
(0, node_test_1.test)('the running node binary is the host arch', () => {
    const id = (0, elf_ident_js_1.readElfIdent)((0, node_fs_1.readFileSync)(process.execPath).subarray(0, 64));
    strict_1.default.equal(id?.arch, arch_js_1.Arch.fromNode(process.arch));
});
(0, node_test_1.test)('readShebang', () => {
    strict_1.default.deepEqual((0, elf_ident_js_1.readShebang)(Buffer.from('#!/bin/sh\n')), { interpreter: '/bin/sh' });
    strict_1.default.deepEqual((0, elf_ident_js_1.readShebang)(Buffer.from('#! /usr/bin/env  python3 \nx')), { interpreter: '/usr/bin/env', arg: 'python3' });
    strict_1.default.equal((0, elf_ident_js_1.readShebang)(Buffer.from('#!\n')), undefined);
    strict_1.default.equal((0, elf_ident_js_1.readShebang)(Buffer.from('\x7fELF')), undefined);
});
