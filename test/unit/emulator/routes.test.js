"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The one decision (hostRoutes over chooseEmulator and the muvm/krun
 * blockers), table-driven over every combination of page size 4k/16k/64k ×
 * FEX × muvm × crun with/without +LIBKRUN × /dev/kvm absent/inaccessible/usable
 * × root. The expectations are a truth table written by hand (first matching
 * row wins); every one of the 144 combinations must match exactly one process
 * row and one container row. muvm, krun and the 16/64 KiB hosts are host-fact
 * stand-ins: nothing here needs them installed.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const arch_js_1 = require("../../../src/common/arch.js");
const routes_js_1 = require("../../../src/emulator/routes.js");
const X86 = arch_js_1.Arch.of('x86_64');
const A64 = arch_js_1.Arch.of('aarch64');
const bin = (id, path, extra = {}) => ({
    id, path, via: `PATH: ${path}`, static: false, arch: A64, guests: ['x86_64', 'i386'], helpers: {}, problems: [], ...extra,
});
function scene(f) {
    const found = [bin('krun', '/usr/bin/crun', { arch: undefined })];
    if (f.fex)
        found.push(bin('fex', '/usr/bin/FEX', { helpers: { FEXServer: '/usr/bin/FEXServer' } }));
    if (f.muvm)
        found.push(bin('muvm', '/usr/bin/muvm'));
    return {
        found,
        host: {
            arch: A64,
            pageSize: f.page,
            uid: f.root ? 0 : 1000,
            kvm: { present: f.kvm !== 'absent', accessible: f.kvm === 'usable' },
            crunFeatures: f.libkrun ? ['SYSTEMD', 'SELINUX', 'LIBKRUN', 'YAJL'] : ['SYSTEMD', 'SELINUX', 'YAJL'],
        },
    };
}
const PROCESS = [
    { when: { page: 4096, fex: true }, via: 'fex', why: /^FEX is installed and usable$/ },
    { when: { page: 4096, fex: false }, via: undefined, why: /^FEX is not installed$/, fix: /dnf install fex-emu/ },
    { when: { nonFour: true, muvm: false }, via: undefined, why: /^muvm is not installed$/, fix: /dnf install muvm/ },
    { when: { nonFour: true, root: true }, via: undefined, why: /^muvm: muvm refuses to run as root$/, fix: /your own user/ },
    { when: { nonFour: true, kvm: 'absent' }, via: undefined, why: /^muvm: \/dev\/kvm does not exist$/, fix: /modprobe kvm/ },
    { when: { nonFour: true, kvm: 'inaccessible' }, via: undefined, why: /^muvm: \/dev\/kvm is not accessible to this user$/, fix: /usermod -aG kvm/ },
    { when: { nonFour: true, fex: false }, via: undefined, why: /^muvm: FEX \(with FEXServer\) is needed inside the microVM/, fix: /dnf install fex-emu/ },
    { when: { nonFour: true }, via: 'muvm', why: /^muvm \+ FEX \(a 4 KiB microVM\) is installed and usable$/ },
];
const CONTAINER = [
    { when: { page: 4096, fex: true }, via: 'fex', why: /^FEX is installed and usable$/ },
    { when: { page: 4096, fex: false }, via: undefined, why: /^FEX is not installed$/, fix: /dnf install fex-emu/ },
    { when: { nonFour: true, libkrun: false }, via: undefined, why: /^krun: crun is built without \+LIBKRUN/, fix: /dnf install crun-krun/ },
    { when: { nonFour: true, kvm: 'absent' }, via: undefined, why: /^krun: \/dev\/kvm does not exist$/, fix: /modprobe kvm/ },
    { when: { nonFour: true, kvm: 'inaccessible' }, via: undefined, why: /^krun: \/dev\/kvm is not accessible/, fix: /usermod -aG kvm/ },
    { when: { nonFour: true, fex: false }, via: undefined, why: /^krun: FEX \(with FEXServer\) is needed inside the microVM/, fix: /dnf install fex-emu/ },
    { when: { nonFour: true }, via: 'krun', why: /^crun's krun handler \+ FEX \(a 4 KiB microVM\) is installed and usable$/ },
];
function matches(f, w) {
    if (w.nonFour && f.page === 4096)
        return false;
    return Object.keys(w).every((k) => k === 'nonFour' || w[k] === f[k]);
}
function all() {
    const out = [];
    for (const page of [4096, 16384, 65536])
        for (const fex of [true, false])
            for (const muvm of [true, false])
                for (const libkrun of [true, false])
                    for (const kvm of ['absent', 'inaccessible', 'usable'])
                        for (const root of [false, true])
                            out.push({ page, fex, muvm, libkrun, kvm, root });
    return out;
}
const name = (f) => `${f.page / 1024}k${f.page === 4096 ? '' : ' (stand-in)'} FEX=${f.fex ? 'yes' : 'no'} muvm=${f.muvm ? 'yes' : 'no'} crun${f.libkrun ? '+' : '-'}LIBKRUN kvm=${f.kvm}${f.root ? ' root' : ''}`;
(0, node_test_1.test)('the truth table covers all 144 combinations', () => strict_1.default.equal(all().length, 144));
for (const f of all()) {
    (0, node_test_1.test)(`routes: ${name(f)}`, () => {
        const { found, host } = scene(f);
        const r = (0, routes_js_1.hostRoutes)(found, host, X86);
        for (const [o, rows] of [[r.process, PROCESS], [r.container, CONTAINER]]) {
            const row = rows.find((w) => matches(f, w.when));
            strict_1.default.ok(row, `no ${o.purpose} row matches`);
            strict_1.default.equal(o.via, row.via, `${o.purpose} route`);
            strict_1.default.match(o.why, row.why, `${o.purpose} why`);
            if (row.fix)
                strict_1.default.match(o.fix ?? '', row.fix, `${o.purpose} fix`);
            else
                strict_1.default.equal(o.fix, undefined, `${o.purpose} needs no fix`);
        }
        const page = f.page === 4096 ? 'host pages are 4 KiB' : `this host uses ${f.page / 1024} KiB pages and FEX needs 4 KiB`;
        strict_1.default.ok(r.because.startsWith(page), r.because);
        strict_1.default.match(r.sentence, /^on this host an x86-64 program (runs via .+|cannot run), an amd64 container (via .+|cannot run), because /);
        strict_1.default.ok(r.sentence.includes(r.process.via ? `runs via ${r.process.label}` : 'program cannot run'));
    });
}
const extra = [
    {
        name: 'stand-in 16k, root, box64 installed: programs fall back to box64, the sentence says why muvm was passed over',
        host: A64, guest: X86, page: 16384,
        found: [bin('fex', '/usr/bin/FEX', { helpers: { FEXServer: '/usr/bin/FEXServer' } }), bin('muvm', '/usr/bin/muvm'), bin('box64', '/usr/bin/box64', { guests: ['x86_64'] })],
        process: /an x86-64 program runs via box64, .*muvm: muvm refuses to run as root/,
        container: /an amd64 container via box64/,
    },
    {
        name: 'stand-in 16k without krun, QEMU static installed: containers through QEMU',
        host: A64, guest: arch_js_1.Arch.of('i386'), page: 16384,
        found: [bin('krun', '/usr/bin/crun'), bin('qemu-user-static', '/usr/bin/qemu-i386-static', { static: true, guests: ['i386'] })],
        process: /an i386 program runs via QEMU \(static\)/,
        container: /an i386 container via QEMU \(static\).*krun: crun is built without \+LIBKRUN/,
    },
    {
        name: 'the mirror image (an x86_64 host): arm64 through QEMU, FEX does not serve arm64',
        host: X86, guest: A64, page: 4096,
        found: [bin('qemu-user-static', '/usr/bin/qemu-aarch64-static', { static: true, arch: X86, guests: ['aarch64', 'arm'] })],
        process: /^on this host an arm64 program runs via QEMU \(static\)/,
        container: /an arm64 container via QEMU \(static\), because host pages are 4 KiB; QEMU \(static\) is the first usable emulator in precedence order$/,
    },
];
for (const c of extra) {
    (0, node_test_1.test)(`routes: ${c.name}`, () => {
        const r = (0, routes_js_1.hostRoutes)(c.found, { arch: c.host, pageSize: c.page, uid: 0, kvm: { present: true, accessible: true }, crunFeatures: ['SYSTEMD'] }, c.guest);
        strict_1.default.match(r.sentence, c.process);
        strict_1.default.match(r.sentence, c.container);
    });
}
