"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod binfmt install` on a host whose page size is not 4 KiB (a stand-in:
 * fake binfmt_misc, fake discovery). FEX-x86_64 / FEX-x86 go to the muvm
 * dispatcher with flags PF, and what krun containers need is recorded.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const binfmt_controller_js_1 = require("../../../src/emulator/binfmt/binfmt-controller.js");
const binfmt_emulators_js_1 = require("../../../src/emulator/binfmt/binfmt-emulators.js");
const binfmt_install_js_1 = require("../../../src/emulator/binfmt/binfmt-install.js");
const binfmt_uninstall_js_1 = require("../../../src/emulator/binfmt/binfmt-uninstall.js");
const binfmt_node_js_1 = require("../../../src/emulator/binfmt/binfmt-node.js");
const binfmt_state_file_js_1 = require("../../../src/emulator/binfmt/binfmt-state-file.js");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const prefix_deps_js_1 = require("../../../src/emulator/prefix/prefix-deps.js");
const elf_builder_js_1 = require("./elf-builder.js");
const fake_fs_js_1 = require("./fake-fs.js");
const fake_host_js_1 = require("./fake-host.js");
const binfmt_fake_js_1 = require("./binfmt-fake.js");
const A64 = 0xb7;
const dyn = { bytes: (0, elf_builder_js_1.buildElf)({ machine: A64, interpreter: '/lib/ld-linux-aarch64.so.1', dynamic: { needed: ['libc.so.6'] } }), exec: true };
const X86_ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0]);
function setup(pageSize, files) {
    const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-microvm-unit-'));
    const stateDir = (0, node_path_1.join)(root, 'state');
    const fs = new binfmt_fake_js_1.FakeBinfmtMisc();
    const staged = [
        { guest: 'x86_64', prefix: '/p/x', interpreter: '/p/x/bin/FEX', registration: ':FEX-x86_64:M::\\x7fELF::/p/x/bin/FEX:POCF', guestInit: '/p/x/bin/fexpod-guest-init' },
    ];
    const source = (0, binfmt_emulators_js_1.catalogueEmulators)({
        host: { arch: arch_js_1.Arch.of('aarch64'), pageSize, uid: 65534, kvm: { present: true, accessible: true }, crunFeatures: undefined },
        discovery: (0, fake_host_js_1.fakeDiscoveryDeps)(new fake_fs_js_1.FakeFs(files)),
        prefixDeps: (0, prefix_deps_js_1.nodePrefixDeps)(),
        stateDir,
        version: async () => undefined,
        microvm: {
            node: '/usr/bin/node',
            dispatchEntry: '/opt/fexpod/dist/hook/emulator/microvm/dispatch-main.js',
            guestInit: undefined,
            writeFileAtomic: async (p, t, mode) => {
                const { mkdir, writeFile, chmod } = await Promise.resolve().then(() => __importStar(require('node:fs/promises')));
                await mkdir((0, node_path_1.join)(p, '..'), { recursive: true });
                await writeFile(p, t);
                await chmod(p, mode);
                fs.interpreters.add(p);
            },
        },
    });
    const log = (0, log_js_1.memoryLogger)();
    const deps = {
        controller: new binfmt_controller_js_1.BinfmtController({ fs, log, dir: binfmt_fake_js_1.FAKE_DIR }),
        persistFs: (0, binfmt_node_js_1.nodePersistFs)(),
        store: (0, binfmt_state_file_js_1.fileStateStore)(stateDir),
        lock: (fn) => fn(),
        emulators: (g) => source.emulators(g),
        servedGuests: () => source.servedGuests(),
        // Staging a real FEX is the integration tests' job; here the adapter's plan is recorded as given.
        microvm: async (guests) => (pageSize === 4096 ? [] : staged.filter((e) => guests.some((g) => g.name === e.guest))),
        host: arch_js_1.Arch.of('aarch64'),
        kernelRelease: '6.14.0-asahi',
        log,
    };
    return { fs, deps, stateDir, source, cleanup: () => (0, node_fs_1.rmSync)(root, { recursive: true, force: true }) };
}
const fedora16k = { '/usr/bin/FEX': dyn, '/usr/bin/FEXServer': dyn, '/usr/bin/muvm': dyn };
(0, node_test_1.test)('stand-in 16 KiB host: FEX-x86_64 goes to the muvm dispatcher (PF), the krun prefix is recorded; uninstall removes both', async () => {
    const h = setup(16384, fedora16k);
    try {
        const r = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('x86_64')] }, h.deps);
        const g = r.installed[0];
        strict_1.default.equal(g?.emulator, 'muvm');
        strict_1.default.equal(g?.entryName, 'FEX-x86_64', 'FEX\'s own name, so FEX inside and tools looking for it agree');
        strict_1.default.equal(g?.flags, 'PF');
        const script = (0, node_path_1.join)(h.stateDir, 'dispatch', 'fexpod-dispatch');
        strict_1.default.equal(g?.interpreter, script);
        strict_1.default.equal((0, node_fs_1.readFileSync)(script, 'utf8').split('\n')[0], '#!/usr/bin/node');
        strict_1.default.equal((0, node_fs_1.statSync)(script).mode & 0o777, 0o755);
        const rule = h.fs.entries.find((e) => e.rule.name === 'FEX-x86_64')?.rule;
        strict_1.default.equal(rule?.flags, 'PF');
        strict_1.default.equal(rule?.interpreter, script);
        strict_1.default.equal(h.fs.handlerFor(X86_ELF), 'FEX-x86_64');
        const state = (0, install_state_js_1.parseInstallState)((0, node_fs_1.readFileSync)((0, node_path_1.join)(h.stateDir, 'binfmt-state.json'), 'utf8'), 'state');
        strict_1.default.deepEqual(state.microvm?.map((e) => [e.guest, e.prefix, e.guestInit]), [['x86_64', '/p/x', '/p/x/bin/fexpod-guest-init']]);
        await (0, binfmt_uninstall_js_1.uninstallBinfmt)(undefined, h.deps);
        strict_1.default.equal(h.fs.handlerFor(X86_ELF), undefined);
        strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(h.stateDir, 'binfmt-state.json')), false);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('stand-in 16 KiB host: the muvm entry plans without writing and names the file it writes (for fexpod setup\'s dry run and journal)', async () => {
    const h = setup(16384, fedora16k);
    try {
        const [muvm] = await h.source.emulators(arch_js_1.Arch.of('x86_64'));
        const script = (0, node_path_1.join)(h.stateDir, 'dispatch', 'fexpod-dispatch');
        strict_1.default.equal(muvm?.name, 'muvm');
        strict_1.default.deepEqual(muvm?.writes, [script]);
        strict_1.default.deepEqual(await muvm?.plan?.(), { prefix: undefined, interpreter: script });
        strict_1.default.equal((0, node_fs_1.existsSync)(script), false, 'planning wrote nothing');
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('stand-in 16 KiB host without muvm: no host route for x86-64 programs, but the krun entry is still recorded', async () => {
    const h = setup(16384, { '/usr/bin/FEX': dyn, '/usr/bin/FEXServer': dyn });
    try {
        const r = await (0, binfmt_install_js_1.installBinfmt)({ guests: [arch_js_1.Arch.of('x86_64')] }, h.deps);
        strict_1.default.deepEqual(r.installed, []);
        strict_1.default.equal(r.microvm.length, 1);
        strict_1.default.equal(h.fs.handlerFor(X86_ELF), undefined, 'nothing registered that would fail: FEX cannot run on 16 KiB pages');
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('a 4 KiB host is unchanged: FEX registered itself (POCF), no dispatcher, no microVM entry', async () => {
    const h = setup(4096, fedora16k);
    try {
        const emus = await h.source.emulators(arch_js_1.Arch.of('x86_64'));
        strict_1.default.equal(emus[0]?.name, 'fex');
        strict_1.default.ok(!emus.some((e) => e.name === 'muvm'), 'muvm is not needed on 4 KiB pages');
        strict_1.default.deepEqual(await h.source.microvm([arch_js_1.Arch.of('x86_64')]), []);
    }
    finally {
        h.cleanup();
    }
});
