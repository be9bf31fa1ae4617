"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.FakeBinfmtMisc = exports.FAKE_DIR = void 0;
exports.fakeWith = fakeWith;
/**
 * A fake binfmt_misc that behaves like fs/binfmt_misc.c as far as fexpod can
 * observe: register/EEXIST/EINVAL, F opening the interpreter (ENOENT),
 * 1/0/-1 on entries, -1 on status, newest-first matching, and the exact
 * entry-file text (formatEntryFile is checked against real kernel captures).
 */
const binfmt_entry_js_1 = require("../../../src/emulator/binfmt/binfmt-entry.js");
const binfmt_rule_js_1 = require("../../../src/emulator/binfmt/binfmt-rule.js");
exports.FAKE_DIR = '/proc/sys/fs/binfmt_misc';
function errno(code, msg) {
    const e = new Error(`${code}: ${msg}`);
    e.code = code;
    return e;
}
class FakeBinfmtMisc {
    mounted;
    /** Registration order: oldest first. */
    entries = [];
    interpreters = new Set();
    writes = [];
    /** Hook run before each write (to simulate a concurrent process). */
    beforeWrite;
    constructor(opts = {}) {
        this.mounted = opts.mounted ?? true;
        for (const i of opts.interpreters ?? [])
            this.interpreters.add(i);
    }
    /** Registers a line as if another tool (or systemd-binfmt) did. */
    preload(line, enabled = true) {
        const rule = (0, binfmt_rule_js_1.parseRegistration)(line);
        this.interpreters.add(rule.interpreter);
        this.entries.push({ rule, enabled });
    }
    find(name) {
        return this.entries.find((e) => e.rule.name === name);
    }
    async readdir(path) {
        if (path !== exports.FAKE_DIR)
            throw errno('ENOENT', path);
        if (!this.mounted)
            return [];
        return ['register', 'status', ...this.entries.map((e) => e.rule.name)];
    }
    async readFile(path) {
        const name = this.nameOf(path);
        if (name === 'status')
            return 'enabled\n';
        const e = this.find(name);
        if (!e || !this.mounted)
            throw errno('ENOENT', path);
        return (0, binfmt_entry_js_1.formatEntryFile)(e);
    }
    async writeFile(path, text) {
        this.beforeWrite?.(path, text);
        this.writes.push(`${this.nameOf(path)} <- ${text}`);
        if (!this.mounted)
            throw errno('ENOENT', path);
        const name = this.nameOf(path);
        if (name === 'register') {
            let rule;
            try {
                rule = (0, binfmt_rule_js_1.parseRegistration)(text);
            }
            catch {
                throw errno('EINVAL', text);
            }
            if (this.find(rule.name))
                throw errno('EEXIST', rule.name);
            if ((0, binfmt_rule_js_1.hasFlag)(rule, 'F') && !this.interpreters.has(rule.interpreter))
                throw errno('ENOENT', rule.interpreter);
            // The kernel keeps the bytes, not the spelling.
            const stored = (0, binfmt_entry_js_1.parseEntryFile)(rule.name, (0, binfmt_entry_js_1.formatEntryFile)({ rule, enabled: true })).rule;
            this.entries.push({ rule: stored, enabled: true });
            return;
        }
        if (name === 'status') {
            if (text.trim() === '-1')
                this.entries.splice(0);
            return;
        }
        const i = this.entries.findIndex((e) => e.rule.name === name);
        const e = this.entries[i];
        // open(O_WRONLY|O_CREAT) of a missing name: binfmt_misc cannot create files.
        if (!e)
            throw errno('EACCES', path);
        const v = text.trim();
        if (v === '1')
            e.enabled = true;
        else if (v === '0')
            e.enabled = false;
        else if (v === '-1')
            this.entries.splice(i, 1);
        else
            throw errno('EINVAL', text);
    }
    async mountBinfmtMisc(path) {
        if (path !== exports.FAKE_DIR)
            throw errno('ENOENT', path);
        this.mounted = true;
    }
    /** Which entry the kernel would pick for a file starting with `header` (newest enabled match). */
    handlerFor(header) {
        for (let i = this.entries.length - 1; i >= 0; i--) {
            const e = this.entries[i];
            if (e && e.enabled && (0, binfmt_rule_js_1.matchesHeader)(e.rule, header))
                return e.rule.name;
        }
        return undefined;
    }
    /** Every entry file, as a snapshot to compare. */
    snapshot() {
        const out = {};
        for (const e of this.entries)
            out[e.rule.name] = (0, binfmt_entry_js_1.formatEntryFile)(e);
        return out;
    }
    nameOf(path) {
        if (!path.startsWith(exports.FAKE_DIR + '/'))
            throw errno('ENOENT', path);
        return path.slice(exports.FAKE_DIR.length + 1);
    }
}
exports.FakeBinfmtMisc = FakeBinfmtMisc;
/** Writes in a fresh fake `register` file that is really a directory of the given lines. */
function fakeWith(lines, interpreters = []) {
    const f = new FakeBinfmtMisc({ interpreters });
    for (const l of lines)
        f.preload(l);
    return f;
}
