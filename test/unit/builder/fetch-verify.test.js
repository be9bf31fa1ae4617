"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * fetchLocked over real signed packages (test/fixtures/rpm) served by an in-memory mirror:
 * - a package that fails verification never gets a cache entry (nor a partial file), and a rerun
 *   with the right key fetches and keeps it;
 * - a cached package is verified again against this lock's keys;
 * - errors name the package file and give the fix that applies: a 0-byte package, a source
 *   package, an unwritable cache, wrong bytes on every mirror — never "check the network" for a
 *   local failure.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const errors_js_1 = require("../../../src/common/errors.js");
const cache_js_1 = require("../../../src/builder/fetch/cache.js");
const package_fetch_js_1 = require("../../../src/builder/fetch/package-fetch.js");
const rpm_header_js_1 = require("../../../src/builder/rpm/rpm-header.js");
const rpm_signature_js_1 = require("../../../src/builder/rpm/rpm-signature.js");
const integration_js_1 = require("../../helpers/integration.js");
const fixture = (f) => (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'rpm', f);
const V3 = fixture('fexpod-sigtest-1.0-1.noarch.v3-rsa4096.rpm');
const MLDSA = fixture('fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm');
const KEY_4096 = 'fexpod-rsa4096-test.asc';
const KEY_2048 = 'fexpod-rsa2048-test.asc';
const SRPM = (0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'repos', 'createrepo_c-testdata', 'packages', 'empty-0-0.src.rpm');
/** A mirror serving files by their base name; counts requests. */
function mirror(files, requests = []) {
    return {
        async get(url, o = {}) {
            requests.push(url);
            const data = files[url.split('/').pop() ?? ''];
            const empty = (async function* () { })();
            if (!data)
                return { status: 404, header: () => undefined, body: empty, cancel: async () => { } };
            const from = o.from ?? 0;
            return {
                status: from > 0 ? 206 : 200,
                header: (n) => (n === 'content-range' && from > 0 ? `bytes ${from}-${data.length - 1}/${data.length}` : undefined),
                body: (async function* () {
                    if (data.length > from)
                        yield data.subarray(from);
                })(),
                cancel: async () => { },
            };
        },
    };
}
function lockedPackage(file, bytes, location = file.split('/').pop()) {
    const n = (0, rpm_header_js_1.headerNevra)((0, rpm_header_js_1.parseRpmHeaders)(bytes).header);
    return {
        name: n.name, epoch: n.epoch, version: n.version, release: n.release, arch: n.arch,
        sha256: (0, node_crypto_1.createHash)('sha256').update(bytes).digest('hex'), size: bytes.length, location, repo: 'r', sourcerpm: null,
    };
}
function lockOf(packages) {
    return {
        schemaVersion: 1,
        definition: { name: 't', digest: `sha256:${'0'.repeat(64)}`, release: '1', arches: ['x86_64'], weakDeps: false },
        repos: [{ id: 'r', repomd: `sha256:${'0'.repeat(64)}`, baseurls: ['http://mirror/'], gpgcheck: true, gpgkeys: [] }],
        packages,
    };
}
const keysFrom = async (...files) => new Map([['r', await (0, rpm_signature_js_1.readKeys)(files.map((f) => ({ name: f, data: new Uint8Array((0, node_fs_1.readFileSync)(fixture(f))) })))]]);
function cacheFiles(dir) {
    const d = (0, node_path_1.join)(dir, 'blobs', 'sha256');
    return (0, node_fs_1.existsSync)(d) ? (0, node_fs_1.readdirSync)(d).sort() : [];
}
async function withCache(fn) {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-fetch-verify-'));
    try {
        await fn(dir);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
}
(0, node_test_1.test)('a package that fails verification is not kept in the cache; a rerun with its key keeps it', () => withCache(async (cacheDir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const http = mirror({ [lock.packages[0].location]: bytes });
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http, keys: await keysFrom(KEY_2048) }), (e) => {
        return e instanceof errors_js_1.FexpodError && e.exitCode === 4 && /fexpod-sigtest-1\.0-1\.noarch: signed with key ID e173b83235014ae2/.test(e.message) && /gpgkey/.test(e.fix ?? '');
    });
    strict_1.default.deepEqual(cacheFiles(cacheDir), [], 'neither an entry nor a partial file is left');
    const paths = await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http, keys: await keysFrom(KEY_4096) });
    strict_1.default.deepEqual(cacheFiles(cacheDir), [lock.packages[0].sha256]);
    strict_1.default.equal(paths.get(lock.packages[0].sha256), new cache_js_1.BlobCache(cacheDir).path({ alg: 'sha256', hex: lock.packages[0].sha256 }));
}));
(0, node_test_1.test)('a cached package is verified again against this lock\'s keys', () => withCache(async (cacheDir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const requests = [];
    await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: mirror({ [lock.packages[0].location]: bytes }, requests), keys: await keysFrom(KEY_4096) });
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: mirror({}, requests), keys: await keysFrom(KEY_2048) }), /signed with key ID e173b83235014ae2/);
    strict_1.default.equal(requests.length, 1, 'the second run used the cache');
}));
(0, node_test_1.test)('--verbose names the signatures fexpod skipped', () => withCache(async (cacheDir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(MLDSA));
    const lock = lockOf([lockedPackage(MLDSA, bytes)]);
    const log = (0, log_js_1.memoryLogger)();
    await (0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: mirror({ [lock.packages[0].location]: bytes }), keys: await keysFrom(KEY_2048), log });
    strict_1.default.deepEqual(log.lines, [
        'debug: fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm: skipped OpenPGP v6 ML-DSA-87+Ed448/SHA512 signature by key cd3720fca602293b439cebd5396659d12fc95ba4218e5366db8f2b9b758a1f22 (an algorithm fexpod cannot check); signed by fexpod RSA 2048 test key <rsa2048-test@fexpod.invalid>',
    ]);
}));
(0, node_test_1.test)('a 0-byte package: named, "too short to be an RPM", no ENOENT, no advice about the network', () => withCache(async (cacheDir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(V3));
    const pkg = { ...lockedPackage(V3, bytes), sha256: (0, node_crypto_1.createHash)('sha256').update('').digest('hex'), size: 0 };
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lockOf([pkg]), { cacheDir, http: mirror({ [pkg.location]: new Uint8Array(0) }), keys: await keysFrom(KEY_4096) }), (e) => {
        strict_1.default.ok(e instanceof errors_js_1.FexpodError);
        strict_1.default.match(e.message, /fexpod-sigtest-1\.0-1\.noarch: the file is 0 bytes: too short to be an RPM/);
        strict_1.default.doesNotMatch(e.message, /ENOENT|\.partial-/);
        strict_1.default.doesNotMatch(e.fix ?? '', /network/);
        return true;
    });
    strict_1.default.deepEqual(cacheFiles(cacheDir), []);
}));
(0, node_test_1.test)('a source package in a lock is refused by verification, named, and not cached', () => withCache(async (cacheDir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(SRPM));
    const pkg = lockedPackage(SRPM, bytes);
    const lock = { ...lockOf([pkg]), repos: lockOf([]).repos.map((r) => ({ ...r, gpgcheck: false })) };
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: mirror({ [pkg.location]: bytes }) }), (e) => {
        return e instanceof errors_js_1.FexpodError && /empty-0-0\.src: the file is a source package/.test(e.message) && /source package cannot be installed/.test(e.fix ?? '');
    });
    strict_1.default.deepEqual(cacheFiles(cacheDir), []);
}));
(0, node_test_1.test)('an unwritable cache is named as such, with the cache fix, not the network', () => withCache(async (dir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const cacheDir = (0, node_path_1.join)(dir, 'not-a-dir');
    (0, node_fs_1.writeFileSync)(cacheDir, 'a file where the cache should be');
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: mirror({ [lock.packages[0].location]: bytes }), keys: await keysFrom(KEY_4096) }), (e) => {
        strict_1.default.ok(e instanceof errors_js_1.FexpodError);
        strict_1.default.match(e.message, /fexpod-sigtest-1\.0-1\.noarch\.v3-rsa4096\.rpm: cannot write it into the cache .*not-a-dir/);
        strict_1.default.match(e.fix ?? '', /not-a-dir is a writable directory/);
        return true;
    });
}));
(0, node_test_1.test)('wrong bytes on every mirror: named, and the fix says the repository changed, not the network', () => withCache(async (cacheDir) => {
    const bytes = new Uint8Array((0, node_fs_1.readFileSync)(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const other = Uint8Array.from(bytes);
    other[other.length - 100] = other[other.length - 100] ^ 0x01;
    await strict_1.default.rejects((0, package_fetch_js_1.fetchLocked)(lock, { cacheDir, http: mirror({ [lock.packages[0].location]: other }), keys: await keysFrom(KEY_4096) }), (e) => {
        strict_1.default.ok(e instanceof errors_js_1.FexpodError);
        strict_1.default.match(e.message, /fexpod-sigtest-1\.0-1\.noarch\.v3-rsa4096\.rpm: every mirror failed/);
        strict_1.default.match(e.fix ?? '', /re-resolve/);
        return true;
    });
    strict_1.default.deepEqual(cacheFiles(cacheDir), []);
}));
