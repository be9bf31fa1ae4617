"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const fs = __importStar(require("node:fs"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_stream_1 = require("node:stream");
const tar_stream_1 = __importDefault(require("tar-stream"));
const layer_apply_js_1 = require("../../../src/publish/layer-apply.js");
const fs_safe_js_1 = require("../../../src/publish/fs-safe.js");
async function layer(entries) {
    const pack = tar_stream_1.default.pack();
    for (const e of entries) {
        pack.entry({ name: e.name, type: e.type ?? 'file', mode: e.mode ?? (e.type === 'directory' ? 0o755 : 0o644), mtime: new Date(1_700_000_000_000), uid: e.uid ?? 0, gid: 0, ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '');
    }
    pack.finalize();
    const chunks = [];
    for await (const c of pack)
        chunks.push(Buffer.from(c));
    return node_stream_1.Readable.from([Buffer.concat(chunks)]);
}
function scratch() {
    const base = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-apply-'));
    const outside = (0, node_path_1.join)(base, 'outside');
    (0, node_fs_1.mkdirSync)(outside);
    return { base, root: (0, node_path_1.join)(base, 'root'), outside };
}
(0, node_test_1.test)('cleanEntryPath normalizes names and refuses ".."', () => {
    strict_1.default.equal((0, fs_safe_js_1.cleanEntryPath)('./usr//bin/'), 'usr/bin');
    strict_1.default.equal((0, fs_safe_js_1.cleanEntryPath)('/etc/passwd'), 'etc/passwd');
    strict_1.default.throws(() => (0, fs_safe_js_1.cleanEntryPath)('usr/../../etc/passwd'), /climbs out/);
});
(0, node_test_1.test)('whiteouts remove lower-layer entries; an opaque whiteout empties a directory but keeps its own layer', async () => {
    const s = scratch();
    try {
        const a = new layer_apply_js_1.LayerApplier(s.root, { privileged: false });
        await a.apply(await layer([{ name: 'etc/', type: 'directory' }, { name: 'etc/a', body: 'A' }, { name: 'etc/b', body: 'B' }, { name: 'opt/', type: 'directory' }, { name: 'opt/old', body: 'old' }, { name: 'opt/sub/', type: 'directory' }]), 'layer 1');
        await a.apply(await layer([{ name: 'etc/.wh.a' }, { name: 'opt/new', body: 'new' }, { name: 'opt/.wh..wh..opq' }, { name: 'etc/c', body: 'C' }]), 'layer 2');
        a.finish(1_700_000_000);
        strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'etc/a')));
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(s.root, 'etc/b'), 'utf8'), 'B');
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(s.root, 'etc/c'), 'utf8'), 'C');
        strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'opt/old')) && !(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'opt/sub')));
        strict_1.default.equal((0, node_fs_1.readFileSync)((0, node_path_1.join)(s.root, 'opt/new'), 'utf8'), 'new');
        strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'etc/.wh.a')) && !(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'opt/.wh..wh..opq')));
        strict_1.default.equal(a.stats.whiteouts, 2);
    }
    finally {
        (0, node_fs_1.rmSync)(s.base, { recursive: true, force: true });
    }
});
const hostile = [
    { name: '".." in an entry name is refused', layers: [[{ name: '../outside/pwned', body: 'x' }]], error: /climbs out/ },
    {
        name: 'a symlink to an absolute path cannot redirect a later write out of the root',
        layers: [[{ name: 'evil', type: 'symlink', linkname: '/ABS' }], [{ name: 'evil/pwned', body: 'x' }]],
        check: (s) => strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'ABS/pwned')), 'resolved inside the root'),
    },
    {
        name: 'a relative symlink climbing out stays inside the root',
        layers: [[{ name: 'a/', type: 'directory' }, { name: 'a/up', type: 'symlink', linkname: '../../../../outside' }, { name: 'a/up/pwned', body: 'x' }]],
        check: (s) => strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'outside/pwned'))),
    },
    {
        name: 'a whiteout through a symlink does not delete outside files',
        layers: [[{ name: 'link', type: 'symlink', linkname: '/' }], [{ name: 'link/outside/.wh.keep' }]],
    },
    { name: 'a hard link to a file outside the root is refused', layers: [[{ name: 'h', type: 'link', linkname: '../outside/keep' }]], error: /climbs out/ },
    { name: 'a hard link through a symlink to a missing file is refused', layers: [[{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 'l/passwd' }]], error: /not a file in the image/ },
    {
        name: 'device nodes and FIFOs are skipped; the entry itself is never followed (a file replaces a symlink)',
        layers: [[{ name: 'dev/', type: 'directory' }, { name: 'dev/null', type: 'character-device' }, { name: 'p', type: 'fifo' }, { name: 'x', type: 'symlink', linkname: '/outside/keep' }], [{ name: 'x', body: 'replaced' }]],
        check: (s) => {
            strict_1.default.ok(!(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'dev/null')) && !(0, node_fs_1.existsSync)((0, node_path_1.join)(s.root, 'p')));
            strict_1.default.ok((0, node_fs_1.lstatSync)((0, node_path_1.join)(s.root, 'x')).isFile());
        },
    },
];
for (const c of hostile) {
    (0, node_test_1.test)(`hostile layer: ${c.name}`, async () => {
        const s = scratch();
        try {
            const keep = (0, node_path_1.join)(s.outside, 'keep');
            fs.writeFileSync(keep, 'untouched');
            const a = new layer_apply_js_1.LayerApplier(s.root, { privileged: false });
            const run = async () => {
                for (const [i, l] of c.layers.entries())
                    await a.apply(await layer(l), `layer ${i + 1}`);
                a.finish(0);
            };
            if (c.error)
                await strict_1.default.rejects(run(), c.error);
            else
                await run();
            c.check?.(s);
            strict_1.default.equal((0, node_fs_1.readFileSync)(keep, 'utf8'), 'untouched');
            strict_1.default.deepEqual(fs.readdirSync(s.outside), ['keep']);
        }
        finally {
            (0, node_fs_1.rmSync)(s.base, { recursive: true, force: true });
        }
    });
}
(0, node_test_1.test)('resolveInRoot follows symlinks chroot-style and stops at the root', () => {
    const s = scratch();
    try {
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(s.root, 'usr/lib'), { recursive: true });
        fs.symlinkSync('usr/lib', (0, node_path_1.join)(s.root, 'lib'));
        fs.symlinkSync('/usr', (0, node_path_1.join)(s.root, 'u'));
        fs.symlinkSync('../../..', (0, node_path_1.join)(s.root, 'usr/lib/up'));
        strict_1.default.equal((0, fs_safe_js_1.resolveInRoot)(s.root, 'lib/x'), (0, node_path_1.join)(s.root, 'usr/lib/x'));
        strict_1.default.equal((0, fs_safe_js_1.resolveInRoot)(s.root, 'u/lib'), (0, node_path_1.join)(s.root, 'usr/lib'));
        strict_1.default.equal((0, fs_safe_js_1.resolveInRoot)(s.root, 'usr/lib/up/etc'), (0, node_path_1.join)(s.root, 'etc'));
        strict_1.default.equal((0, fs_safe_js_1.resolveInRoot)(s.root, 'lib', false), (0, node_path_1.join)(s.root, 'lib'));
        strict_1.default.equal((0, node_fs_1.readlinkSync)((0, node_path_1.join)(s.root, 'lib')), 'usr/lib');
    }
    finally {
        (0, node_fs_1.rmSync)(s.base, { recursive: true, force: true });
    }
});
