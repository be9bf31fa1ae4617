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
const atomic_output_js_1 = require("../../../src/common/atomic-output.js");
const dir_output_js_1 = require("../../../src/builder/outputs/dir-output.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
(0, node_test_1.test)('an interrupted output leaves the previous one in place and no temp leftovers', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-atomic-'));
    try {
        const dest = (0, node_path_1.join)(dir, 'img.oci');
        (0, node_fs_1.mkdirSync)(dest);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dest, 'index.json'), 'old');
        await strict_1.default.rejects((0, atomic_output_js_1.atomicOutput)(dest, async (tmp) => {
            (0, node_fs_1.mkdirSync)(tmp);
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(tmp, 'index.json'), 'half');
            throw new Error('interrupted');
        }), /interrupted/);
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(dest, 'index.json'), 'utf8'), 'old');
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(dir), ['img.oci']);
        await (0, atomic_output_js_1.atomicOutput)(dest, async (tmp) => {
            (0, node_fs_1.mkdirSync)(tmp);
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(tmp, 'index.json'), 'new');
        });
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(dest, 'index.json'), 'utf8'), 'new');
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(dir), ['img.oci']);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('materializeTree refuses to create implicit parents through a symlink of the tree', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-materialize-'));
    try {
        const outside = (0, node_path_1.join)(dir, 'outside');
        (0, node_fs_1.mkdirSync)(outside);
        const meta = { mode: 0o755, uid: 0, gid: 0, mtime: 0 };
        const entries = [
            { path: 'a', type: 'symlink', linkTarget: outside, ...meta },
            { path: 'a/b/c', type: 'file', content: (0, tree_js_1.bufferContent)(new Uint8Array([1])), ...meta },
        ];
        await strict_1.default.rejects((0, dir_output_js_1.materializeTree)(entries, (0, node_path_1.join)(dir, 'root'), { privileged: false, sourceDateEpoch: 0 }), /parent a is not a directory/);
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(outside), []);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
