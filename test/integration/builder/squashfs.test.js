"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
const tree_listing_js_1 = require("../../helpers/tree-listing.js");
const sample_tree_js_1 = require("../../helpers/sample-tree.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('mksquashfs'), (0, integration_js_1.onPath)('unsquashfs'), (0, integration_js_1.onPath)('fakeroot'), (0, integration_js_1.isRoot)());
(0, node_test_1.test)('SquashFS: loop-mounted tree (names, types, modes, owners, targets, contents, mtimes, xattrs) equals the OCI layer tree', req, async () => {
    const { dir, result, tar } = await (0, sample_tree_js_1.sampleOutputs)(['squashfs'], { xattrs: true });
    try {
        const image = (0, node_path_1.join)(dir, 'sample.sqfs');
        strict_1.default.match((0, node_child_process_1.execFileSync)('unsquashfs', ['-s', image], { encoding: 'utf8' }), /Compression zstd/);
        await (0, sample_tree_js_1.withLoopMount)(image, 'squashfs', async (mnt) => {
            strict_1.default.deepEqual((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(mnt, true)), (0, tree_listing_js_1.normalized)(await (0, tree_listing_js_1.listTar)(tar, true)));
            const caps = (0, node_child_process_1.execFileSync)('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', (0, node_path_1.join)(mnt, 'usr/bin/ping')], { encoding: 'utf8' });
            strict_1.default.match(caps, /security.capability=0x0100000200200000002000000000000000000000/);
        });
        // root directory: root-owned, 0755, SOURCE_DATE_EPOCH (mksquashfs 4.5.1 -tar would use the builder's uid and now)
        const listing = (0, node_child_process_1.execFileSync)('unsquashfs', ['-lln', image], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
        strict_1.default.match(listing, /^drwxr-xr-x 0\/0 .* 2023-11-14 22:15 squashfs-root$/m);
        strict_1.default.equal(result.outputs[0]?.digest, `sha256:${(0, sample_tree_js_1.fileSha256)(image)}`);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('SquashFS as root and via fakeroot are byte-identical', req, async () => {
    const a = await (0, sample_tree_js_1.sampleOutputs)(['squashfs'], { privileged: true, xattrs: true });
    const b = await (0, sample_tree_js_1.sampleOutputs)(['squashfs'], { privileged: false, xattrs: true });
    try {
        strict_1.default.equal((0, sample_tree_js_1.fileSha256)((0, node_path_1.join)(a.dir, 'sample.sqfs')), (0, sample_tree_js_1.fileSha256)((0, node_path_1.join)(b.dir, 'sample.sqfs')));
    }
    finally {
        (0, node_fs_1.rmSync)(a.dir, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(b.dir, { recursive: true, force: true });
    }
});
