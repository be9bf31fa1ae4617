"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const errors_js_1 = require("../../../src/common/errors.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const lock_js_1 = require("../../../src/builder/lock/lock.js");
const solver_js_1 = require("../../../src/builder/lock/solver.js");
const def = (0, definition_js_1.parseDefinition)('img.toml', `name = "img"\nrelease = 42\narches = ["x86_64", "i686"]\npackages = ["glibc"]\nexcludes = ["*-debuginfo"]\n[repos.fedora]\nbaseurl = "https://user:secret@mirror.example/f/"\n`);
function rec(name, arch, sum) {
    return { name, epoch: 0, version: '2.41', release: '1.fc42', arch, checksum: { type: 'sha256', value: sum.repeat(64) }, size: 100, location: `Packages/${name}.${arch}.rpm`, locationBase: undefined, sourcerpm: `${name}-2.41-1.fc42.src.rpm` };
}
const repo = {
    id: 'fedora',
    baseUrls: ['https://user:secret@mirror.example/f/'],
    repomdSha256: 'a'.repeat(64),
    repomd: { revision: '1', entries: new Map() },
    primary: { digest: { alg: 'sha256', hex: 'b'.repeat(64) }, path: '/cache/blobs/sha256/bbb', compression: 'zstd' },
    filelists: undefined,
    packages: [rec('glibc', 'x86_64', '1'), rec('glibc', 'i686', '2'), rec('glibc-common', 'x86_64', '3')],
};
(0, node_test_1.test)('solver input: primary arch policy, multilib arches, excludes, suffixed metadata links', () => {
    const { input, links } = (0, solver_js_1.solverInput)(def, [repo], '/tmp/s');
    strict_1.default.equal(input.arch, 'x86_64');
    strict_1.default.deepEqual(input.multilib, ['i686']);
    strict_1.default.deepEqual(input.excludes, ['*-debuginfo']);
    strict_1.default.deepEqual(links, [{ link: '/tmp/s/0-primary.xml.zst', target: '/cache/blobs/sha256/bbb' }]);
    strict_1.default.equal(input.repos[0]?.filelists, null);
});
(0, node_test_1.test)('solver output maps back to records; the lock is sorted, redacted and round-trips', () => {
    const res = (0, solver_js_1.interpretSolverOutput)({
        ok: true,
        jobs: ['glibc.x86_64', 'glibc.i686'],
        packages: [
            { repo: 'fedora', pkgid: '3'.repeat(64), name: 'glibc-common', evr: '2.41-1.fc42', arch: 'x86_64', location: null },
            { repo: 'fedora', pkgid: '1'.repeat(64), name: 'glibc', evr: '2.41-1.fc42', arch: 'x86_64', location: null },
            { repo: 'fedora', pkgid: null, name: 'glibc', evr: '2.41-1.fc42', arch: 'i686', location: null },
        ],
    }, [repo]);
    const lock = (0, lock_js_1.buildLock)(def, [repo], res);
    strict_1.default.deepEqual(lock.packages.map((p) => `${p.name}.${p.arch}`), ['glibc.i686', 'glibc.x86_64', 'glibc-common.x86_64']);
    strict_1.default.deepEqual(lock.repos[0]?.baseurls, ['https://***@mirror.example/f/']);
    strict_1.default.doesNotMatch((0, lock_js_1.serializeLock)(lock), /secret/);
    strict_1.default.deepEqual((0, lock_js_1.parseLock)('x.json', (0, lock_js_1.serializeLock)(lock)), lock);
    (0, lock_js_1.checkLockMatches)('x.json', lock, def);
    const changed = (0, definition_js_1.parseDefinition)('img.toml', `name = "img"\nrelease = 42\narches = ["x86_64"]\npackages = ["glibc"]\n`);
    strict_1.default.throws(() => (0, lock_js_1.checkLockMatches)('x.json', lock, changed), (e) => e instanceof errors_js_1.FexpodError && /--locked refuses to re-resolve/.test(e.message));
    strict_1.default.deepEqual((0, lock_js_1.vanishedPackages)(lock, [{ ...repo, packages: repo.packages.slice(1) }]).map((p) => `${p.name}.${p.arch}`), ['glibc.x86_64']);
});
(0, node_test_1.test)('solver problems become a ResolveError naming the missing dependency and who needs it', () => {
    strict_1.default.throws(() => (0, solver_js_1.interpretSolverOutput)({ ok: false, problems: [{ kind: 'missing', text: 'nothing provides libfoo', missing: [{ dep: 'libfoo.so.1()(64bit)', requiredBy: 'bar-1-1.fc42.x86_64' }], rules: [] }] }, [repo]), (e) => e instanceof solver_js_1.ResolveError && /nothing provides libfoo\.so\.1\(\)\(64bit\) \(required by bar-1-1\.fc42\.x86_64\)/.test(e.message) && e.exitCode === 3);
});
const badLocks = [
    { name: 'not JSON', text: '{', key: '' },
    { name: 'a future schema', text: '{"schemaVersion": 2}', key: 'schemaVersion' },
    { name: 'a bad sha256', text: JSON.stringify({ schemaVersion: 1, definition: { name: 'x', digest: `sha256:${'0'.repeat(64)}`, release: '42', arches: ['x86_64'], weakDeps: false }, repos: [], packages: [{ name: 'a', epoch: 0, version: '1', release: '1', arch: 'x86_64', sha256: 'zz', size: 1, location: 'a.rpm', repo: 'r', sourcerpm: null }] }), key: 'packages.0.sha256' },
];
for (const c of badLocks) {
    (0, node_test_1.test)(`parseLock rejects ${c.name} with the key and a fix`, () => {
        strict_1.default.throws(() => (0, lock_js_1.parseLock)('img.lock.json', c.text), (e) => e instanceof errors_js_1.ConfigError && e.keyPath === c.key && e.fix !== undefined);
    });
}
