"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
const binfmt_magic_js_1 = require("../../../src/emulator/binfmt/binfmt-magic.js");
const binfmt_entry_js_1 = require("../../../src/emulator/binfmt/binfmt-entry.js");
const integration_js_1 = require("../../helpers/integration.js");
const FIX = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'binfmt');
const fixture = (f) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, f), 'utf8');
/** The registration line of a binfmt.d fixture (comments skipped), exactly as in the file. */
const lineOf = (f) => {
    const l = fixture(f).split('\n').find((x) => x.length > 0 && !x.startsWith('#'));
    strict_1.default.ok(l, `${f} has a rule line`);
    return l;
};
const header = (f) => new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, f)));
/** Real first-64-byte headers and the arch they belong to. */
const REAL_HEADERS = [
    { file: 'host-busybox.x86_64.elf64', arch: 'x86_64' },
    { file: 'debian-qemu-aarch64-amd64.elf64', arch: 'x86_64' },
    { file: 'debian-busybox-static-arm64.elf64', arch: 'aarch64' },
    { file: 'debian-coreutils-uname-arm64.elf64', arch: 'aarch64' },
    { file: 'debian-busybox-static-armhf.elf64', arch: 'arm' },
    { file: 'debian-coreutils-uname-armhf.elf64', arch: 'arm' },
];
const LINES = [
    { file: 'fex.FEX-x86_64.conf', name: 'FEX-x86_64', arch: 'x86_64', flags: 'POCF' },
    { file: 'fex.FEX-x86.conf', name: 'FEX-x86', arch: 'i386', flags: 'POCF' },
    { file: 'debian-qemu-user-static-amd64.qemu-aarch64.conf', name: 'qemu-aarch64', arch: 'aarch64', flags: 'OPF' },
    { file: 'debian-qemu-user-static-amd64.qemu-arm.conf', name: 'qemu-arm', arch: 'arm', flags: 'OPF' },
    { file: 'debian-qemu-user-binfmt-amd64.qemu-aarch64.conf', name: 'qemu-aarch64', arch: 'aarch64', flags: 'OP' },
    { file: 'debian-qemu-user-binfmt-amd64.qemu-arm.conf', name: 'qemu-arm', arch: 'arm', flags: 'OP' },
    { file: 'debian-qemu-user-binfmt-arm64.qemu-x86_64.conf', name: 'qemu-x86_64', arch: 'x86_64', flags: 'OP' },
    { file: 'debian-qemu-user-binfmt-arm64.qemu-i386.conf', name: 'qemu-i386', arch: 'i386', flags: 'OP' },
    { file: 'standin-box64.box64.conf', name: 'x86_64', arch: 'x86_64', flags: '' },
    { file: 'standin-box64.box32.conf', name: 'box32', arch: 'i386', flags: '' },
];
for (const c of LINES) {
    (0, node_test_1.test)(`${c.file}: parses and formats back byte-exactly`, () => {
        const line = lineOf(c.file);
        const rule = (0, binfmt_rule_js_1.parseRegistration)(line);
        strict_1.default.equal(rule.name, c.name);
        strict_1.default.equal(rule.type, 'M');
        strict_1.default.equal(rule.flags, c.flags);
        strict_1.default.equal(rule.magic.length, 20);
        strict_1.default.equal(rule.mask?.length, 20);
        strict_1.default.equal((0, binfmt_rule_js_1.formatRegistration)(rule), line);
        // And the trailing newline of the file is accepted.
        strict_1.default.equal((0, binfmt_rule_js_1.formatRegistration)((0, binfmt_rule_js_1.parseRegistration)(line + '\n')), line);
    });
    (0, node_test_1.test)(`${c.file}: matches real ${c.arch} binaries and no other arch`, () => {
        const rule = (0, binfmt_rule_js_1.parseRegistration)(lineOf(c.file));
        for (const h of REAL_HEADERS) {
            strict_1.default.equal((0, binfmt_rule_js_1.matchesHeader)(rule, header(h.file)), h.arch === c.arch, `${h.file}`);
        }
        strict_1.default.deepEqual((0, binfmt_magic_js_1.archesMatched)(rule).map((a) => a.name), [c.arch]);
    });
}
(0, node_test_1.test)('a parsed line keeps its spelling only while it still decodes to the same bytes', () => {
    const rule = (0, binfmt_rule_js_1.parseRegistration)(lineOf('fex.FEX-x86_64.conf'));
    const moved = { ...rule, interpreter: '/opt/fexpod/prefix/bin/FEX' };
    strict_1.default.equal((0, binfmt_rule_js_1.formatRegistration)(moved), lineOf('fex.FEX-x86_64.conf').replace('/usr/bin/FEX', '/opt/fexpod/prefix/bin/FEX'));
    const other = { ...rule, magic: (0, binfmt_magic_js_1.elfMagic)(arch_js_1.Arch.of('i386')) };
    strict_1.default.ok((0, binfmt_rule_js_1.formatRegistration)(other).includes((0, binfmt_rule_js_1.escapeBytes)((0, binfmt_magic_js_1.elfMagic)(arch_js_1.Arch.of('i386')))));
});
(0, node_test_1.test)('generated FEX magic/mask equal FEX upstream lines', () => {
    for (const [file, arch] of [['fex.FEX-x86_64.conf', 'x86_64'], ['fex.FEX-x86.conf', 'i386']]) {
        const up = (0, binfmt_rule_js_1.parseRegistration)(lineOf(file));
        const gen = (0, binfmt_magic_js_1.magicFor)(arch_js_1.Arch.of(arch));
        strict_1.default.deepEqual(gen.magic, up.magic);
        strict_1.default.deepEqual(gen.mask, up.mask);
    }
});
(0, node_test_1.test)('generated QEMU mask is the upstream qemu-binfmt-conf.sh mask (design card)', () => {
    strict_1.default.equal((0, binfmt_rule_js_1.escapeBytes)((0, binfmt_magic_js_1.elfMask)('qemu')), '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff');
    const debian = (0, binfmt_rule_js_1.parseRegistration)(lineOf('debian-qemu-user-static-amd64.qemu-aarch64.conf'));
    strict_1.default.deepEqual((0, binfmt_magic_js_1.magicFor)(arch_js_1.Arch.of('aarch64')).magic, debian.magic);
});
const ARCHES = ['x86_64', 'i386', 'aarch64', 'arm'];
for (const a of ARCHES) {
    for (const style of ['fex', 'qemu']) {
        (0, node_test_1.test)(`generated ${style} rule for ${a} catches exactly ${a}`, () => {
            const { magic, mask } = (0, binfmt_magic_js_1.magicFor)(arch_js_1.Arch.of(a), style);
            const rule = { name: `t-${a}`, type: 'M', offset: 0, magic, mask, interpreter: '/x', flags: 'F' };
            strict_1.default.deepEqual((0, binfmt_magic_js_1.archesMatched)(rule).map((x) => x.name), [a]);
            for (const h of REAL_HEADERS)
                strict_1.default.equal((0, binfmt_rule_js_1.matchesHeader)(rule, header(h.file)), h.arch === a, h.file);
        });
    }
}
(0, node_test_1.test)('representative headers are well-formed ELF of that arch', () => {
    for (const a of arch_js_1.Arch.all())
        for (const h of (0, binfmt_magic_js_1.representativeHeaders)(a))
            strict_1.default.equal(arch_js_1.Arch.fromElf(h[4] ?? 0, (h[18] ?? 0) | ((h[19] ?? 0) << 8)), a);
});
const OVERLAP = [
    { a: 'fex.FEX-x86_64.conf', b: 'debian-qemu-user-binfmt-arm64.qemu-x86_64.conf', overlap: true },
    { a: 'fex.FEX-x86_64.conf', b: 'standin-box64.box64.conf', overlap: true },
    { a: 'fex.FEX-x86.conf', b: 'standin-box64.box32.conf', overlap: true },
    { a: 'fex.FEX-x86_64.conf', b: 'fex.FEX-x86.conf', overlap: false },
    { a: 'debian-qemu-user-static-amd64.qemu-aarch64.conf', b: 'debian-qemu-user-static-amd64.qemu-arm.conf', overlap: false },
    { a: 'debian-qemu-user-static-amd64.qemu-aarch64.conf', b: 'debian-qemu-user-binfmt-amd64.qemu-aarch64.conf', overlap: true },
];
for (const c of OVERLAP) {
    (0, node_test_1.test)(`rulesOverlap(${c.a}, ${c.b}) = ${c.overlap}`, () => {
        const a = (0, binfmt_rule_js_1.parseRegistration)(lineOf(c.a));
        const b = (0, binfmt_rule_js_1.parseRegistration)(lineOf(c.b));
        strict_1.default.equal((0, binfmt_rule_js_1.rulesOverlap)(a, b), c.overlap);
        strict_1.default.equal((0, binfmt_rule_js_1.rulesOverlap)(b, a), c.overlap);
    });
}
(0, node_test_1.test)('normalizeFlags: kernel order, C implies O', () => {
    strict_1.default.equal((0, binfmt_rule_js_1.normalizeFlags)('OPF'), 'POF');
    strict_1.default.equal((0, binfmt_rule_js_1.normalizeFlags)('FCP'), 'POCF');
    strict_1.default.equal((0, binfmt_rule_js_1.normalizeFlags)(''), '');
});
(0, node_test_1.test)('/proc entry of Debian qemu-aarch64 is the same registration as its binfmt.d line', () => {
    const entry = (0, binfmt_entry_js_1.parseEntryFile)('qemu-aarch64', fixture('proc-entry.qemu-aarch64'));
    strict_1.default.equal(entry.enabled, true);
    const conf = (0, binfmt_rule_js_1.parseRegistration)(lineOf('debian-qemu-user-static-amd64.qemu-aarch64.conf'));
    strict_1.default.ok((0, binfmt_rule_js_1.sameRegistration)(entry.rule, conf));
    strict_1.default.equal((0, binfmt_entry_js_1.entryRegistration)(entry), ':qemu-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:' +
        '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:POF');
});
/** Entry files exactly as kernel 6.18 printed them after registering the lines (probed in a user-namespace instance). */
const PROC = [
    {
        name: 'FEX-x86_64',
        text: 'enabled\ninterpreter /usr/bin/FEX\nflags: POCF\noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask fffffffffffefe00000000fffffffffffeffffff\n',
        line: lineOf('fex.FEX-x86_64.conf'),
        enabled: true,
    },
    {
        name: 'x86_64',
        text: 'enabled\ninterpreter /usr/bin/box64\nflags: \noffset 0\nmagic 7f454c4602010100000000000000000002003e00\nmask ffffffffffffff000000000000000000feffffff\n',
        line: lineOf('standin-box64.box64.conf'),
        enabled: true,
    },
    { name: 'm1', text: 'disabled\ninterpreter /bin/true\nflags: OC\noffset 3\nmagic 6162\n', line: ':m1:M:3:ab::/bin/true:OC', enabled: false },
    { name: 'e1', text: 'enabled\ninterpreter /bin/true\nflags: \nextension .foo\n', line: ':e1:E::foo::/bin/true:', enabled: true },
];
for (const c of PROC) {
    (0, node_test_1.test)(`/proc entry ${c.name} reconstructs its registration`, () => {
        const e = (0, binfmt_entry_js_1.parseEntryFile)(c.name, c.text);
        strict_1.default.equal(e.enabled, c.enabled);
        strict_1.default.ok((0, binfmt_rule_js_1.sameRegistration)(e.rule, (0, binfmt_rule_js_1.parseRegistration)(c.line)));
        // The reconstructed line parses back to the same registration.
        strict_1.default.ok((0, binfmt_rule_js_1.sameRegistration)((0, binfmt_rule_js_1.parseRegistration)((0, binfmt_entry_js_1.entryRegistration)(e)), e.rule));
    });
}
const BAD = [
    { name: 'six fields', line: ':x:M::\\x7f::/bin/true', msg: /7 fields/ },
    { name: 'bad type', line: ':x:Q::\\x7f::/bin/true:', msg: /type must be M/ },
    { name: 'bad escape', line: ':x:M::\\x7g::/bin/true:', msg: /bad escape/ },
    { name: 'mask length', line: ':x:M::\\x00\\x01:\\xfe:/bin/true:', msg: /mask has 1 bytes/ },
    { name: 'bad flag', line: ':x:M::\\x7f::/bin/true:PX', msg: /invalid binfmt_misc flags/ },
    { name: 'reserved name', line: ':register:M::\\x7f::/bin/true:', msg: /invalid binfmt_misc entry name/ },
    { name: 'relative interpreter', line: ':x:M::\\x7f::bin/true:', msg: /absolute path/ },
    { name: 'offset past header', line: ':x:M:255:\\x7f\\x7f::/bin/true:', msg: /exceeds/ },
    { name: 'empty', line: '', msg: /not a binfmt_misc registration line/ },
];
for (const c of BAD)
    (0, node_test_1.test)(`parseRegistration rejects ${c.name}`, () => strict_1.default.throws(() => (0, binfmt_rule_js_1.parseRegistration)(c.line), c.msg));
(0, node_test_1.test)('another delimiter works like ":"', () => {
    const r = (0, binfmt_rule_js_1.parseRegistration)('|x|M|2|ab||/bin/true|F');
    strict_1.default.equal(r.offset, 2);
    strict_1.default.equal((0, binfmt_rule_js_1.formatRegistration)(r), ':x:M:2:ab::/bin/true:F');
});
