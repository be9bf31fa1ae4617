"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The hook is started by Podman for every container: everything compiled into
 * dist/hook/ (its entry and whatever it can load, the rootless private-binfmt
 * route included) may require only node builtins and its own small modules.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const integration_js_1 = require("../../helpers/integration.js");
function jsFiles(dir) {
    return (0, node_fs_1.readdirSync)(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles((0, node_path_1.join)(dir, e.name)) : e.name.endsWith('.js') ? [(0, node_path_1.join)(dir, e.name)] : []));
}
(0, node_test_1.test)('dist/hook requires nothing but node: builtins and relative modules', () => {
    const root = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'hook');
    const files = jsFiles(root);
    strict_1.default.ok(files.some((f) => f.endsWith('private-binfmt.js')), 'the rootless route is part of the hook build');
    const bad = [];
    for (const f of files) {
        for (const m of (0, node_fs_1.readFileSync)(f, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
            const spec = m[1] ?? '';
            if (!spec.startsWith('node:') && !spec.startsWith('./') && !spec.startsWith('../'))
                bad.push(`${(0, node_path_1.relative)(root, f)}: ${spec}`);
        }
    }
    strict_1.default.deepEqual(bad, []);
});
