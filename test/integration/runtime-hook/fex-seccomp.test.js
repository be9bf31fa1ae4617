"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The hook's personality() seccomp rules through the real runtime, libseccomp
 * and kernel: a precreate hook that applies exactly fexpod's rule to the config
 * Podman proposes, and a native container in which util-linux's setarch
 * stands in for FEX as the caller of personality(READ_IMPLIES_EXEC). Without
 * the rules Podman's default profile refuses the call (ENOSYS); with them the
 * runtime accepts the widened filter (64-bit value included, on every
 * architecture of the profile) and the call passes. FEX itself runs in the
 * aarch64 lab: scripts/lab-true-direction.sh --fex.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_url_1 = require("node:url");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const hook_host_js_1 = require("./hook-host.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('podman'), (0, integration_js_1.isRoot)(), (0, integration_js_1.onPath)('setarch'));
/** A precreate hook applying fexpod's personality rule, and nothing else, to every container. */
function ruleHook(dir) {
    const mod = (p) => (0, node_url_1.pathToFileURL)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'runtime-hook', p)).href;
    const script = (0, node_path_1.join)(dir, 'personality-hook.mjs');
    (0, node_fs_1.writeFileSync)(script, [
        `import { readFileSync, writeSync } from 'node:fs';`,
        `import { readHookView } from ${JSON.stringify(mod('oci-config.js'))};`,
        `import { appendToArray } from ${JSON.stringify(mod('json-splice.js'))};`,
        `import { personalityRules } from ${JSON.stringify(mod('fex/personality-rule.js'))};`,
        `const text = readFileSync(0, 'utf8');`,
        `writeSync(1, appendToArray(text, ['linux', 'seccomp', 'syscalls'], personalityRules(readHookView(text).seccomp)));`,
    ].join('\n'));
    const hooks = (0, node_path_1.join)(dir, 'hooks.d');
    (0, node_fs_1.mkdirSync)(hooks);
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(hooks, 'personality.json'), JSON.stringify({ version: '1.0.0', hook: { path: process.execPath, args: ['node', script] }, when: { always: true }, stages: ['precreate'] }));
    return hooks;
}
(0, node_test_1.test)('personality() seccomp rules through runc and libseccomp (setarch stand-in for FEX)', { ...req, timeout: 5 * 60_000 }, (t) => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fex-seccomp-'));
    t.after(() => (0, node_fs_1.rmSync)(dir, { recursive: true, force: true }));
    const rootfs = (0, foreign_image_js_1.buildRootfs)((0, foreign_image_js_1.hostArch)(), 'dynamic', (0, node_path_1.join)(dir, 'rootfs'));
    const hooks = ruleHook(dir);
    const none = (0, node_path_1.join)(dir, 'no-hooks.d');
    (0, node_fs_1.mkdirSync)(none);
    // setarch linux64 -X: personality(PER_LINUX | READ_IMPLIES_EXEC) = 0x400000, what FEX sets for
    // programs with an executable stack (2507) or 32-bit programs without PT_GNU_STACK (2604+).
    const run = (hooksDir, cmd) => (0, hook_host_js_1.podman)(['run', '--rm', '--hooks-dir', hooksDir, '-v', '/usr/bin/setarch:/usr/local/bin/setarch:ro', '--rootfs', rootfs, ...cmd]);
    const refused = run(none, ['/usr/local/bin/setarch', 'linux64', '-X', '/bin/true']);
    strict_1.default.notEqual(refused.status, 0, 'Podman\'s default profile refuses READ_IMPLIES_EXEC');
    strict_1.default.match(refused.stderr, /failed to set personality to linux64: Function not implemented/);
    // (The value itself does not survive the exec of a 64-bit program on x86-64, which clears
    // READ_IMPLIES_EXEC; that personality() returned success is what FEX needs.)
    const allowed = run(hooks, ['/usr/local/bin/setarch', 'linux64', '--verbose', '-X', '/bin/true']);
    strict_1.default.equal(allowed.status, 0, allowed.stderr);
    strict_1.default.match(allowed.stdout, /Switching on READ_IMPLIES_EXEC/);
    // Nothing else was widened: a persona outside FEX's set is still refused (ADDR_NO_RANDOMIZE).
    const other = run(hooks, ['/usr/local/bin/setarch', 'linux64', '-R', '/bin/true']);
    strict_1.default.notEqual(other.status, 0);
    strict_1.default.match(other.stderr, /Function not implemented/);
});
