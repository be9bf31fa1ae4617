"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.BINFMT_TEST_LOCK = void 0;
exports.withBinfmtLock = withBinfmtLock;
/**
 * binfmt_misc is global to the machine: integration tests that change it take
 * this lock so that two test files (or two developers' runs) never interleave.
 * A directory lock (mkdir is atomic) with the owner's pid inside; a lock whose
 * owner is dead is taken over. Shell users can take it the same way:
 *   until mkdir /run/lock/fexpod-binfmt-test.lock 2>/dev/null; do sleep 1; done; echo $$ > …/pid
 */
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const promises_1 = require("node:timers/promises");
exports.BINFMT_TEST_LOCK = process.env['FEXPOD_BINFMT_TEST_LOCK'] ?? '/run/lock/fexpod-binfmt-test.lock';
function ownerAlive(dir) {
    try {
        const pid = Number((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'pid'), 'utf8').trim());
        if (!Number.isInteger(pid) || pid <= 0)
            return false;
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        // EPERM means the process exists but is not ours.
        return err.code === 'EPERM';
    }
}
async function withBinfmtLock(fn, timeoutMs = 15 * 60_000) {
    const deadline = Date.now() + timeoutMs;
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(exports.BINFMT_TEST_LOCK, '..'), { recursive: true });
    for (;;) {
        try {
            (0, node_fs_1.mkdirSync)(exports.BINFMT_TEST_LOCK);
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(exports.BINFMT_TEST_LOCK, 'pid'), `${process.pid}\n`);
            break;
        }
        catch (err) {
            if (err.code !== 'EEXIST')
                throw err;
            // Give a fresh lock a moment to get its pid file before judging it stale.
            await (0, promises_1.setTimeout)(500);
            if (!ownerAlive(exports.BINFMT_TEST_LOCK)) {
                try {
                    (0, node_fs_1.readFileSync)((0, node_path_1.join)(exports.BINFMT_TEST_LOCK, 'pid'));
                    (0, node_fs_1.rmSync)(exports.BINFMT_TEST_LOCK, { recursive: true, force: true });
                }
                catch {
                    /* pid file not yet written: owner is still starting */
                }
                continue;
            }
            if (Date.now() > deadline)
                throw new Error(`timed out waiting for ${exports.BINFMT_TEST_LOCK}`);
        }
    }
    try {
        return await fn();
    }
    finally {
        (0, node_fs_1.rmSync)(exports.BINFMT_TEST_LOCK, { recursive: true, force: true });
    }
}
