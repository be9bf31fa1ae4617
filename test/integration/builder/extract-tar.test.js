"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The deterministic tar writer checked by the tools that read layers: GNU tar
 * (listing, and extraction as root with xattrs + getfattr) and Python's
 * tarfile (stdlib), which parses pax SCHILY.xattr records.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_test_1 = require("node:test");
const tar_writer_js_1 = require("../../../src/builder/layer/tar-writer.js");
const integration_js_1 = require("../../helpers/integration.js");
const tar_sample_js_1 = require("../../unit/builder/tar-sample.js");
async function writeSampleTar(dir) {
    const parts = [];
    for await (const c of (0, tar_writer_js_1.tarChunks)((0, tar_sample_js_1.sampleTree)(), { sourceDateEpoch: 1_700_000_000 }))
        parts.push(c);
    const file = (0, node_path_1.join)(dir, 'layer.tar');
    (0, node_fs_1.writeFileSync)(file, Buffer.concat(parts));
    return file;
}
function run(cmd, args, cwd) {
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { encoding: 'utf8', cwd, env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
    strict_1.default.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}
(0, node_test_1.test)('GNU tar lists the tree with numeric owners, links, devices and xattrs', (0, integration_js_1.integration)((0, integration_js_1.onPath)('tar')), async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-tar-'));
    try {
        const out = run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-tvvf', await writeSampleTar(dir)]);
        strict_1.default.match(out, /^-rwsr-xr-x  0\/0 +2 2023-11-14 22:13 usr\/bin\/su$/m);
        strict_1.default.match(out, /^lrwxrwxrwx  0\/0 +0 .* usr\/bin\/sh -> bash$/m);
        strict_1.default.match(out, /^hrwxr-xr-x  0\/0 +0 .* usr\/bin\/zz-link link to usr\/bin\/aa-link$/m);
        strict_1.default.match(out, /^crw-rw-rw-  0\/0 +1,3 .* dev\/null$/m);
        strict_1.default.match(out, /^-rw-r--r--  42\/43 +700 1970-01-01 00:16 usr\/share\/d{60}\/f{80}\.txt$/m);
        strict_1.default.match(out, /usr\/share\/café$/m);
        strict_1.default.match(out, /^-rwxr-xr-x\* 0\/0 .* usr\/bin\/ping\n +x: +20 security\.capability$/m);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('extracting as root restores the capability xattr byte for byte', (0, integration_js_1.integration)((0, integration_js_1.onPath)('tar'), (0, integration_js_1.onPath)('getfattr'), (0, integration_js_1.isRoot)()), async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-tar-'));
    try {
        const file = await writeSampleTar(dir);
        run('mkdir', ['-p', (0, node_path_1.join)(dir, 'x')]);
        run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', file, '-C', (0, node_path_1.join)(dir, 'x')]);
        const out = run('getfattr', ['-n', 'security.capability', '-e', 'hex', (0, node_path_1.join)(dir, 'x/usr/bin/ping')]);
        strict_1.default.match(out, /security\.capability=0x0100000200200000000000000000000000000000/);
        const st = run('stat', ['-c', '%a %u %g %h %Y', (0, node_path_1.join)(dir, 'x/usr/bin/su'), (0, node_path_1.join)(dir, 'x/usr/bin/aa-link')]);
        strict_1.default.equal(st, '4755 0 0 1 1700000000\n755 0 0 2 1700000000\n');
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
const pyCheck = `
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        x = m.pax_headers.get('SCHILY.xattr.security.capability')
        print(m.name, m.type.decode(), oct(m.mode), m.uid, m.gid, repr(m.uname), m.mtime, m.linkname,
              x.encode('utf-8', 'surrogateescape').hex() if x is not None else '-')
`;
(0, node_test_1.test)('Python tarfile reads names, long paths and the binary pax xattr', (0, integration_js_1.integration)((0, integration_js_1.fileExists)('/usr/bin/python3')), async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-tar-'));
    try {
        const file = await writeSampleTar(dir);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, 'check.py'), pyCheck);
        const out = run('/usr/bin/python3', [(0, node_path_1.join)(dir, 'check.py'), file]);
        strict_1.default.match(out, /^usr\/bin\/ping 0 0o755 0 0 '' 1700000000 {2}0100000200200000000000000000000000000000$/m);
        strict_1.default.match(out, new RegExp(`^usr/share/d{60}/f{80}\\.txt 0 0o644 42 43 '' 1000  -$`, 'm'));
        strict_1.default.match(out, new RegExp(`^usr/share/long-symlink 2 0o777 0 0 '' 1700000000 usr/share/d{60}/f{80}\\.txt -$`, 'm'));
        strict_1.default.match(out, /^usr\/share\/café 0 /m);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
