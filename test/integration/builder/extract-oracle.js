"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.oracleExtract = oracleExtract;
exports.listDir = listDir;
exports.listTree = listTree;
/**
 * The test oracle for extraction: `rpm2cpio X | cpio -idm` into a temp dir
 * (as root, so modes and special files come out as archived), read back as
 * a comparable listing. Test-only; product code never runs rpm or cpio.
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
function oracleExtract(rpm, dir) {
    const r = (0, node_child_process_1.spawnSync)('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --no-absolute-filenames --quiet', 'sh', rpm], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0)
        throw new Error(`rpm2cpio | cpio failed for ${rpm}: ${r.stderr}`);
}
function typeOf(mode) {
    switch (mode & 0o170000) {
        case 0o100000: return 'file';
        case 0o040000: return 'dir';
        case 0o120000: return 'symlink';
        case 0o020000: return 'char';
        case 0o060000: return 'block';
        case 0o010000: return 'fifo';
        default: return 'other';
    }
}
function listDir(root) {
    const entries = new Map();
    const byIno = new Map();
    const walk = (rel) => {
        for (const name of (0, node_fs_1.readdirSync)((0, node_path_1.join)(root, rel)).sort()) {
            const p = rel ? `${rel}/${name}` : name;
            const full = (0, node_path_1.join)(root, p);
            const st = (0, node_fs_1.lstatSync)(full);
            const t = typeOf(st.mode);
            let extra = '';
            if (t === 'symlink')
                extra = (0, node_fs_1.readlinkSync)(full);
            if (t === 'file') {
                extra = (0, node_crypto_1.createHash)('sha256').update((0, node_fs_1.readFileSync)(full)).digest('hex');
                if (st.nlink > 1)
                    byIno.set(st.ino, [...(byIno.get(st.ino) ?? []), p]);
            }
            entries.set(p, `${t} ${(st.mode & 0o7777).toString(8)} ${extra}`);
            if (t === 'dir')
                walk(p);
        }
    };
    walk('');
    return { entries, links: [...byIno.values()].map((g) => g.sort().join(',')).sort() };
}
async function listTree(tree) {
    const entries = new Map();
    const groups = new Map();
    const sha = new Map();
    for (const e of (0, tree_js_1.canonicalEntries)(tree.values())) {
        let extra = '';
        let type = e.type;
        if (e.type === 'symlink')
            extra = e.linkTarget ?? '';
        if (e.type === 'file') {
            extra = (0, node_crypto_1.createHash)('sha256').update(await e.content.read()).digest('hex');
            sha.set(e.path, extra);
            groups.set(e.path, [e.path]);
        }
        if (e.type === 'hardlink') {
            type = 'file';
            extra = sha.get(e.linkTarget ?? '') ?? '?';
            groups.get(e.linkTarget ?? '')?.push(e.path);
        }
        entries.set(e.path, `${type} ${e.mode.toString(8)} ${extra}`);
    }
    return { entries, links: [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort().join(',')).sort() };
}
