"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FakeFs = void 0;
/**
 * An in-memory filesystem for the emulator unit tests: files with bytes and
 * an executable bit, symlinks (absolute or relative), directories implied by
 * paths. Enough for discovery, closure walking and prefix staging.
 */
const node_path_1 = require("node:path");
class FakeFs {
    files = new Map();
    links = new Map();
    dirs = new Set(['/']);
    constructor(tree = {}) {
        for (const [p, n] of Object.entries(tree)) {
            if (n.link !== undefined)
                this.symlink(p, n.link);
            else
                this.put(p, n.bytes ?? '', n.exec ? 0o755 : 0o644);
        }
    }
    mkdirs(p) {
        for (let d = p; !this.dirs.has(d); d = (0, node_path_1.dirname)(d))
            this.dirs.add(d);
    }
    put(p, bytes, mode = 0o644) {
        this.mkdirs((0, node_path_1.dirname)(p));
        this.files.set(p, { bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, mode });
    }
    symlink(p, target) {
        this.mkdirs((0, node_path_1.dirname)(p));
        this.links.set(p, target);
    }
    /** Resolves symlinks in every component; undefined when something is missing. */
    resolve(p, depth = 0) {
        if (depth > 40)
            return undefined;
        const parts = node_path_1.posix.normalize(p).split('/').filter(Boolean);
        let cur = '/';
        for (let i = 0; i < parts.length; i++) {
            const next = node_path_1.posix.join(cur, parts[i] ?? '');
            const link = this.links.get(next);
            if (link !== undefined) {
                const target = link.startsWith('/') ? link : node_path_1.posix.join(cur, link);
                const rest = parts.slice(i + 1).join('/');
                return this.resolve(rest ? node_path_1.posix.join(target, rest) : target, depth + 1);
            }
            cur = next;
        }
        return this.files.has(cur) || this.dirs.has(cur) ? cur : undefined;
    }
    read(p) {
        const r = this.resolve(p);
        return r === undefined ? undefined : this.files.get(r)?.bytes;
    }
    text(p) {
        const b = this.read(p);
        return b === undefined ? undefined : new TextDecoder().decode(b);
    }
    list(p) {
        const r = this.resolve(p);
        if (r === undefined || !this.dirs.has(r))
            return undefined;
        const prefix = r === '/' ? '/' : `${r}/`;
        const names = new Set();
        for (const k of [...this.files.keys(), ...this.links.keys(), ...this.dirs]) {
            if (k.startsWith(prefix) && k !== r)
                names.add(k.slice(prefix.length).split('/')[0] ?? '');
        }
        return [...names].sort();
    }
    isExec(p) {
        const r = this.resolve(p);
        return r !== undefined && ((this.files.get(r)?.mode ?? 0) & 0o111) !== 0;
    }
}
exports.FakeFs = FakeFs;
