"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.readableCheckout = readableCheckout;
/**
 * Tests that run fexpod as another (unprivileged) user need the built CLI and
 * hook at a path that user can read. A fresh clone often lives under a private
 * home (/root/…): then the parts needed at run time are copied to a
 * world-readable temporary directory (hard links where possible: the files of a
 * checkout are readable, it is a parent directory that is not).
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const integration_js_1 = require("./integration.js");
const PARTS = ['package.json', 'dist', 'node_modules', 'oci-hooks'];
/** The repository itself when `canRead(path)` holds for its CLI, else a readable copy. */
function readableCheckout(canRead) {
    const root = (0, integration_js_1.repoRoot)();
    const cli = (0, node_path_1.join)(root, 'dist', 'src', 'cli.js');
    if (canRead(cli) && canRead((0, node_path_1.join)(root, 'oci-hooks', 'fexpod-precreate-user.json.in')) && canRead((0, node_path_1.join)(root, 'node_modules', 'zod', 'package.json'))) {
        return { root, cli, cleanup: () => { } };
    }
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-checkout-'));
    (0, node_fs_1.chmodSync)(dir, 0o755);
    for (const p of PARTS) {
        if (!(0, node_fs_1.existsSync)((0, node_path_1.join)(root, p)))
            continue;
        try {
            (0, node_child_process_1.execFileSync)('cp', ['-al', (0, node_path_1.join)(root, p), (0, node_path_1.join)(dir, p)]);
        }
        catch {
            (0, node_fs_1.cpSync)((0, node_path_1.join)(root, p), (0, node_path_1.join)(dir, p), { recursive: true });
        }
    }
    return { root: dir, cli: (0, node_path_1.join)(dir, 'dist', 'src', 'cli.js'), cleanup: () => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }) };
}
