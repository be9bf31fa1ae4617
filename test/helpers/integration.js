"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.REQUIRE_INTEGRATION = void 0;
exports.onPath = onPath;
exports.isRoot = isRoot;
exports.fileExists = fileExists;
exports.integration = integration;
exports.corpusDir = corpusDir;
exports.repoRoot = repoRoot;
exports.skipOrFail = skipOrFail;
/**
 * Integration tests use the real thing (podman, binfmt_misc, QEMU, the registry,
 * rpmbuild/createrepo_c). On a laptop that lacks a part they skip; in CI
 * FEXPOD_REQUIRE_INTEGRATION=1 turns every such skip into a failure.
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
exports.REQUIRE_INTEGRATION = process.env['FEXPOD_REQUIRE_INTEGRATION'] === '1';
function onPath(cmd) {
    const dirs = (process.env['PATH'] ?? '/usr/bin:/bin').split(node_path_1.delimiter);
    const ok = dirs.some((d) => {
        try {
            (0, node_fs_1.accessSync)((0, node_path_1.join)(d, cmd), node_fs_1.constants.X_OK);
            return true;
        }
        catch {
            return false;
        }
    });
    return { what: `${cmd} on PATH`, ok };
}
function isRoot() {
    return { what: 'running as root', ok: process.getuid?.() === 0 };
}
function fileExists(path) {
    try {
        (0, node_fs_1.accessSync)(path, node_fs_1.constants.F_OK);
        return { what: path, ok: true };
    }
    catch {
        return { what: path, ok: false };
    }
}
/**
 * Returns the options object for node:test: `{ skip: reason }` when a requirement
 * is missing, or throws (fails) when integration is required.
 *
 *   test('podman runs arm64', integration(onPath('podman'), isRoot()), async () => {...})
 */
function integration(...reqs) {
    const missing = reqs.filter((r) => !r.ok).map((r) => r.what);
    if (missing.length === 0)
        return {};
    const reason = `integration test needs: ${missing.join(', ')}`;
    if (exports.REQUIRE_INTEGRATION) {
        // A test file that cannot run its integration tests fails loudly in CI.
        throw new Error(`${reason} (FEXPOD_REQUIRE_INTEGRATION=1 forbids skipping)`);
    }
    return { skip: reason };
}
/** Path to the public test corpus (test/fixtures/corpus in the repository), overridable. */
function corpusDir() {
    return process.env['FEXPOD_CORPUS'] ?? (0, node_path_1.join)(repoRoot(), 'test', 'fixtures', 'corpus');
}
/** The repository root, from dist/test/helpers back up. */
function repoRoot() {
    return new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
}
/** For a test that finds out inside its body that a part is missing: skip, or fail in CI. */
function skipOrFail(t, reason) {
    if (exports.REQUIRE_INTEGRATION)
        throw new Error(`${reason} (FEXPOD_REQUIRE_INTEGRATION=1 forbids skipping)`);
    t.skip(reason);
}
