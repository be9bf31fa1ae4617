"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const binfmt_controller_js_1 = require("../../../src/emulator/binfmt/binfmt-controller.js");
const binfmt_entry_js_1 = require("../../../src/emulator/binfmt/binfmt-entry.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
const log_js_1 = require("../../../src/common/log.js");
const integration_js_1 = require("../../helpers/integration.js");
const binfmt_fake_js_1 = require("./binfmt-fake.js");
const FIX = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'binfmt');
const line = (f) => (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, f), 'utf8').split('\n').find((l) => l.startsWith(':')) ?? '';
const header = (f) => new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, f)));
const DEBIAN_AARCH64 = line('debian-qemu-user-static-amd64.qemu-aarch64.conf');
const ARM64_BUSYBOX = header('debian-busybox-static-arm64.elf64');
const OURS = { ...(0, binfmt_rule_js_1.parseRegistration)(DEBIAN_AARCH64), name: 'fexpod-qemu-user-aarch64', interpreter: '/var/lib/fexpod/prefix/abc/bin/qemu-aarch64', flags: 'POF', spelling: undefined };
const controller = (fs) => new binfmt_controller_js_1.BinfmtController({ fs, log: (0, log_js_1.memoryLogger)(), dir: binfmt_fake_js_1.FAKE_DIR });
(0, node_test_1.test)('formatEntryFile reproduces the kernel text of a real entry', () => {
    const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, 'proc-entry.qemu-aarch64'), 'utf8');
    strict_1.default.equal((0, binfmt_entry_js_1.formatEntryFile)((0, binfmt_entry_js_1.parseEntryFile)('qemu-aarch64', text)), text);
});
(0, node_test_1.test)('ensureMounted mounts binfmt_misc when register is missing', async () => {
    const fs = new binfmt_fake_js_1.FakeBinfmtMisc({ mounted: false });
    await controller(fs).ensureMounted();
    strict_1.default.equal(fs.mounted, true);
});
(0, node_test_1.test)('register: new, then unchanged, then enabled again when someone disabled it', async () => {
    const fs = (0, binfmt_fake_js_1.fakeWith)([], [OURS.interpreter]);
    const c = controller(fs);
    strict_1.default.equal(await c.register(OURS), 'registered');
    strict_1.default.equal(await c.register(OURS), 'unchanged');
    await c.disable(OURS.name);
    strict_1.default.equal(await c.register(OURS), 'unchanged');
    strict_1.default.equal((await c.get(OURS.name))?.enabled, true);
    strict_1.default.equal(fs.entries.length, 1);
});
(0, node_test_1.test)('register replaces a different entry of the same name with no gap', async () => {
    const fs = (0, binfmt_fake_js_1.fakeWith)([], [OURS.interpreter, '/old/qemu-aarch64']);
    const c = controller(fs);
    await c.register({ ...OURS, interpreter: '/old/qemu-aarch64' });
    const handlers = [];
    fs.beforeWrite = () => handlers.push(fs.handlerFor(ARM64_BUSYBOX));
    strict_1.default.equal(await c.register(OURS), 'replaced');
    fs.beforeWrite = undefined;
    // At every step some fexpod entry handled arm64 binaries.
    strict_1.default.ok(handlers.every((h) => h === OURS.name || h === `${OURS.name}.fexpod-new`), handlers.join(','));
    strict_1.default.deepEqual(fs.entries.map((e) => e.rule.name), [OURS.name]);
    strict_1.default.equal(fs.entries[0]?.rule.interpreter, OURS.interpreter);
});
(0, node_test_1.test)('register tolerates EEXIST from a concurrent identical registration', async () => {
    const fs = (0, binfmt_fake_js_1.fakeWith)([], [OURS.interpreter]);
    let raced = false;
    fs.beforeWrite = (path, text) => {
        if (!raced && path.endsWith('/register')) {
            raced = true;
            fs.preload(text);
        }
    };
    strict_1.default.equal(await controller(fs).register(OURS), 'unchanged');
    strict_1.default.equal(fs.entries.length, 1);
});
(0, node_test_1.test)('register replaces a concurrent different registration', async () => {
    const fs = (0, binfmt_fake_js_1.fakeWith)([], [OURS.interpreter, '/other']);
    let raced = false;
    fs.beforeWrite = (path) => {
        if (!raced && path.endsWith('/register')) {
            raced = true;
            fs.preload(`:${OURS.name}:M::\\x7fELF::/other:F`);
        }
    };
    strict_1.default.equal(await controller(fs).register(OURS), 'replaced');
    strict_1.default.equal(fs.entries.length, 1);
    strict_1.default.equal(fs.entries[0]?.rule.interpreter, OURS.interpreter);
});
(0, node_test_1.test)('a missing F interpreter is explained', async () => {
    const fs = (0, binfmt_fake_js_1.fakeWith)([]);
    await strict_1.default.rejects(controller(fs).register(OURS), (err) => {
        strict_1.default.ok(err instanceof binfmt_controller_js_1.BinfmtError);
        strict_1.default.match(err.message, /ENOENT/);
        strict_1.default.match(err.fix ?? '', /does not exist/);
        return true;
    });
});
(0, node_test_1.test)('list reads every entry, restore re-registers a line disabled', async () => {
    const fs = (0, binfmt_fake_js_1.fakeWith)([DEBIAN_AARCH64, line('debian-qemu-user-static-amd64.qemu-arm.conf')]);
    const c = controller(fs);
    strict_1.default.deepEqual((await c.list()).map((e) => e.rule.name), ['qemu-aarch64', 'qemu-arm']);
    await c.remove('qemu-arm');
    await c.restore((0, binfmt_rule_js_1.parseRegistration)(line('debian-qemu-user-static-amd64.qemu-arm.conf')), false);
    strict_1.default.equal((await c.get('qemu-arm'))?.enabled, false);
});
