"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_crypto_1 = require("node:crypto");
const node_child_process_1 = require("node:child_process");
const metalink_js_1 = require("../../../src/builder/repo/metalink.js");
const repomd_js_1 = require("../../../src/builder/repo/repomd.js");
const primary_js_1 = require("../../../src/builder/repo/primary.js");
const metadata_error_js_1 = require("../../../src/builder/repo/metadata-error.js");
const repo_sync_js_1 = require("../../../src/builder/repo/repo-sync.js");
const filelists_js_1 = require("../../../src/builder/repo/filelists.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const testdata = () => (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata');
(0, node_test_1.test)('metalink: MirrorManager shape gives hashes (current + alternates) and mirrors by preference', () => {
    const repomd = new TextEncoder().encode('<repomd/>');
    const xml = (0, test_repo_js_1.metalinkXml)(repomd, ['https://a.example/f/repodata/repomd.xml', 'http://b.example/f/repodata/repomd.xml', 'rsync://c.example/f/repodata/repomd.xml'], ['ab'.repeat(32)]);
    const ml = (0, metalink_js_1.parseMetalink)(xml, 'metalink');
    strict_1.default.deepEqual(ml.repomdHashes.filter((h) => h.type === 'sha256').map((h) => h.value), [(0, node_crypto_1.createHash)('sha256').update(repomd).digest('hex'), 'ab'.repeat(32)]);
    strict_1.default.equal(ml.repomdSize, repomd.length);
    strict_1.default.deepEqual(ml.mirrors.map((m) => m.baseUrl), ['https://a.example/f/', 'http://b.example/f/']);
});
const badMetalinks = [
    { name: 'not XML', text: '<metalink', msg: /not valid XML/ },
    { name: 'HTML error page', text: '<html><body>502</body></html>', msg: /not a metalink/ },
    { name: 'no hashes', text: '<metalink><files><file name="repomd.xml"><resources><url protocol="https">https://a/repodata/repomd.xml</url></resources></file></files></metalink>', msg: /no sha256/ },
];
for (const c of badMetalinks) {
    (0, node_test_1.test)(`metalink: ${c.name} is a MetadataError`, () => {
        strict_1.default.throws(() => (0, metalink_js_1.parseMetalink)(c.text, 'ml'), (e) => e instanceof metadata_error_js_1.MetadataError && c.msg.test(e.message));
    });
}
(0, node_test_1.test)('mirrorlist: comments skipped, trailing slash added', () => {
    strict_1.default.deepEqual((0, metalink_js_1.parseMirrorlist)('# c\nhttps://a/x\n\nhttp://b/y/\n', 'ml'), ['https://a/x/', 'http://b/y/']);
});
(0, node_test_1.test)('repomd: createrepo_c repo_01 lists primary, filelists, other', () => {
    const r = (0, repomd_js_1.parseRepomd)((0, node_fs_1.readFileSync)((0, node_path_1.join)(testdata(), 'repo_01', 'repodata', 'repomd.xml'), 'utf8'), 'repomd.xml');
    strict_1.default.deepEqual([...r.entries.keys()].sort(), ['filelists', 'other', 'primary']);
    strict_1.default.equal(r.entries.get('primary')?.checksum.type, 'sha256');
    strict_1.default.match(r.entries.get('primary')?.location ?? '', /primary\.xml\.gz$/);
});
(0, node_test_1.test)('repomd: createrepo_c missing_type-repomd.xml fixture is a clear error', () => {
    const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(testdata(), 'modified_repo_files', 'missing_type-repomd.xml'), 'utf8');
    strict_1.default.throws(() => (0, repomd_js_1.parseRepomd)(text, 'missing_type-repomd.xml'), (e) => e instanceof metadata_error_js_1.MetadataError && /has no type attribute/.test(e.message) && /line \d+/.test(e.message));
});
// createrepo_c's modified metadata fixtures: errors are MetadataErrors with a position, warnings parse.
const primaryFixtures = [
    { file: 'error_00-primary.xml', error: /line 3 \(fake_bash\) has no <checksum>/ },
    { file: 'unknown_element_01-primary.xml', error: /declares 2 packages but holds 1/ },
    { file: 'long_primary.xml', packages: 2 },
    { file: 'multiple_warnings_00-primary.xml', packages: 2 },
    { file: 'repo_01_ampersand-primary.xml', packages: 1 },
    { file: 'unknown_element_00-primary.xml', packages: 2 },
    { file: 'unknown_element_02-primary.xml', packages: 2 },
];
for (const c of primaryFixtures) {
    (0, node_test_1.test)(`primary: createrepo_c fixture ${c.file} ${c.error ? 'fails clearly' : 'parses'}`, async () => {
        const run = (0, primary_js_1.parsePrimary)((0, node_fs_1.createReadStream)((0, node_path_1.join)(testdata(), 'modified_repo_files', c.file)), c.file);
        if (c.error) {
            await strict_1.default.rejects(run, (e) => e instanceof metadata_error_js_1.MetadataError && c.error.test(e.message));
        }
        else {
            strict_1.default.equal((await run).length, c.packages);
        }
    });
}
(0, node_test_1.test)('primary: every createrepo_c test repository parses (gz primary)', async () => {
    const dirs = (0, node_fs_1.readdirSync)(testdata()).filter((d) => /^repo_/.test(d));
    strict_1.default.ok(dirs.length >= 5);
    for (const d of dirs) {
        const repodata = (0, node_path_1.join)(testdata(), d, 'repodata');
        const repomd = (0, repomd_js_1.parseRepomd)((0, node_fs_1.readFileSync)((0, node_path_1.join)(repodata, 'repomd.xml'), 'utf8'), `${d}/repomd.xml`);
        const e = repomd.entries.get('primary');
        const pkgs = await (0, repo_sync_js_1.readPrimary)({ digest: { alg: 'sha256', hex: e.checksum.value }, path: (0, node_path_1.join)(testdata(), d, e.location), compression: 'gzip' }, e, `${d} primary`);
        const declared = Number(/packages="(\d+)"/.exec((0, node_child_process_1.execFileSync)('gzip', ['-dc', (0, node_path_1.join)(testdata(), d, e.location)]).toString())?.[1]);
        strict_1.default.equal(pkgs.length, declared, d);
        for (const p of pkgs)
            strict_1.default.match(p.checksum.value, /^[0-9a-f]+$/);
    }
});
(0, node_test_1.test)('primary: real zstd repodata (zstd-custom) decompresses, matches open-checksum and parses', async () => {
    const dir = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'zstd-custom');
    const repomd = (0, repomd_js_1.parseRepomd)((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'repodata', 'repomd.xml'), 'utf8'), 'zstd-custom');
    const e = repomd.entries.get('primary');
    const pkgs = await (0, repo_sync_js_1.readPrimary)({ digest: { alg: 'sha256', hex: e.checksum.value }, path: (0, node_path_1.join)(dir, e.location), compression: 'zstd' }, e, 'zstd-custom primary');
    strict_1.default.ok(pkgs.length > 0);
});
(0, node_test_1.test)('primary: a wrong open-checksum is caught', async () => {
    const dir = (0, node_path_1.join)(testdata(), 'repo_01');
    const repomd = (0, repomd_js_1.parseRepomd)((0, node_fs_1.readFileSync)((0, node_path_1.join)(dir, 'repodata', 'repomd.xml'), 'utf8'), 'r');
    const e = repomd.entries.get('primary');
    const bad = { ...e, openChecksum: { type: 'sha256', value: '0'.repeat(64) } };
    await strict_1.default.rejects((0, repo_sync_js_1.readPrimary)({ digest: { alg: 'sha256', hex: e.checksum.value }, path: (0, node_path_1.join)(dir, e.location), compression: 'gzip' }, bad, 'p'), /open-checksum/);
});
// createrepo_c's filelists fixtures: errors (no pkgid) are reported with the line, warnings pass.
const filelistsFixtures = [
    { file: 'error_00-filelists.xml', error: /<package> at line 3 \(fake_bash\) has no pkgid attribute/ },
    { file: 'no_pkgid-filelists.xml', error: /<package> at line 7 \(super_kernel\) has no pkgid attribute/ },
    { file: 'bad_file_type-filelists.xml' },
    { file: 'multiple_warnings_00-filelists.xml' },
    { file: 'repo_01_ampersand-filelists.xml' },
    { file: 'repo_02_different_order_filelists.xml' },
    { file: 'unknown_element_00-filelists.xml' },
    { file: 'unknown_element_01-filelists.xml' },
    { file: 'unknown_element_02-filelists.xml' },
];
for (const c of filelistsFixtures) {
    (0, node_test_1.test)(`filelists: createrepo_c fixture ${c.file} ${c.error ? 'fails clearly' : 'passes'}`, async () => {
        const path = (0, node_path_1.join)(testdata(), 'modified_repo_files', c.file);
        const run = (0, filelists_js_1.checkFilelists)({ digest: { alg: 'sha256', hex: '0'.repeat(64) }, path, compression: 'none' }, undefined, c.file);
        if (c.error)
            await strict_1.default.rejects(run, (e) => e instanceof metadata_error_js_1.MetadataError && c.error.test(e.message));
        else
            await run;
    });
}
(0, node_test_1.test)('filelists: a start tag split across stream chunks is still checked', () => {
    const r1 = (0, filelists_js_1.scanFilelistsText)('<filelists packages="1">\n<package name="a" arch="x86_64">', 0);
    strict_1.default.equal(r1.count, 1);
    strict_1.default.match(r1.problem ?? '', /line 2 \(a\) has no pkgid/);
});
