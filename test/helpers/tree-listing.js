"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.listDirectory = listDirectory;
exports.listTar = listTar;
exports.normalized = normalized;
exports.treeFromDirectory = treeFromDirectory;
/**
 * Comparable listings of a file tree, from a directory (a loop-mounted EroFS
 * or SquashFS, a `dir` output) or from a layer tar: name, type, mode, owner,
 * symlink target and sha256 of contents. Hardlinks are listed as the file
 * they share an inode with, so a tar and a mounted image compare equal.
 * Also builds test Trees from a directory.
 */
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_stream_1 = require("node:stream");
const tar_stream_1 = __importDefault(require("tar-stream"));
const tree_js_1 = require("../../src/builder/tree/tree.js");
const sha = (b) => (0, node_crypto_1.createHash)('sha256').update(b).digest('hex');
function typeOf(st) {
    if (st.isDirectory())
        return 'dir';
    if (st.isSymbolicLink())
        return 'symlink';
    if (st.isFile())
        return 'file';
    if (st.isCharacterDevice())
        return 'char';
    if (st.isBlockDevice())
        return 'block';
    if (st.isFIFO())
        return 'fifo';
    return 'other';
}
/** path → listing for everything under dir (dir itself excluded). */
function listDirectory(dir, withMtime = false) {
    const out = new Map();
    const walk = (rel) => {
        for (const name of (0, node_fs_1.readdirSync)((0, node_path_1.join)(dir, rel)).sort()) {
            const p = rel === '' ? name : `${rel}/${name}`;
            const st = (0, node_fs_1.lstatSync)((0, node_path_1.join)(dir, p));
            const type = typeOf(st);
            out.set(p, {
                type,
                mode: st.mode & 0o7777,
                uid: st.uid,
                gid: st.gid,
                ...(type === 'symlink' ? { target: (0, node_fs_1.readlinkSync)((0, node_path_1.join)(dir, p)) } : {}),
                ...(type === 'file' ? { sha256: sha((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, p))) } : {}),
                ...(withMtime ? { mtime: Math.floor(st.mtimeMs / 1000) } : {}),
            });
            if (type === 'dir')
                walk(p);
        }
    };
    walk('');
    return out;
}
/** The same listing from a tar (an OCI layer). */
async function listTar(tar, withMtime = false) {
    const out = new Map();
    const extract = tar_stream_1.default.extract();
    const done = new Promise((resolve, reject) => {
        extract.on('entry', (h, stream, next) => {
            const chunks = [];
            stream.on('data', (c) => { if (Buffer.isBuffer(c))
                chunks.push(c); });
            stream.on('end', () => {
                const p = h.name.replace(/^\.\//, '').replace(/\/$/, '');
                const base = { mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, ...(withMtime ? { mtime: Math.floor((h.mtime?.getTime() ?? 0) / 1000) } : {}) };
                if (h.type === 'link') {
                    const t = out.get((h.linkname ?? '').replace(/^\.\//, ''));
                    if (t)
                        out.set(p, t);
                }
                else if (h.type === 'directory')
                    out.set(p, { type: 'dir', ...base });
                else if (h.type === 'symlink')
                    out.set(p, { type: 'symlink', ...base, target: h.linkname ?? '' });
                else if (h.type === 'file')
                    out.set(p, { type: 'file', ...base, sha256: sha(Buffer.concat(chunks)) });
                else if (h.type === 'character-device')
                    out.set(p, { type: 'char', ...base });
                else if (h.type === 'block-device')
                    out.set(p, { type: 'block', ...base });
                else if (h.type === 'fifo')
                    out.set(p, { type: 'fifo', ...base });
                next();
            });
            stream.resume();
        });
        extract.on('finish', resolve);
        extract.on('error', reject);
    });
    node_stream_1.Readable.from([Buffer.from(tar)]).pipe(extract);
    await done;
    return out;
}
/** Symlinks are 0777 on Linux whatever a tar says: compare them without mode. */
function normalized(m) {
    const o = {};
    for (const [k, v] of [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
        o[k] = v.type === 'symlink' ? { ...v, mode: 0o777 } : v;
    return o;
}
/** A test Tree from a real directory (owners as found unless overridden). */
function treeFromDirectory(dir, owner) {
    const entries = [];
    const walk = (rel) => {
        for (const name of (0, node_fs_1.readdirSync)((0, node_path_1.join)(dir, rel)).sort()) {
            const p = rel === '' ? name : `${rel}/${name}`;
            const abs = (0, node_path_1.join)(dir, p);
            const st = (0, node_fs_1.lstatSync)(abs);
            const base = { path: p, mode: st.mode & 0o7777, uid: owner?.uid ?? st.uid, gid: owner?.gid ?? st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
            if (st.isDirectory()) {
                entries.push({ ...base, type: 'dir' });
                walk(p);
            }
            else if (st.isSymbolicLink())
                entries.push({ ...base, type: 'symlink', linkTarget: (0, node_fs_1.readlinkSync)(abs) });
            else if (st.isFile())
                entries.push({ ...base, type: 'file', content: (0, tree_js_1.bufferContent)((0, node_fs_1.readFileSync)(abs)) });
        }
    };
    walk('');
    return entries;
}
