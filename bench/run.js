"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * Runs the benchmarks in bench/ (every *.bench.js next to this file, or the
 * ones named on the command line). Each benchmark prints its own figures and
 * a ratio against the tool a user would otherwise use. Not part of `npm test`.
 */
const node_fs_1 = require("node:fs");
const node_child_process_1 = require("node:child_process");
const node_path_1 = require("node:path");
const node_url_1 = require("node:url");
const here = (0, node_path_1.dirname)((0, node_url_1.fileURLToPath)(import.meta.url));
const wanted = process.argv.slice(2);
const files = (0, node_fs_1.readdirSync)(here)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort();
if (files.length === 0) {
    process.stderr.write(`no benchmarks match ${wanted.join(' ')}\n`);
    process.exit(2);
}
let failed = 0;
for (const f of files) {
    process.stderr.write(`\n== ${f}\n`);
    const r = (0, node_child_process_1.spawnSync)(process.execPath, [(0, node_path_1.join)(here, f)], { stdio: 'inherit' });
    if (r.status !== 0)
        failed++;
}
process.exit(failed === 0 ? 0 : 1);
