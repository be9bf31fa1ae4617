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
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('mkfs.erofs'), (0, integration_js_1.onPath)('fakeroot'), (0, integration_js_1.onPath)('setfattr'), (0, integration_js_1.isRoot)());
const cases = [
    { name: 'as root (chown, setfattr on the staging tree)', privileged: true },
    { name: 'unprivileged path (owners and security.capability replayed under fakeroot)', privileged: false },
];
for (const c of cases) {
    (0, node_test_1.test)(`EroFS ${c.name}: loop-mounted tree equals the OCI layer tree`, req, async () => {
        const { dir, result, tar } = await (0, sample_tree_js_1.sampleOutputs)(['erofs'], { privileged: c.privileged, xattrs: true });
        try {
            const image = (0, node_path_1.join)(dir, 'sample.erofs');
            // superblock at 1024: magic, checksum, feature_compat, then blkszbits (12 = 4096-byte blocks)
            const sb = (0, node_fs_1.readFileSync)(image).subarray(1024, 1024 + 16);
            strict_1.default.equal(sb.readUInt32LE(0), 0xe0f5e1e2);
            strict_1.default.equal(sb[12], 12, 'EroFS block size must be 4096 (muvm)');
            await (0, sample_tree_js_1.withLoopMount)(image, 'erofs', async (mnt) => {
                strict_1.default.deepEqual((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(mnt)), (0, tree_listing_js_1.normalized)(await (0, tree_listing_js_1.listTar)(tar)));
                // every timestamp is SOURCE_DATE_EPOCH (mkfs.erofs -T)
                for (const [p, l] of (0, tree_listing_js_1.listDirectory)(mnt, true))
                    strict_1.default.equal(l.mtime, sample_tree_js_1.SAMPLE_EPOCH, p);
                {
                    const caps = (0, node_child_process_1.execFileSync)('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', (0, node_path_1.join)(mnt, 'usr/bin/ping')], { encoding: 'utf8' });
                    strict_1.default.match(caps, /security.capability=0x0100000200200000002000000000000000000000/);
                }
            });
            strict_1.default.equal(result.outputs[0]?.digest, `sha256:${(0, sample_tree_js_1.fileSha256)(image)}`);
        }
        finally {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.test)('EroFS as root and via fakeroot are byte-identical (owners, setuid, xattrs)', req, async () => {
    const a = await (0, sample_tree_js_1.sampleOutputs)(['erofs'], { privileged: true, xattrs: true });
    const b = await (0, sample_tree_js_1.sampleOutputs)(['erofs'], { privileged: false, xattrs: true });
    try {
        strict_1.default.equal((0, sample_tree_js_1.fileSha256)((0, node_path_1.join)(a.dir, 'sample.erofs')), (0, sample_tree_js_1.fileSha256)((0, node_path_1.join)(b.dir, 'sample.erofs')));
    }
    finally {
        (0, node_fs_1.rmSync)(a.dir, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(b.dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('dir output (the staging writer EroFS uses): tree, owners, mtimes and capability equal the OCI layer tree', req, async () => {
    const { dir, tar } = await (0, sample_tree_js_1.sampleOutputs)(['dir'], { privileged: true, xattrs: true });
    try {
        const root = (0, node_path_1.join)(dir, 'sample.rootfs');
        strict_1.default.deepEqual((0, tree_listing_js_1.normalized)((0, tree_listing_js_1.listDirectory)(root, true)), (0, tree_listing_js_1.normalized)(await (0, tree_listing_js_1.listTar)(tar, true)));
        const caps = (0, node_child_process_1.execFileSync)('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', (0, node_path_1.join)(root, 'usr/bin/ping')], { encoding: 'utf8' });
        strict_1.default.match(caps, /security.capability=0x0100000200200000002000000000000000000000/);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
