"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Child-process helper for the reproducibility test: installs the given RPMs
 * with a spill content store under $TMPDIR and prints the tar's sha256.
 *   node tar-digest-main.js <sde> <rpm>...
 */
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const content_store_js_1 = require("../../../src/builder/tree/content-store.js");
const install_js_1 = require("../../../src/builder/tree/install.js");
const tar_writer_js_1 = require("../../../src/builder/layer/tar-writer.js");
const [sdeArg, ...rpms] = process.argv.slice(2);
// Loaded without arguments (e.g. by a test runner walking dist/test): do nothing.
if (sdeArg === undefined)
    process.exit(0);
const sde = Number(sdeArg);
const store = (0, content_store_js_1.spillContentStore)({ dir: (0, node_path_1.join)((0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-spill-')), 'c'), memoryThreshold: 1 });
try {
    const { tree } = await (0, install_js_1.installRpmFiles)(rpms, { docs: true, langs: 'all', sourceDateEpoch: sde, onConflict: 'report' }, store);
    const h = (0, node_crypto_1.createHash)('sha256');
    for await (const c of (0, tar_writer_js_1.tarChunks)(tree.values(), { sourceDateEpoch: sde }))
        h.update(c);
    process.stdout.write(`${h.digest('hex')}\n`);
}
finally {
    store.remove();
}
