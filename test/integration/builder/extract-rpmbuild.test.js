"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * A package built here with rpmbuild that has every feature extraction must
 * get right (setuid, %caps, hardlinks, %ghost, %doc, %lang, a >100-byte path,
 * a symlink), in gzip, xz, bzip2 and zstd payloads; then a small install of
 * several packages (owners through the tree's passwd, /lib64 symlink, conflicts)
 * and its tar stream checked by GNU tar.
 */
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const node_test_1 = require("node:test");
const content_store_js_1 = require("../../../src/builder/tree/content-store.js");
const install_js_1 = require("../../../src/builder/tree/install.js");
const rpm_extract_js_1 = require("../../../src/builder/rpm/rpm-extract.js");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const rpm_payload_js_1 = require("../../../src/builder/rpm/rpm-payload.js");
const fzstd_1 = require("fzstd");
const tar_writer_js_1 = require("../../../src/builder/layer/tar-writer.js");
const integration_js_1 = require("../../helpers/integration.js");
const extract_oracle_js_1 = require("./extract-oracle.js");
const rpmbuild_fixtures_js_1 = require("./rpmbuild-fixtures.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpm2cpio'), (0, integration_js_1.onPath)('cpio'), (0, integration_js_1.onPath)('tar'), (0, integration_js_1.isRoot)());
const LONG = 'usr/share/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/cccccccccccccccccccccccccccccccccccccccccccccccccc.txt';
let work = '';
const built = new Map();
(0, node_test_1.before)(() => {
    if (req.skip)
        return;
    work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-rpmbuild-'));
    for (const p of rpmbuild_fixtures_js_1.PAYLOADS)
        built.set(p.name, (0, rpmbuild_fixtures_js_1.buildFixture)('fexpod-extract-test.spec', (0, node_path_1.join)(work, p.name), p.macro));
    built.set('setup', (0, rpmbuild_fixtures_js_1.buildFixture)('fexpod-setup.spec', (0, node_path_1.join)(work, 'setup')));
    built.set('lib64-user', (0, rpmbuild_fixtures_js_1.buildFixture)('fexpod-lib64-user.spec', (0, node_path_1.join)(work, 'lib64-user')));
});
(0, node_test_1.after)(() => {
    if (work)
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
});
function corpusRpms() {
    const dir = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'rpms');
    return (0, node_fs_1.readdirSync)(dir).filter((f) => f.endsWith('.rpm')).sort().map((f) => (0, node_path_1.join)(dir, f));
}
function rpmOf(name) {
    const r = built.get(name);
    strict_1.default.ok(r, `fixture ${name} was not built`);
    return r;
}
const opts = { docs: true, langs: 'all', sourceDateEpoch: 1_700_000_000 };
for (const p of rpmbuild_fixtures_js_1.PAYLOADS) {
    (0, node_test_1.test)(`${p.name} payload: extraction equals rpm2cpio | cpio`, req, async () => {
        const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-oracle-'));
        try {
            (0, extract_oracle_js_1.oracleExtract)(rpmOf(p.name), dir);
            const want = (0, extract_oracle_js_1.listDir)(dir);
            const { tree } = await (0, install_js_1.installRpmFiles)([rpmOf(p.name)], { ...opts, onConflict: 'report' }, (0, content_store_js_1.memoryContentStore)());
            const got = await (0, extract_oracle_js_1.listTree)(tree);
            // cpio creates no %ghost and gives implicit parents its own modes; compare listed files.
            for (const [path, v] of want.entries)
                if (got.entries.get(path) !== v)
                    strict_1.default.equal(got.entries.get(path), v, path);
            strict_1.default.deepEqual(got.links, want.links);
            strict_1.default.deepEqual(got.links, ['usr/bin/hl-a,usr/bin/hl-b,usr/bin/hl-c']);
        }
        finally {
            (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
        }
    });
    (0, node_test_1.test)(`${p.name} payload: setuid, capability, ghost, doc, long path, symlink, empty file`, req, async () => {
        const { tree, report } = await (0, install_js_1.installRpmFiles)([rpmOf(p.name)], opts, (0, content_store_js_1.memoryContentStore)());
        const e = (path) => tree.get(path);
        strict_1.default.equal(e('usr/bin/suid')?.mode, 0o4755);
        strict_1.default.equal(Buffer.from(e('usr/bin/capped')?.xattrs?.['security.capability'] ?? []).toString('hex'), '0100000200200000000000000000000000000000');
        strict_1.default.equal(e('var/log/ghost.log'), undefined, '%ghost files are not created');
        strict_1.default.equal(e('var/lib/fexpodtest')?.mode, 0o750);
        strict_1.default.equal(e('usr/share/doc/x/README')?.type, 'file');
        strict_1.default.equal(e('usr/bin/link')?.linkTarget, 'suid');
        strict_1.default.equal(e('usr/bin/empty')?.content?.size, 0);
        strict_1.default.equal(e(LONG)?.mode, 0o640);
        strict_1.default.equal(e('var/log'), undefined, 'no parents for %ghost files');
        strict_1.default.equal(e('usr/share/locale')?.mode, 0o755, 'implicit parent');
        strict_1.default.equal(report.skipped.ghost, 1);
        // No passwd in this tree: unknown names are reported and mapped to root.
        strict_1.default.deepEqual([...new Set(report.unknownOwners.map((u) => `${u.kind}:${u.name}`))].sort(), ['group:mail', 'user:fexpodu']);
    });
}
(0, node_test_1.test)('docs and languages are filtered as configured', req, async () => {
    const { tree, report } = await (0, install_js_1.installRpmFiles)([rpmOf('zstd')], { ...opts, docs: false, langs: ['de'] }, (0, content_store_js_1.memoryContentStore)());
    strict_1.default.equal(tree.get('usr/share/doc/x/README'), undefined);
    strict_1.default.equal(tree.get('usr/share/locale/fr/LC_MESSAGES/t.mo'), undefined);
    strict_1.default.equal(tree.get('usr/share/locale/de/LC_MESSAGES/t.mo')?.type, 'file');
    strict_1.default.deepEqual(report.skipped, { ghost: 1, doc: 1, lang: 1, socket: 0 });
});
(0, node_test_1.test)('owners map through the tree\'s own passwd/group; /lib64 paths follow the symlink', req, async () => {
    const store = (0, content_store_js_1.memoryContentStore)();
    const pkgs = [await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('setup'), store), await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('zstd'), store)];
    const { tree, report } = await (0, install_js_1.installPackages)(pkgs, opts);
    strict_1.default.deepEqual(report.unknownOwners, []);
    strict_1.default.equal(tree.get(LONG)?.uid, 321);
    strict_1.default.equal(tree.get(LONG)?.gid, 12);
    strict_1.default.equal(tree.get('var/lib/fexpodtest')?.gid, 12);
    strict_1.default.equal(tree.get('lib64')?.type, 'symlink');
});
(0, node_test_1.test)('file conflicts are reported with both packages; identical files are not conflicts', req, async () => {
    const store = (0, content_store_js_1.memoryContentStore)();
    const pkgs = [
        await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('setup'), store),
        await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('zstd'), store),
        await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('lib64-user'), store),
    ];
    await strict_1.default.rejects((0, install_js_1.installPackages)(pkgs, opts), (err) => {
        strict_1.default.ok(err instanceof install_js_1.FileConflictError);
        strict_1.default.deepEqual(err.conflicts.map((c) => [c.path, ...c.packages]), [
            ['usr/bin/link', 'fexpod-extract-test-1.0-1.noarch', 'fexpod-lib64-user-1.0-1.noarch'],
        ]);
        return true;
    });
    const { tree, report } = await (0, install_js_1.installPackages)(pkgs, { ...opts, onConflict: 'report' });
    strict_1.default.equal(report.conflicts.length, 1);
    strict_1.default.equal(tree.get('usr/bin/link')?.linkTarget, 'elsewhere', 'later package wins when conflicts are allowed');
    strict_1.default.equal(tree.get('usr/lib64/libfexpod.so.1')?.type, 'file', '/lib64/x lands in usr/lib64');
    strict_1.default.equal(tree.get('lib64/libfexpod.so.1'), undefined);
});
async function tarFile(tree, file) {
    const parts = [];
    for await (const c of (0, tar_writer_js_1.tarChunks)(tree.values(), { sourceDateEpoch: 1_700_000_000 }))
        parts.push(c);
    (0, node_fs_1.writeFileSync)(file, Buffer.concat(parts));
}
(0, node_test_1.test)('installed tree as a tar: GNU tar extracts it with owners, modes, caps and hardlinks', req, async () => {
    const store = (0, content_store_js_1.memoryContentStore)();
    const pkgs = [await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('setup'), store), await (0, rpm_extract_js_1.extractRpmFile)(rpmOf('xz'), store)];
    const { tree } = await (0, install_js_1.installPackages)(pkgs, opts);
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-tarx-'));
    try {
        await tarFile(tree, (0, node_path_1.join)(dir, 'l.tar'));
        const x = (0, node_path_1.join)(dir, 'x');
        (0, node_child_process_1.spawnSync)('mkdir', [x]);
        const t = (0, node_child_process_1.spawnSync)('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', (0, node_path_1.join)(dir, 'l.tar'), '-C', x], { encoding: 'utf8' });
        strict_1.default.equal(t.status, 0, t.stderr);
        const st = (0, node_child_process_1.spawnSync)('stat', ['-c', '%n %a %u %g %h', ...['usr/bin/suid', 'usr/bin/hl-b', LONG].map((p) => (0, node_path_1.join)(x, p))], { encoding: 'utf8' });
        strict_1.default.equal(st.stdout.replaceAll(`${x}/`, ''), `usr/bin/suid 4755 0 0 1\nusr/bin/hl-b 644 0 0 3\n${LONG} 640 321 12 1\n`);
        const cap = (0, node_child_process_1.spawnSync)('getfattr', ['-n', 'security.capability', '-e', 'hex', (0, node_path_1.join)(x, 'usr/bin/capped')], { encoding: 'utf8' });
        strict_1.default.match(cap.stdout, /=0x0100000200200000000000000000000000000000/);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('reproducible tar: same RPMs give the same sha256 under different umask, TZ and temp dir', req, () => {
    const main = new URL('./tar-digest-main.js', import.meta.url).pathname;
    const rpms = [rpmOf('setup'), rpmOf('zstd'), rpmOf('lib64-user'), ...corpusRpms()];
    const runs = [
        { umask: '022', tz: 'UTC', tmp: (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-repro-a-')) },
        { umask: '077', tz: 'Pacific/Chatham', tmp: (0, node_fs_1.mkdtempSync)((0, node_path_1.join)('/var/tmp', 'fexpod-repro-b-')) },
    ];
    const digests = runs.map((r) => {
        try {
            const out = (0, node_child_process_1.spawnSync)('sh', ['-c', `umask ${r.umask}; exec "$0" "$@"`, process.execPath, main, '1700000000', ...rpms], {
                encoding: 'utf8',
                env: { ...process.env, TZ: r.tz, TMPDIR: r.tmp },
            });
            strict_1.default.equal(out.status, 0, out.stderr);
            return out.stdout.trim();
        }
        finally {
            (0, node_fs_1.rmSync)(r.tmp, { recursive: true, force: true });
        }
    });
    strict_1.default.match(digests[0] ?? '', /^[0-9a-f]{64}$/);
    strict_1.default.equal(digests[0], digests[1]);
});
(0, node_test_1.test)('an uncompressed package has no PAYLOADCOMPRESSOR tag (what rpmbuild writes for w.ufdio)', req, () => {
    const pkg = (0, rpm_header_js_1.parseRpmHeaders)((0, node_fs_1.readFileSync)(rpmOf('uncompressed')));
    strict_1.default.equal(pkg.header.has(rpm_header_js_1.RpmTag.PAYLOADCOMPRESSOR), false);
});
(0, node_test_1.test)('extraction errors name the package, not the cache file it sits in', req, async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-extract-err-'));
    try {
        for (const name of ['zstd', 'uncompressed']) {
            const bytes = Buffer.from((0, node_fs_1.readFileSync)(rpmOf(name)));
            const pkg = (0, rpm_header_js_1.parseRpmHeaders)(bytes);
            // a cache blob is named by its sha256; damage the payload's middle
            const blob = (0, node_path_1.join)(dir, (0, node_crypto_1.createHash)('sha256').update(bytes).digest('hex'));
            const mid = pkg.ranges.payloadOffset + Math.floor((bytes.length - pkg.ranges.payloadOffset) / 2);
            bytes.fill(0x55, mid, mid + 16);
            (0, node_fs_1.writeFileSync)(blob, bytes);
            await strict_1.default.rejects((0, rpm_extract_js_1.extractRpmFile)(blob, (0, content_store_js_1.memoryContentStore)()), (e) => {
                strict_1.default.ok(e instanceof rpm_extract_js_1.RpmExtractError, String(e));
                strict_1.default.match(e.message, /^fexpod-extract-test-1\.0-1\.noarch: /, name);
                strict_1.default.ok(!e.message.includes(blob), `${name}: ${e.message}`);
                strict_1.default.ok(e.fix, `${name}: a fix is given`);
                return true;
            });
        }
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('zstd payload: the decompressed payload equals fzstd\'s decoding of the same bytes', req, async () => {
    const bytes = (0, node_fs_1.readFileSync)(rpmOf('zstd'));
    const pkg = (0, rpm_header_js_1.parseRpmHeaders)(bytes);
    const parts = [];
    for await (const c of (0, rpm_payload_js_1.payloadChunks)(pkg.header, (async function* () { yield bytes.subarray(pkg.ranges.payloadOffset); })()))
        parts.push(c);
    const ours = Buffer.concat(parts);
    strict_1.default.ok(ours.length > 0);
    strict_1.default.ok(Buffer.from((0, fzstd_1.decompress)(bytes.subarray(pkg.ranges.payloadOffset))).equals(ours));
});
(0, node_test_1.test)('a truncated payload is an error for every compressor', req, async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-trunc-'));
    try {
        for (const name of ['zstd', 'xz', 'gzip', 'bzip2', 'uncompressed']) {
            const bytes = (0, node_fs_1.readFileSync)(rpmOf(name));
            const cut = (0, node_path_1.join)(dir, `${name}.rpm`);
            (0, node_fs_1.writeFileSync)(cut, bytes.subarray(0, bytes.length - 40));
            await strict_1.default.rejects((0, rpm_extract_js_1.extractRpmFile)(cut, (0, content_store_js_1.memoryContentStore)()), name);
        }
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
