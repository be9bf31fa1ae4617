"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * A lock edited by hand is refused when it is loaded, naming the lock file, the key path and
 * the fix: a source package (it would put its spec and sources into /), a package of an
 * architecture the definition does not allow, a repository whose gpgcheck or keys differ from
 * the definition's, a repository the definition does not have, a size no RPM can have.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const errors_js_1 = require("../../../src/common/errors.js");
const log_js_1 = require("../../../src/common/log.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const build_deps_js_1 = require("../../../src/builder/build-deps.js");
const resolve_js_1 = require("../../../src/builder/steps/resolve.js");
const lock_check_js_1 = require("../../../src/builder/lock/lock-check.js");
const lock_definition_js_1 = require("../../../src/builder/lock/lock-definition.js");
const lock_js_1 = require("../../../src/builder/lock/lock.js");
const integration_js_1 = require("../../helpers/integration.js");
const TOML = `name = "img"\nrelease = 42\narches = ["x86_64", "i686"]\npackages = ["glibc"]\n[repos.fedora]\nbaseurl = "http://127.0.0.1:9/f/"\ngpgkey = ["file:///keys/k.asc"]\n`;
const def = (0, definition_js_1.parseDefinition)('img.toml', TOML);
const pkg = (over = {}) => ({
    name: 'glibc', epoch: 0, version: '2.41', release: '1.fc42', arch: 'x86_64', sha256: '1'.repeat(64), size: 2_000_000,
    location: 'Packages/g/glibc-2.41-1.fc42.x86_64.rpm', repo: 'fedora', sourcerpm: 'glibc-2.41-1.fc42.src.rpm', ...over,
});
function lockWith(packages, repo = {}) {
    return {
        schemaVersion: 1,
        definition: { name: 'img', digest: def.digest, release: '42', arches: ['x86_64', 'i686'], weakDeps: false },
        repos: [{ id: 'fedora', repomd: `sha256:${'a'.repeat(64)}`, baseurls: ['http://127.0.0.1:9/f/'], gpgcheck: true, gpgkeys: ['file:///keys/k.asc'], ...repo }],
        packages,
    };
}
(0, node_test_1.test)('a lock as fexpod writes it passes (x86_64, i686 and its family, noarch)', () => {
    (0, lock_check_js_1.checkLockContent)('img.lock.json', lockWith([pkg(), pkg({ arch: 'i686' }), pkg({ name: 'tzdata', arch: 'noarch' }), pkg({ name: 'old', arch: 'i586' })]), def);
});
const refused = [
    { name: 'a source package (arch src)', lock: lockWith([pkg(), pkg({ name: 'empty', version: '0', release: '0', arch: 'src', location: 'empty-0-0.src.rpm', sourcerpm: null })]), key: 'packages.1', problem: /empty-0-0\.src is a source package \(empty-0-0\.src\.rpm\)/ },
    { name: 'a .src.rpm listed under a binary arch', lock: lockWith([pkg({ location: 'Packages/g/glibc-2.41-1.fc42.src.rpm' })]), key: 'packages.0', problem: /is a source package/ },
    { name: 'an arch the definition does not allow', lock: lockWith([pkg({ arch: 'aarch64' })]), key: 'packages.0.arch', problem: /glibc-2\.41-1\.fc42\.aarch64 is built for aarch64, which the definition's arches \(x86_64, i686\) do not allow/ },
    { name: 'gpgcheck turned off in the lock only', lock: lockWith([pkg()], { gpgcheck: false }), key: 'repos.0.gpgcheck', problem: /gpgcheck false, the definition says true/ },
    { name: 'other keys in the lock only', lock: lockWith([pkg()], { gpgkeys: ['https://evil.example/k.asc'] }), key: 'repos.0.gpgkeys', problem: /other keys/ },
    { name: 'a repository the definition does not have', lock: lockWith([pkg({ repo: 'other' })], { id: 'other' }), key: 'repos.0.id', problem: /repository other is not in the definition/ },
    { name: 'a 0-byte package', lock: lockWith([pkg({ size: 0 })]), key: 'packages.0.size', problem: /0 bytes: too small to be an RPM/ },
    { name: 'arches edited', lock: { ...lockWith([pkg()]), definition: { ...lockWith([]).definition, arches: ['x86_64', 'aarch64'] } }, key: 'definition.arches', problem: /definition\.arches|says/ },
];
for (const c of refused) {
    (0, node_test_1.test)(`refused: ${c.name}`, () => {
        strict_1.default.throws(() => (0, lock_check_js_1.checkLockContent)('img.lock.json', c.lock, def), (e) => {
            strict_1.default.ok(e instanceof errors_js_1.ConfigError, String(e));
            strict_1.default.equal(e.keyPath, c.key);
            strict_1.default.match(e.message, /^img\.lock\.json: /);
            strict_1.default.match(e.message, c.problem);
            strict_1.default.match(e.fix ?? '', /regenerate it with "fexpod lock img\.toml"/);
            return true;
        });
    });
}
(0, node_test_1.test)('--locked refuses a hand-edited lock before touching the network', async () => {
    await strict_1.default.rejects((0, lock_definition_js_1.checkLocked)('img.lock.json', lockWith([pkg({ arch: 'src', location: 'x.src.rpm' })]), def, undefined), errors_js_1.ConfigError);
});
(0, node_test_1.test)('fexpod build (no --locked): a hand-edited lock that still matches the digest is refused, not used or silently rewritten', async () => {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-lock-check-'));
    try {
        const defFile = (0, node_path_1.join)(dir, 'img.toml');
        (0, node_fs_1.writeFileSync)(defFile, TOML);
        const d = (0, definition_js_1.parseDefinition)(defFile, TOML);
        const lockFile = (0, node_path_1.join)(dir, 'img.lock.json');
        const text = (0, lock_js_1.serializeLock)({ ...lockWith([pkg(), pkg({ name: 'empty', arch: 'src', location: 'empty-0-0.src.rpm' })]), definition: { ...lockWith([]).definition, digest: d.digest } });
        (0, node_fs_1.writeFileSync)(lockFile, text);
        const repos = (0, build_deps_js_1.nodePackageRepos)({ env: {}, cacheDir: (0, node_path_1.join)(dir, 'cache'), log: log_js_1.silentLogger, progress: { stream: process.stderr, mode: 'quiet', now: Date.now } });
        const ctx = { definition: d, options: { lockFile, resolve: 'when-stale', offline: false, jobs: 1 }, deps: { log: log_js_1.silentLogger, repos } };
        await strict_1.default.rejects((0, resolve_js_1.resolve)(ctx), (e) => e instanceof Error && e.cause instanceof errors_js_1.ConfigError && e.cause.keyPath === 'packages.1' && e.message.startsWith(`resolving ${defFile}: ${lockFile}: `));
        strict_1.default.equal((0, node_fs_1.readFileSync)(lockFile, 'utf8'), text, 'the lock is left as it was');
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
});
(0, node_test_1.test)('the arch families equal the solver\'s (resolve.py ARCH_FAMILY)', () => {
    const py = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'src', 'builder', 'solv', 'resolve.py'), 'utf8');
    const block = /ARCH_FAMILY = \{([\s\S]*?)\n\}/.exec(py)?.[1] ?? '';
    const fromPy = {};
    for (const m of block.matchAll(/"([^"]+)": \[([^\]]*)\]/g))
        fromPy[m[1]] = [...m[2].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
    strict_1.default.deepEqual(fromPy, lock_check_js_1.RPM_ARCH_FAMILY);
});
