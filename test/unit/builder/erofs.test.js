"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const erofs_js_1 = require("../../../src/builder/outputs/erofs.js");
const squashfs_js_1 = require("../../../src/builder/outputs/squashfs.js");
const errors_js_1 = require("../../../src/common/errors.js");
// Real `mkfs.erofs --help` excerpts: erofs-utils 1.5 (Debian 12) and 1.7 (has -b).
const HELP_15 = `usage: [options] FILE DIRECTORY\n -d#                   set output message level\n -zX[,Y]               X=compressor\n -T#                   set a fixed UNIX timestamp # to all files\n -UX                   use a given filesystem UUID\n --quiet               quiet execution\n\nAvailable compressors are: lz4hc, lz4\n`;
const HELP_17 = `usage: [options] FILE SOURCE(s)\n -b#                   set block size to # (# = page size by default)\n -d<0-9>               set output verbosity\n -zX[,Y][:...]         X=compressor\nAvailable compressors are: lz4, lz4hc, lzma, deflate\n`;
const opts = { dest: '/o/x.erofs', sourceDateEpoch: 1000, digest: 'sha256:' + '0'.repeat(64) };
const cases = [
    { name: '1.5 on a 4 KiB host: no -b needed', help: HELP_15, page: 4096, blockFlag: false, ok: true },
    { name: '1.5 on a 16 KiB host: refused', help: HELP_15, page: 16384, blockFlag: false, ok: false },
    { name: '1.7 on a 16 KiB host: -b 4096', help: HELP_17, page: 16384, blockFlag: true, ok: true },
];
for (const c of cases) {
    (0, node_test_1.test)(`mkfs.erofs ${c.name}`, () => {
        const caps = (0, erofs_js_1.parseMkfsErofsHelp)(c.help);
        strict_1.default.equal(caps.blockSizeFlag, c.blockFlag);
        if (!c.ok) {
            strict_1.default.throws(() => (0, erofs_js_1.mkfsErofsArgs)(caps, opts, c.page, 'img', 'dir'), (e) => e instanceof errors_js_1.FexpodError && /4096-byte blocks/.test(e.message));
            return;
        }
        const args = (0, erofs_js_1.mkfsErofsArgs)(caps, opts, c.page, 'img', 'dir');
        strict_1.default.deepEqual(args.slice(0, 6), ['--quiet', '-zlz4hc', '-T', '1000', '-U', (0, erofs_js_1.uuidFromDigest)(opts.digest)]);
        strict_1.default.equal(args.includes('-b'), c.blockFlag);
        strict_1.default.deepEqual(args.slice(-2), ['img', 'dir']);
    });
}
(0, node_test_1.test)('uuid is derived from the digest, RFC 4122 shaped', () => {
    const u = (0, erofs_js_1.uuidFromDigest)('sha256:abc');
    strict_1.default.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    strict_1.default.equal(u, (0, erofs_js_1.uuidFromDigest)('sha256:abc'));
    strict_1.default.notEqual(u, (0, erofs_js_1.uuidFromDigest)('sha256:abd'));
});
(0, node_test_1.test)('fakeroot replay script: chown then restore setuid, quoted paths', () => {
    const e = [{ path: "a b/it's", type: 'file', mode: 0o4755, uid: 5, gid: 6, mtime: 0 }];
    const s = (0, erofs_js_1.fakerootScript)(e, [{ path: "a b/it's", what: 'owner' }], '/stage');
    strict_1.default.equal(s, `set -e\nchown -h 5:6 '/stage/a b/it'\\''s'\nchmod 4755 '/stage/a b/it'\\''s'\n`);
});
(0, node_test_1.test)('mksquashfs reads the tar on stdin and never gets -all-time or -mkfs-time', () => {
    const a = (0, squashfs_js_1.mksquashfsArgs)({ dest: 'x', sourceDateEpoch: 5 }, 'img');
    strict_1.default.deepEqual(a.slice(0, 3), ['-', 'img', '-tar']);
    strict_1.default.ok(!a.includes('-all-time') && !a.includes('-mkfs-time'));
    strict_1.default.equal(a[a.indexOf('-comp') + 1], 'zstd');
});
