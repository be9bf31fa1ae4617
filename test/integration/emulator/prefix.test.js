"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Proves a staged prefix is self-contained: the dynamic qemu for a foreign
 * architecture is staged, then run in a fresh mount namespace chrooted into a
 * directory that holds ONLY the prefix (bind-mounted at the same absolute
 * path) and a foreign static busybox. If any library or the loader were
 * missing from the closure, the exec would fail.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_os_1 = require("node:os");
const integration_js_1 = require("../../helpers/integration.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const emulator_prefix_js_1 = require("../../../src/emulator/prefix/emulator-prefix.js");
const prefix_deps_js_1 = require("../../../src/emulator/prefix/prefix-deps.js");
const elf_js_1 = require("../../../src/common/elf.js");
const node_fs_2 = require("node:fs");
const guest = (0, foreign_image_js_1.foreignArches)()[0];
if (!guest)
    throw new Error(`no foreign architecture known for ${(0, foreign_image_js_1.hostArch)().name}`);
const qemu = `/usr/bin/qemu-${guest.qemu}`;
const req = (0, integration_js_1.integration)((0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('patchelf'), (0, integration_js_1.onPath)('unshare'), (0, integration_js_1.onPath)('dpkg-deb'), (0, integration_js_1.fileExists)(qemu));
function foreignBusybox(dir) {
    const [deb] = (0, foreign_image_js_1.debianPackages)(guest, ['busybox-static']);
    const out = (0, node_path_1.join)(dir, 'busybox');
    const bytes = (0, node_child_process_1.execFileSync)('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xO ./bin/busybox`, 'sh', deb], { maxBuffer: 1 << 26 });
    (0, node_fs_1.writeFileSync)(out, bytes);
    (0, node_fs_1.chmodSync)(out, 0o755);
    return out;
}
function walk(dir, out = []) {
    for (const name of (0, node_fs_1.readdirSync)(dir)) {
        const p = (0, node_path_1.join)(dir, name);
        out.push(p);
        if ((0, node_fs_1.lstatSync)(p).isDirectory())
            walk(p, out);
    }
    return out;
}
(0, node_test_1.test)(`prefix: staged dynamic ${qemu} runs a foreign ${guest.name} busybox in a chroot holding only the prefix`, req, async () => {
    const state = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-prefix-state-'));
    const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-prefix-root-'));
    try {
        const staged = await (0, emulator_prefix_js_1.stagePrefix)(qemu, { stateDir: state }, (0, prefix_deps_js_1.nodePrefixDeps)());
        strict_1.default.equal(staged.static, false, `${qemu} should be the dynamic build`);
        strict_1.default.ok(staged.prefix);
        const emu = (0, elf_js_1.parseElf)((0, node_fs_2.readFileSync)(staged.interpreter));
        strict_1.default.ok(emu.interpreter?.startsWith(staged.prefix + '/lib/'));
        // The second staging is a no-op with the same digest.
        const again = await (0, emulator_prefix_js_1.stagePrefix)(qemu, { stateDir: state }, (0, prefix_deps_js_1.nodePrefixDeps)());
        strict_1.default.equal(again.digest, staged.digest);
        // Nothing in the prefix points outside it: no symlinks at all, read-only files, 0755 dirs.
        for (const p of walk(staged.prefix)) {
            const st = (0, node_fs_1.lstatSync)(p);
            strict_1.default.ok(!st.isSymbolicLink(), `symlink in prefix: ${p} -> ${st.isSymbolicLink() ? (0, node_fs_1.readlinkSync)(p) : ''}`);
            if (st.isDirectory())
                strict_1.default.equal(st.mode & 0o7777, 0o755, p);
            else
                strict_1.default.equal(st.mode & 0o222, 0, `${p} is writable`);
            strict_1.default.equal(st.uid, 0);
        }
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(root, staged.prefix), { recursive: true });
        foreignBusybox(root);
        const script = `mount --bind "$1" "$2$1" && mount -o remount,bind,ro,nosuid,nodev "$2$1" && exec chroot "$2" "$3" /busybox uname -m`;
        const out = (0, node_child_process_1.execFileSync)('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', staged.prefix, root, staged.interpreter], {
            encoding: 'utf8',
            timeout: 60_000,
        });
        strict_1.default.equal(out.trim(), guest.name === 'arm' ? 'armv7l' : guest.name);
    }
    finally {
        (0, node_fs_1.rmSync)(root, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(state, { recursive: true, force: true });
    }
});
(0, node_test_1.test)(`prefix: two concurrent stagers of ${qemu} end with one directory and no temp leftovers`, req, async () => {
    const state = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-prefix-race-'));
    try {
        const [a, b] = await Promise.all([(0, emulator_prefix_js_1.stagePrefix)(qemu, { stateDir: state }, (0, prefix_deps_js_1.nodePrefixDeps)()), (0, emulator_prefix_js_1.stagePrefix)(qemu, { stateDir: state }, (0, prefix_deps_js_1.nodePrefixDeps)())]);
        strict_1.default.equal(a.prefix, b.prefix);
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)((0, node_path_1.join)(state, 'prefix')), [a.digest]);
    }
    finally {
        (0, node_fs_1.rmSync)(state, { recursive: true, force: true });
    }
});
