"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_child_process_1 = require("node:child_process");
const elf_js_1 = require("../../../src/common/elf.js");
const elf_builder_js_1 = require("./elf-builder.js");
const integration_js_1 = require("../../helpers/integration.js");
const synthetic = [
    { name: '64-bit LE dynamic', spec: { elfClass: 2, machine: 0x3e }, le: true },
    { name: '64-bit BE dynamic', spec: { elfClass: 2, machine: 0x16, bigEndian: true }, le: false },
    { name: '32-bit LE dynamic', spec: { elfClass: 1, machine: 0x28 }, le: true },
    { name: '32-bit BE dynamic', spec: { elfClass: 1, machine: 0x08, bigEndian: true }, le: false },
];
for (const c of synthetic) {
    (0, node_test_1.test)(`parseElf: ${c.name} reads PT_INTERP, DT_NEEDED, DT_SONAME, DT_RUNPATH`, () => {
        const bytes = (0, elf_builder_js_1.buildElf)({
            ...c.spec,
            interpreter: '/lib/ld-test.so.1',
            dynamic: { needed: ['libfoo.so.1', 'libc.so.6'], soname: 'libself.so.2', runpath: '$ORIGIN/../lib:/opt/x::' },
        });
        const elf = (0, elf_js_1.parseElf)(bytes);
        strict_1.default.equal(elf.elfClass, c.spec.elfClass);
        strict_1.default.equal(elf.elfData, c.le ? 1 : 2);
        strict_1.default.equal(elf.machine, c.spec.machine);
        strict_1.default.equal(elf.interpreter, '/lib/ld-test.so.1');
        strict_1.default.deepEqual(elf.dynamic?.needed, ['libfoo.so.1', 'libc.so.6']);
        strict_1.default.equal(elf.dynamic?.soname, 'libself.so.2');
        strict_1.default.deepEqual(elf.dynamic?.runpath, ['$ORIGIN/../lib', '/opt/x']);
        strict_1.default.equal(elf.dynamic?.rpath, undefined);
        strict_1.default.equal((0, elf_js_1.isStatic)(elf), false);
        strict_1.default.deepEqual((0, elf_js_1.searchPathOf)(elf, '/p/bin'), ['/p/bin/../lib', '/opt/x']);
    });
}
(0, node_test_1.test)('parseElf: static (no PT_INTERP, no PT_DYNAMIC)', () => {
    const elf = (0, elf_js_1.parseElf)((0, elf_builder_js_1.buildElf)({ type: 2 }));
    strict_1.default.equal(elf.interpreter, undefined);
    strict_1.default.equal(elf.dynamic, undefined);
    strict_1.default.equal((0, elf_js_1.isStatic)(elf), true);
});
(0, node_test_1.test)('searchPathOf: DT_RPATH is used only without DT_RUNPATH; $LIB entries are dropped', () => {
    const rpathOnly = (0, elf_js_1.parseElf)((0, elf_builder_js_1.buildElf)({ dynamic: { rpath: '/a:${ORIGIN}/b:/x/$LIB' } }));
    strict_1.default.deepEqual((0, elf_js_1.searchPathOf)(rpathOnly, '/o'), ['/a', '/o/b']);
    const both = (0, elf_js_1.parseElf)((0, elf_builder_js_1.buildElf)({ dynamic: { rpath: '/a', runpath: '/r' } }));
    strict_1.default.deepEqual((0, elf_js_1.searchPathOf)(both, '/o'), ['/r']);
});
const broken = [
    { name: 'not ELF', bytes: Buffer.from('#!/bin/sh\n') },
    { name: 'truncated program headers', bytes: (0, elf_builder_js_1.buildElf)({ interpreter: '/lib/ld.so' }).subarray(0, 80) },
    {
        name: 'interpreter without terminator',
        bytes: (() => {
            const b = (0, elf_builder_js_1.buildElf)({ interpreter: '/lib/ld.so' });
            const i = Buffer.from(b).indexOf('/lib/ld.so\0');
            b[i + 10] = 0x41;
            return b;
        })(),
    },
];
for (const c of broken) {
    (0, node_test_1.test)(`parseElf rejects ${c.name}`, () => {
        strict_1.default.throws(() => (0, elf_js_1.parseElf)(c.bytes), elf_js_1.ElfParseError);
        strict_1.default.equal((0, elf_js_1.tryParseElf)(c.bytes), undefined);
    });
}
// Real binaries on this host: the running node, and a dynamic + static qemu when installed.
(0, node_test_1.test)('parseElf: the running node binary is dynamic with a loader', () => {
    const elf = (0, elf_js_1.parseElf)((0, node_fs_1.readFileSync)(process.execPath));
    strict_1.default.ok(elf.interpreter?.startsWith('/'));
    strict_1.default.ok(elf.dynamic?.needed.includes('libc.so.6'));
});
function qemuPair() {
    for (const a of ['aarch64', 'x86_64', 'arm']) {
        const dyn = `/usr/bin/qemu-${a}`;
        const stat = `/usr/bin/qemu-${a}-static`;
        if ((0, node_fs_1.existsSync)(dyn) && (0, node_fs_1.existsSync)(stat))
            return { dyn, stat };
    }
    return undefined;
}
(0, node_test_1.test)('parseElf: real qemu-user (dynamic) and qemu-user-static agree with readelf', (0, integration_js_1.integration)({ what: 'qemu-user and qemu-user-static installed', ok: qemuPair() !== undefined }), () => {
    const q = qemuPair();
    strict_1.default.ok(q);
    const dyn = (0, elf_js_1.parseElf)((0, node_fs_1.readFileSync)(q.dyn));
    const readelf = (0, node_child_process_1.execFileSync)('readelf', ['-d', q.dyn], { encoding: 'utf8' });
    const needed = [...readelf.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    strict_1.default.deepEqual(dyn.dynamic?.needed, needed);
    strict_1.default.equal((0, elf_js_1.isStatic)((0, elf_js_1.parseElf)((0, node_fs_1.readFileSync)(q.stat))), true);
});
(0, node_test_1.test)('parseElf: damaged real binaries only ever throw ElfParseError (truncations and byte flips, fixed seed)', () => {
    const real = new Uint8Array((0, node_fs_1.readFileSync)(process.execPath).subarray(0, 256 * 1024));
    const small = (0, elf_builder_js_1.buildElf)({ elfClass: 1, bigEndian: true, interpreter: '/lib/ld.so.1', dynamic: { needed: ['libc.so.6'], runpath: '/x' } });
    let seed = 42;
    const rand = (n) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
    };
    for (const base of [real, small]) {
        for (let i = 0; i < 300; i++) {
            const b = base.slice(0, rand(base.length + 1));
            for (let k = rand(4); k > 0; k--)
                if (b.length > 0)
                    b[rand(Math.min(b.length, 512))] = rand(256);
            try {
                (0, elf_js_1.parseElf)(b);
            }
            catch (err) {
                strict_1.default.ok(err instanceof elf_js_1.ElfParseError, `${err.name}: ${err.message}`);
            }
        }
    }
});
