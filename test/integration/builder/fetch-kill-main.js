"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Child-process helper for the cache kill test: fetches a lock's packages (one at a time) and
 * SIGKILLs itself at the first fetch event of the given type.
 *   node fetch-kill-main.js <lock.json> <cache dir> <key file> <event type | none>
 * Exits 0 when every package was fetched and verified, 4 when one failed verification.
 */
const node_fs_1 = require("node:fs");
const errors_js_1 = require("../../../src/common/errors.js");
const package_fetch_js_1 = require("../../../src/builder/fetch/package-fetch.js");
const http_js_1 = require("../../../src/builder/fetch/http.js");
const lock_js_1 = require("../../../src/builder/lock/lock.js");
const rpm_signature_js_1 = require("../../../src/builder/rpm/rpm-signature.js");
const [lockFile, cacheDir, keyFile, killAt] = process.argv.slice(2);
// Loaded without arguments (e.g. by a test runner walking dist/test): do nothing.
if (lockFile === undefined || cacheDir === undefined || keyFile === undefined)
    process.exit(0);
const lock = (0, lock_js_1.parseLock)(lockFile, (0, node_fs_1.readFileSync)(lockFile, 'utf8'));
const keys = await (0, rpm_signature_js_1.readKeys)([{ name: keyFile, data: new Uint8Array((0, node_fs_1.readFileSync)(keyFile)) }]);
try {
    await (0, package_fetch_js_1.fetchLocked)(lock, {
        cacheDir,
        http: (0, http_js_1.nodeHttpClient)(),
        keys: new Map(lock.repos.map((r) => [r.id, keys])),
        concurrency: 1,
        onEvent: (e) => {
            if (e.type === killAt)
                process.kill(process.pid, 'SIGKILL');
        },
    });
    process.exit(0);
}
catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof errors_js_1.FexpodError ? err.exitCode : 1);
}
