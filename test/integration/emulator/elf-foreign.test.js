"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const elf_js_1 = require("../../../src/common/elf.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
// The 32-bit foreign guest of this host: armhf on x86_64, i386 on aarch64.
const guest32 = (0, foreign_image_js_1.foreignArches)().find((a) => a.bits === 32);
(0, node_test_1.test)(`parseElf: a real foreign 32-bit libc (Debian's libc6:${guest32?.debian ?? '?'})`, (0, integration_js_1.integration)((0, integration_js_1.onPath)('apt-get'), (0, integration_js_1.onPath)('dpkg-deb'), { what: 'a 32-bit foreign architecture', ok: guest32 !== undefined }), () => {
    if (!guest32)
        return;
    const [deb] = (0, foreign_image_js_1.debianPackages)(guest32, ['libc6']);
    strict_1.default.ok(deb);
    const out = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-elf-'));
    try {
        (0, node_child_process_1.execFileSync)('dpkg-deb', ['-x', deb, out]);
        const libc = (0, node_child_process_1.execFileSync)('find', [out, '-name', 'libc.so.6'], { encoding: 'utf8' }).trim().split('\n')[0];
        strict_1.default.ok(libc);
        const elf = (0, elf_js_1.parseElf)((0, node_fs_1.readFileSync)(libc));
        strict_1.default.equal(elf.elfClass, 1);
        strict_1.default.equal(elf.machine, guest32.machine);
        strict_1.default.equal(elf.dynamic?.soname, 'libc.so.6');
        strict_1.default.ok(elf.dynamic?.needed.some((n) => n.startsWith('ld-linux')));
    }
    finally {
        (0, node_fs_1.rmSync)(out, { recursive: true, force: true });
    }
});
