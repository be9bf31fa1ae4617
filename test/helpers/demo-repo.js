"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.CORPUS_PACKAGES = exports.DEMO_LIB = exports.DEMO_BUSYBOX = void 0;
exports.demoRpms = demoRpms;
exports.publishCached = publishCached;
exports.makeDemoRepo = makeDemoRepo;
/**
 * The demo repository: test/fixtures/demo-specs (a base layout and the host's
 * static busybox as RPMs) built with rpmbuild for x86_64, signed with a
 * throwaway key, plus the corpus' setup/filesystem/basesystem from
 * test-repo.ts, as one createrepo_c repository. Cached by spec contents.
 *
 *   node dist/test/helpers/demo-repo.js DIR   builds it into DIR and prints its JSON summary
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("./foreign-image.js");
const integration_js_1 = require("./integration.js");
const test_repo_js_1 = require("./test-repo.js");
exports.DEMO_BUSYBOX = '/bin/busybox';
/** A real shared library (the host's zlib) for the stand-in GL driver package (demo-gl). */
exports.DEMO_LIB = hostLib('libz.so.1');
function hostLib(name) {
    for (const d of ['/lib', '/usr/lib']) {
        try {
            for (const m of (0, node_fs_1.readdirSync)(d).filter((x) => x.endsWith('-linux-gnu') || x.endsWith('-linux-gnueabihf')).sort()) {
                if ((0, node_fs_1.existsSync)((0, node_path_1.join)(d, m, name)))
                    return (0, node_path_1.join)(d, m, name);
            }
        }
        catch {
            // not there
        }
    }
    return (0, node_path_1.join)('/lib64', name);
}
/** Corpus packages the demo image pulls in (basesystem requires the other two). */
exports.CORPUS_PACKAGES = ['basesystem', 'filesystem', 'setup'];
function specsDir() {
    return (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'demo-specs');
}
function run(cmd, args, env) {
    return (0, node_child_process_1.execFileSync)(cmd, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
}
/** Builds (or reuses) the signed demo RPMs; returns their directory (RPMs + RPM-GPG-KEY-fexpod-demo). */
function demoRpms() {
    const h = (0, node_crypto_1.createHash)('sha256').update('v1');
    for (const f of (0, node_fs_1.readdirSync)(specsDir()).sort())
        h.update(f).update((0, node_fs_1.readFileSync)((0, node_path_1.join)(specsDir(), f)));
    h.update((0, node_fs_1.readFileSync)(exports.DEMO_BUSYBOX)).update((0, node_fs_1.readFileSync)(exports.DEMO_LIB));
    const final = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'demo-rpms', h.digest('hex').slice(0, 16));
    if ((0, node_fs_1.existsSync)((0, node_path_1.join)(final, 'done')))
        return final;
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'demo-rpms-build-'));
    try {
        const top = (0, node_path_1.join)(work, 'rpmbuild');
        const out = (0, node_path_1.join)(work, 'out');
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(top, 'SOURCES'), { recursive: true });
        (0, node_fs_1.mkdirSync)(out);
        (0, node_fs_1.cpSync)(exports.DEMO_BUSYBOX, (0, node_path_1.join)(top, 'SOURCES', 'busybox'));
        (0, node_fs_1.cpSync)(exports.DEMO_LIB, (0, node_path_1.join)(top, 'SOURCES', 'libz.so.1'), { dereference: true });
        for (const spec of (0, node_fs_1.readdirSync)(specsDir()).filter((f) => f.endsWith('.spec')).sort()) {
            run('rpmbuild', [
                '--define', `_topdir ${top}`, '--define', '_binary_payload w19.zstdio', '--define', '_buildhost fexpod-demo',
                '--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 1',
                '--target', 'x86_64', '-bb', (0, node_path_1.join)(specsDir(), spec),
            ], { ...process.env, SOURCE_DATE_EPOCH: '1700000000' });
        }
        for (const a of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'RPMS')))
            for (const f of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'RPMS', a)))
                (0, node_fs_1.renameSync)((0, node_path_1.join)(top, 'RPMS', a, f), (0, node_path_1.join)(out, f));
        const gnupg = (0, node_path_1.join)(work, 'gnupg');
        (0, node_fs_1.mkdirSync)(gnupg, { mode: 0o700 });
        const env = { ...process.env, GNUPGHOME: gnupg };
        run('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'fexpod demo key <demo@fexpod.invalid>', 'rsa2048', 'sign', 'never'], env);
        const keyId = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(run('gpg', ['--batch', '--with-colons', '--list-keys'], env))?.[1];
        if (!keyId)
            throw new Error('gpg did not report the new key id');
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(out, 'RPM-GPG-KEY-fexpod-demo'), run('gpg', ['--batch', '--armor', '--export', keyId], env));
        const gpg = run('sh', ['-c', 'command -v gpg']).trim();
        const rpms = (0, node_fs_1.readdirSync)(out).filter((f) => f.endsWith('.rpm')).map((f) => (0, node_path_1.join)(out, f));
        run('rpmsign', ['--define', `_gpg_name ${keyId}`, '--define', `_gpg_path ${gnupg}`, '--define', `__gpg ${gpg}`, '--addsign', ...rpms], env);
        return publishCached(out, final);
    }
    finally {
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
    }
}
/** Marks a finished build directory done and moves it into the cache in one rename (a concurrent run that finished first wins). */
function publishCached(out, final) {
    (0, node_fs_1.writeFileSync)((0, node_path_1.join)(out, 'done'), '');
    (0, node_fs_1.mkdirSync)((0, node_path_1.dirname)(final), { recursive: true });
    try {
        (0, node_fs_1.renameSync)(out, final);
    }
    catch {
        // another run finished first
    }
    return final;
}
function rpmName(file) {
    return file.replace(/\.rpm$/, '').split('-').slice(0, -2).join('-');
}
/** createrepo_c over the demo RPMs plus the corpus base packages (x86_64 + noarch), and any RPMs in extraRpmsDir. */
function makeDemoRepo(dir, extraRpmsDir) {
    const demo = demoRpms();
    const corpus = (0, test_repo_js_1.testRpms)();
    const pkgDir = (0, node_path_1.join)(dir, 'Packages');
    (0, node_fs_1.mkdirSync)(pkgDir, { recursive: true });
    const put = (src, name) => {
        try {
            (0, node_fs_1.linkSync)(src, (0, node_path_1.join)(pkgDir, name));
        }
        catch {
            (0, node_fs_1.cpSync)(src, (0, node_path_1.join)(pkgDir, name));
        }
    };
    for (const f of (0, node_fs_1.readdirSync)(demo).filter((x) => x.endsWith('.rpm')))
        put((0, node_path_1.join)(demo, f), f);
    for (const a of ['x86_64', 'noarch']) {
        for (const f of (0, node_fs_1.readdirSync)((0, node_path_1.join)(corpus.rpmsDir, a)))
            if (exports.CORPUS_PACKAGES.includes(rpmName(f)))
                put((0, node_path_1.join)(corpus.rpmsDir, a, f), f);
    }
    if (extraRpmsDir)
        for (const f of (0, node_fs_1.readdirSync)(extraRpmsDir).filter((x) => x.endsWith('.rpm')))
            put((0, node_path_1.join)(extraRpmsDir, f), f);
    run('createrepo_c', ['--quiet', '--no-database', '--simple-md-filenames', '--revision', '1', '--set-timestamp-to-revision', dir]);
    return { dir, keyFiles: [(0, node_path_1.join)(demo, 'RPM-GPG-KEY-fexpod-demo'), corpus.keyFile] };
}
// Run as a script (scripts/demo-build.sh), not when node --test walks dist/test/ and loads it.
const asScript = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (asScript && process.env['NODE_TEST_CONTEXT'] === undefined) {
    const dir = process.argv[2];
    if (!dir) {
        process.stderr.write('usage: node dist/test/helpers/demo-repo.js DIR\n');
        process.exit(2);
    }
    process.stdout.write(JSON.stringify(makeDemoRepo(dir)) + '\n');
}
