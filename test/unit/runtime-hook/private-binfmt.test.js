"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The rootless hook's registration in the private binfmt_misc of Podman's user
 * namespace, against a fake that keeps two instances apart (the host's, which
 * this process may not write, and the private one the mount creates). The
 * real kernel is exercised in test/integration/runtime-hook/private-binfmt.test.ts.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const binfmt_entry_js_1 = require("../../../src/emulator/binfmt/binfmt-entry.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
const private_binfmt_js_1 = require("../../../src/runtime-hook/hook/private-binfmt.js");
// Real entry texts: Debian's qemu-user-static aarch64 and arm entries as this kernel prints them.
const HOST_AARCH64 = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c460201010000000000000000000200b700\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
const HOST_ARM = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c4601010100000000000000000002002800\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
const HOST_RISCV = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/riscv64-binfmt-P\nflags: POF\noffset 0\nmagic 7f454c460201010000000000000000000200f300\nmask ffffffffffffff00fffffffffffffffffeffffff\n';
const HOST_JAR = 'enabled\ninterpreter /usr/bin/jexec\nflags: \nextension .jar\n';
const REG = {
    guest: 'aarch64',
    emulator: 'qemu-user',
    entryName: 'fexpod-qemu-user-aarch64',
    registration: ':fexpod-qemu-user-aarch64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/home/u/.local/share/fexpod/prefix/abc/bin/qemu-aarch64:POF',
    interpreter: '/home/u/.local/share/fexpod/prefix/abc/bin/qemu-aarch64',
    prefix: '/home/u/.local/share/fexpod/prefix/abc',
};
const STATE = { version: 1, registrations: [REG], disabled: [], persisted: [] };
const ROOTLESS_MAP = '         0       1000          1\n         1     100000      65536\n';
const INITIAL_MAP = '         0          0 4294967295\n';
function errno(code) {
    const e = new Error(code);
    e.code = code;
    return e;
}
/** Two instances: the host's (read-only here) and the private one, made by mountOnce. */
class FakeNamespace {
    kernelRelease = '6.18.44';
    map = ROOTLESS_MAP;
    host = new Map();
    priv;
    mounts = 0;
    registered = [];
    mountError;
    /** Another hook mounts between our check and our lock. */
    raceMount = false;
    registerError = () => undefined;
    constructor(host = {}) {
        for (const [k, v] of Object.entries(host))
            this.host.set(k, v);
    }
    visible() {
        return this.priv ?? this.host;
    }
    uidMap() {
        return this.map;
    }
    ownInstance() {
        return this.priv !== undefined;
    }
    visibleEntries() {
        return [...this.visible()].map(([name, text]) => ({ name, text }));
    }
    mountOnce() {
        if (this.mountError)
            throw this.mountError;
        if (this.raceMount)
            this.priv ??= new Map();
        if (this.priv)
            return 'present';
        this.priv = new Map();
        this.mounts++;
        return 'mounted';
    }
    entry(name) {
        const t = this.visible().get(name);
        return t === undefined ? 'missing' : t.startsWith('enabled') ? 'enabled' : 'disabled';
    }
    register(line) {
        if (!this.priv)
            throw errno('EACCES');
        const err = this.registerError(line);
        if (err)
            throw err;
        const rule = (0, binfmt_rule_js_1.parseRegistration)(line);
        if (this.priv.has(rule.name))
            throw errno('EEXIST');
        this.priv.set(rule.name, (0, binfmt_entry_js_1.formatEntryFile)({ rule, enabled: true }));
        this.registered.push(rule.name);
    }
}
const cases = [
    {
        name: 'first foreign start: mounts once, carries over the host entries that catch other arches, registers ours',
        ns: () => new FakeNamespace({ 'qemu-aarch64': HOST_AARCH64, 'qemu-arm': HOST_ARM, 'qemu-riscv64': HOST_RISCV, jar: HOST_JAR }),
        ok: true,
        action: 'registered',
        check: (ns, r) => {
            strict_1.default.equal(ns.mounts, 1);
            strict_1.default.equal(r.created, true);
            strict_1.default.deepEqual([...r.copied].sort(), ['jar', 'qemu-arm', 'qemu-riscv64']);
            strict_1.default.deepEqual(r.notCopied, ['qemu-aarch64'], 'the host entry for our guest is left out');
            strict_1.default.equal(ns.registered.at(-1), REG.entryName);
            strict_1.default.equal(ns.host.size, 4, 'the host instance is untouched');
        },
    },
    {
        name: 'instance already ours, entry present: nothing written',
        ns: () => {
            const ns = new FakeNamespace();
            ns.priv = new Map([[REG.entryName, 'enabled\n']]);
            return ns;
        },
        ok: true,
        action: 'present',
        check: (ns) => strict_1.default.equal(ns.registered.length + ns.mounts, 0),
    },
    {
        name: 'instance ours (another start made it), entry missing: registers, no second mount',
        ns: () => {
            const ns = new FakeNamespace();
            ns.priv = new Map();
            return ns;
        },
        ok: true,
        action: 'registered',
        check: (ns) => strict_1.default.equal(ns.mounts, 0),
    },
    {
        name: 'another hook mounted between our check and our lock: no copy, no second mount',
        ns: () => {
            const ns = new FakeNamespace({ 'qemu-riscv64': HOST_RISCV });
            ns.raceMount = true;
            return ns;
        },
        ok: true,
        action: 'registered',
        check: (ns, r) => {
            strict_1.default.equal(r.created, false);
            strict_1.default.deepEqual(r.copied, []);
            strict_1.default.equal(ns.mounts, 0);
        },
    },
    {
        name: 'a concurrent hook registered the entry first (EEXIST): success',
        ns: () => {
            const ns = new FakeNamespace();
            ns.priv = new Map();
            ns.registerError = (line) => {
                ns.priv?.set((0, binfmt_rule_js_1.parseRegistration)(line).name, 'enabled\n');
                return errno('EEXIST');
            };
            return ns;
        },
        ok: true,
        action: 'registered',
    },
    {
        name: 'entry disabled by the user in the namespace: left alone',
        ns: () => {
            const ns = new FakeNamespace();
            ns.priv = new Map([[REG.entryName, 'disabled\n']]);
            return ns;
        },
        ok: false,
        reason: /disabled in Podman's user namespace/,
    },
    {
        name: 'kernel 6.6: no private instance, spec left alone, no mount tried',
        ns: () => Object.assign(new FakeNamespace(), { kernelRelease: '6.6.30-200.fc39.aarch64' }),
        ok: false,
        reason: /kernel 6\.6\.30.*Linux ≥ 6\.7/,
        check: (ns) => strict_1.default.equal(ns.mounts, 0),
    },
    {
        name: 'not in a user namespace (rootful Podman reading a user hook): refuses, no mount',
        ns: () => Object.assign(new FakeNamespace(), { map: INITIAL_MAP }),
        ok: false,
        reason: /initial user namespace/,
        check: (ns) => strict_1.default.equal(ns.mounts, 0),
    },
    {
        name: 'the mount fails (a security module forbids it): reason and fix',
        ns: () => Object.assign(new FakeNamespace(), { mountError: new Error('mount: permission denied') }),
        ok: false,
        reason: /mounting binfmt_misc in Podman's user namespace failed: mount: permission denied/,
    },
    {
        name: 'registering fails (interpreter gone: ENOENT from F): reason',
        ns: () => {
            const ns = new FakeNamespace();
            ns.priv = new Map();
            ns.registerError = () => errno('ENOENT');
            return ns;
        },
        ok: false,
        reason: /registering fexpod-qemu-user-aarch64 .* failed: ENOENT/,
    },
];
for (const c of cases) {
    (0, node_test_1.test)(c.name, () => {
        const ns = c.ns();
        const r = (0, private_binfmt_js_1.ensurePrivateRegistration)(REG, STATE, ns);
        strict_1.default.equal(r.result.ok, c.ok, JSON.stringify(r.result));
        if (r.result.ok && c.action)
            strict_1.default.equal(r.result.action, c.action);
        if (!r.result.ok) {
            strict_1.default.match(r.result.reason, c.reason ?? /./);
            strict_1.default.ok(r.result.fix.length > 0);
        }
        c.check?.(ns, r);
    });
}
(0, node_test_1.test)('entriesToCopy: enabled host entries that catch none of our guests, as exact registration lines', () => {
    const disabledArm = HOST_ARM.replace('enabled', 'disabled');
    const { copy, skipped } = (0, private_binfmt_js_1.entriesToCopy)([
        { name: 'qemu-aarch64', text: HOST_AARCH64 },
        { name: 'qemu-arm', text: disabledArm },
        { name: 'qemu-riscv64', text: HOST_RISCV },
        { name: REG.entryName, text: HOST_AARCH64 },
        { name: 'garbage', text: 'what\n' },
    ], STATE);
    strict_1.default.deepEqual(copy.map((c) => c.name), ['qemu-riscv64']);
    strict_1.default.deepEqual(skipped, ['qemu-aarch64', 'garbage']);
    // Re-registering the line recreates the host's entry exactly.
    const line = copy[0]?.line ?? '';
    strict_1.default.equal((0, binfmt_entry_js_1.formatEntryFile)({ rule: (0, binfmt_rule_js_1.parseRegistration)(line), enabled: true }), HOST_RISCV);
    strict_1.default.deepEqual((0, binfmt_entry_js_1.parseEntryFile)('qemu-riscv64', HOST_RISCV).rule.interpreter, (0, binfmt_rule_js_1.parseRegistration)(line).interpreter);
});
