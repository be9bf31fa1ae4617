"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const binfmt_persist_js_1 = require("../../../src/emulator/binfmt/binfmt-persist.js");
const binfmt_node_js_1 = require("../../../src/emulator/binfmt/binfmt-node.js");
const binfmt_lock_js_1 = require("../../../src/emulator/binfmt/binfmt-lock.js");
const binfmt_state_file_js_1 = require("../../../src/emulator/binfmt/binfmt-state-file.js");
const install_state_js_1 = require("../../../src/emulator/binfmt/install-state.js");
const integration_js_1 = require("../../helpers/integration.js");
const FIX = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'binfmt');
const AARCH64 = (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, 'debian-qemu-user-static-amd64.qemu-aarch64.conf'), 'utf8').trim();
const ARM = (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, 'debian-qemu-user-static-amd64.qemu-arm.conf'), 'utf8').trim();
(0, node_test_1.test)('parseBinfmtConf: # and ; comments and blank lines are not rules', () => {
    const lines = (0, binfmt_persist_js_1.parseBinfmtConf)(`# c\n; c\n\n${AARCH64}\n`);
    strict_1.default.deepEqual(lines.map((l) => l.rule?.name), [undefined, undefined, undefined, 'qemu-aarch64', undefined]);
});
(0, node_test_1.test)('overrideText keeps other rules and comments, undefined when nothing is left', () => {
    const text = `# vendor\n${AARCH64}\n${ARM}\n`;
    const o = (0, binfmt_persist_js_1.overrideText)(text, new Set(['qemu-aarch64']));
    strict_1.default.ok(o && o.includes(ARM) && !o.includes(AARCH64) && o.includes('# vendor'));
    strict_1.default.equal((0, binfmt_persist_js_1.overrideText)(text, new Set(['qemu-aarch64', 'qemu-arm'])), undefined);
});
(0, node_test_1.test)('effectiveFiles: /etc hides /usr/lib by file name, a /dev/null symlink masks', async () => {
    const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-binfmtd-'));
    try {
        const etc = (0, node_path_1.join)(root, 'etc');
        const lib = (0, node_path_1.join)(root, 'lib');
        (0, node_fs_1.mkdirSync)(etc);
        (0, node_fs_1.mkdirSync)(lib);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(lib, 'qemu-aarch64.conf'), AARCH64 + '\n');
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(lib, 'qemu-arm.conf'), ARM + '\n');
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(lib, 'README'), 'not a conf');
        (0, node_fs_1.symlinkSync)('/dev/null', (0, node_path_1.join)(etc, 'qemu-arm.conf'));
        const files = await (0, binfmt_persist_js_1.effectiveFiles)([etc, lib], (0, binfmt_node_js_1.nodePersistFs)());
        strict_1.default.deepEqual(files.map((f) => [f.path, f.masked]), [
            [(0, node_path_1.join)(lib, 'qemu-aarch64.conf'), false],
            [(0, node_path_1.join)(etc, 'qemu-arm.conf'), true],
        ]);
        strict_1.default.equal((0, binfmt_persist_js_1.definingFile)(files, 'qemu-aarch64')?.path, (0, node_path_1.join)(lib, 'qemu-aarch64.conf'));
        strict_1.default.equal((0, binfmt_persist_js_1.definingFile)(files, 'qemu-arm'), undefined);
    }
    finally {
        (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('the state lock (real flock) lets one holder in at a time', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-lock-'));
    try {
        const locker = (0, binfmt_lock_js_1.flockLocker)('flock', { PATH: process.env['PATH'] });
        const events = [];
        const hold = (who) => (0, binfmt_lock_js_1.withStateLock)(dir, locker, async () => {
            events.push(`${who}+`);
            await new Promise((r) => setTimeout(r, 150));
            events.push(`${who}-`);
        });
        await Promise.all([hold('a'), hold('b'), hold('c')]);
        for (let i = 0; i < events.length; i += 2)
            strict_1.default.equal(events[i]?.[0], events[i + 1]?.[0], events.join(' '));
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('the state file is written atomically and read back; missing reads as undefined', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-state-'));
    try {
        const store = (0, binfmt_state_file_js_1.fileStateStore)((0, node_path_1.join)(dir, 'sub'));
        strict_1.default.equal(await store.read(), undefined);
        const s = { ...(0, install_state_js_1.emptyInstallState)(), disabled: [{ entryName: 'qemu-aarch64', wasEnabled: true, registration: AARCH64, guest: 'aarch64' }] };
        await store.write(s);
        strict_1.default.deepEqual(await store.read(), s);
        await store.remove();
        strict_1.default.equal(await store.read(), undefined);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
