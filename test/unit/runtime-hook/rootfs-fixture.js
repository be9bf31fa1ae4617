"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TempRoot = void 0;
exports.elfHeader = elfHeader;
/**
 * Builds small rootfs trees in temp dirs for the hook's unit tests: files with
 * real ELF identities for any architecture, #! scripts and symlinks.
 */
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
/** The first 64 bytes of an ELF executable for `arch` (what the kernel and the hook look at). */
function elfHeader(arch, length = 64) {
    const b = Buffer.alloc(Math.max(length, 20));
    b.set([0x7f, 0x45, 0x4c, 0x46, arch.elfClass, arch.elfData, 1], 0);
    b.writeUInt16LE(2, 16);
    b.writeUInt16LE(arch.machine, 18);
    return b.subarray(0, length);
}
class TempRoot {
    root;
    constructor(entries = []) {
        this.root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-hook-rootfs-'));
        this.add(entries);
    }
    add(entries) {
        for (const e of entries) {
            if ('file' in e) {
                const p = (0, node_path_1.join)(this.root, e.file);
                (0, node_fs_1.mkdirSync)((0, node_path_1.dirname)(p), { recursive: true });
                (0, node_fs_1.writeFileSync)(p, e.bytes);
                (0, node_fs_1.chmodSync)(p, e.mode ?? 0o755);
            }
            else if ('link' in e) {
                const p = (0, node_path_1.join)(this.root, e.link);
                (0, node_fs_1.mkdirSync)((0, node_path_1.dirname)(p), { recursive: true });
                (0, node_fs_1.symlinkSync)(e.to, p);
            }
            else if ('dir' in e) {
                (0, node_fs_1.mkdirSync)((0, node_path_1.join)(this.root, e.dir), { recursive: true });
            }
        }
        return this;
    }
    path(p) {
        return (0, node_path_1.join)(this.root, p);
    }
    remove() {
        (0, node_fs_1.rmSync)(this.root, { recursive: true, force: true });
    }
}
exports.TempRoot = TempRoot;
