"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.sampleTree = sampleTree;
/** A small tree with every entry kind the tar writer handles (shared by unit and integration tests). */
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const enc = new TextEncoder();
function sampleTree() {
    const base = { mode: 0o755, uid: 0, gid: 0, mtime: 2_000_000_000 };
    const long = `usr/share/${'d'.repeat(60)}/${'f'.repeat(80)}.txt`;
    return [
        { ...base, path: 'usr/bin/ping', type: 'file', mode: 0o755, content: (0, tree_js_1.bufferContent)(enc.encode('ping\n')),
            xattrs: { 'security.capability': Uint8Array.from(Buffer.from('0100000200200000000000000000000000000000', 'hex')) } },
        { ...base, path: 'usr', type: 'dir' },
        { ...base, path: 'usr/bin', type: 'dir' },
        { ...base, path: 'usr/share', type: 'dir' },
        { ...base, path: `usr/share/${'d'.repeat(60)}`, type: 'dir' },
        { ...base, path: long, type: 'file', mode: 0o644, uid: 42, gid: 43, mtime: 1000, content: (0, tree_js_1.bufferContent)(enc.encode('x'.repeat(700))) },
        { ...base, path: 'usr/bin/su', type: 'file', mode: 0o4755, content: (0, tree_js_1.bufferContent)(enc.encode('su')) },
        { ...base, path: 'usr/bin/zz-link', type: 'file', mode: 0o755, content: (0, tree_js_1.bufferContent)(enc.encode('hard')) },
        { ...base, path: 'usr/bin/aa-link', type: 'hardlink', linkTarget: 'usr/bin/zz-link' },
        { ...base, path: 'usr/bin/sh', type: 'symlink', mode: 0o777, linkTarget: 'bash' },
        { ...base, path: 'usr/share/long-symlink', type: 'symlink', mode: 0o777, linkTarget: long },
        { ...base, path: 'usr/share/caf\u00e9', type: 'file', mode: 0o644, content: (0, tree_js_1.bufferContent)(enc.encode('')) },
        { ...base, path: 'dev', type: 'dir' },
        { ...base, path: 'dev/null', type: 'char', mode: 0o666, devMajor: 1, devMinor: 3 },
        { ...base, path: 'dev/fifo', type: 'fifo', mode: 0o600 },
    ];
}
