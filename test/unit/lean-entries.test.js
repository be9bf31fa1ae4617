"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The Podman hook and the muvm dispatcher start for every container and every
 * x86 program: what their entries can load must be node builtins and fexpod's
 * own small modules only — no npm package, nothing of the builder, the
 * registry client, the publisher, setup or the RootFS installer. Walks every
 * require()/import reachable from each entry, in the CommonJS build Podman
 * runs (dist/hook/) and in the ES module build the hook falls back to
 * (dist/src/).
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_module_1 = require("node:module");
const node_path_1 = require("node:path");
const integration_js_1 = require("../helpers/integration.js");
const DIST = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist');
/** Parts of fexpod the hook and the dispatcher must never load. */
const HEAVY_PARTS = ['builder', 'registry', 'publish', 'setup', 'rootfs'];
const SPECIFIERS = /\brequire\(\s*["']([^"']+)["']\s*\)|\bimport\(\s*["']([^"']+)["']\s*\)|\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm;
/** Every module an entry can load (static: only those loaded at start, not the dynamic import()s). */
function closure(entry, opts = {}) {
    const files = [];
    const external = [];
    const todo = [entry];
    while (todo.length > 0) {
        const file = todo.pop() ?? '';
        if (files.includes(file))
            continue;
        files.push(file);
        for (const m of (0, node_fs_1.readFileSync)(file, 'utf8').matchAll(SPECIFIERS)) {
            if (opts.staticOnly && m[2] !== undefined)
                continue;
            const spec = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
            if (spec.startsWith('.')) {
                const target = (0, node_path_1.resolve)((0, node_path_1.dirname)(file), spec.endsWith('.js') ? spec : `${spec}.js`);
                strict_1.default.ok((0, node_fs_1.existsSync)(target), `${(0, node_path_1.relative)(DIST, file)} loads ${spec}, which the build did not make`);
                todo.push(target);
            }
            else if (!spec.startsWith('node:') && !node_module_1.builtinModules.includes(spec))
                external.push(`${(0, node_path_1.relative)(DIST, file)}: ${spec}`);
        }
    }
    return { files, external };
}
const entries = [
    { entry: 'hook/runtime-hook/hook-main.js', root: 'hook' },
    { entry: 'hook/emulator/microvm/dispatch-main.js', root: 'hook' },
    { entry: 'src/runtime-hook/hook-main.js', root: 'src' },
    { entry: 'src/emulator/microvm/dispatch-main.js', root: 'src' },
];
for (const { entry, root } of entries) {
    (0, node_test_1.test)(`dist/${entry} loads no npm package and nothing of ${HEAVY_PARTS.join(', ')}`, () => {
        const { files, external } = closure((0, node_path_1.join)(DIST, entry));
        strict_1.default.deepEqual(external, []);
        const heavy = files.map((f) => (0, node_path_1.relative)((0, node_path_1.join)(DIST, root), f)).filter((f) => HEAVY_PARTS.includes(f.split('/')[0] ?? ''));
        strict_1.default.deepEqual(heavy, []);
        strict_1.default.ok(files.length < 40, `${files.length} modules`);
    });
}
const partsOf = (files) => new Set(files.map((f) => (0, node_path_1.relative)((0, node_path_1.join)(DIST, 'src'), f).split('/')[0]));
(0, node_test_1.test)('the closure walk sees what an entry loads: the build command reaches the builder, its npm packages and the registry client', () => {
    const { files, external } = closure((0, node_path_1.join)(DIST, 'src', 'builder', 'build-command.js'));
    const parts = partsOf(files);
    strict_1.default.ok(parts.has('builder') && parts.has('publish') && parts.has('registry'), [...parts].join(' '));
    strict_1.default.ok(external.some((e) => e.endsWith(': zod')), external.join('\n'));
});
(0, node_test_1.test)('fexpod build loads the registry client only to push (a dynamic import)', () => {
    const parts = partsOf(closure((0, node_path_1.join)(DIST, 'src', 'builder', 'build-command.js'), { staticOnly: true }).files);
    strict_1.default.ok(parts.has('builder'));
    strict_1.default.equal(parts.has('registry'), false, [...parts].join(' '));
});
