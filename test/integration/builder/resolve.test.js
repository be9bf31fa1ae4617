"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * fexpod's libsolv resolution against dnf (the oracle) on the same loopback repository, built
 * from the corpus dnf-ci-fedora specs and served behind a metalink.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const cache_js_1 = require("../../../src/builder/fetch/cache.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const http_js_1 = require("../../../src/builder/fetch/http.js");
const lock_definition_js_1 = require("../../../src/builder/lock/lock-definition.js");
const solver_js_1 = require("../../../src/builder/lock/solver.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpmsign'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('zstd'), (0, integration_js_1.onPath)('xz'), (0, integration_js_1.onPath)('bzip2'), (0, integration_js_1.onPath)('dnf'), (0, integration_js_1.onPath)('gpg'), (0, integration_js_1.fileExists)('/usr/bin/python3'));
const repos = new Map();
const work = (0, test_repo_js_1.tempDir)('resolve-it');
(0, node_test_1.before)(async () => {
    if (req.skip)
        return;
    for (const c of ['zst', 'gz', 'xz', 'bz2']) {
        const repo = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, c), { compression: c });
        repos.set(c, { repo, mirrors: await (0, test_repo_js_1.serveMirrors)(repo.dir, 2) });
    }
});
(0, node_test_1.after)(async () => {
    for (const r of repos.values())
        await r.mirrors.close();
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
});
function definition(metalink, keyFile, arches, packages, weakDeps = false, excludes = []) {
    return `name = "t"
release = 29
weak_deps = ${weakDeps}
excludes = ${JSON.stringify(excludes)}
arches = ${JSON.stringify(arches)}
packages = ${JSON.stringify(packages)}
[repos.fedora]
metalink = "${metalink}"
gpgkey = ["file://${keyFile}"]
`;
}
async function fexpodResolve(c, arches, packages, weakDeps = false, excludes = []) {
    const { repo, mirrors } = repos.get(c);
    const def = (0, definition_js_1.parseDefinition)('t.toml', definition(mirrors.metalinkUrl, repo.keyFile, arches, packages, weakDeps, excludes));
    const { lock } = await (0, lock_definition_js_1.lockDefinition)(def, {
        http: (0, http_js_1.nodeHttpClient)(),
        cache: new cache_js_1.BlobCache((0, node_path_1.join)(work, `cache-${c}`)),
        log: log_js_1.silentLogger,
        runSolver: (0, solver_js_1.pythonSolverRunner)(),
    });
    return lock.packages.map((p) => `${p.name}.${p.arch}`).sort();
}
const BASE = ['glibc', 'setup', 'filesystem', 'basesystem'];
const cases = [
    { name: 'x86_64 alone, zst metadata', c: 'zst', arches: ['x86_64'], packages: BASE },
    { name: 'x86_64 + i686 multilib, zst metadata', c: 'zst', arches: ['x86_64', 'i686'], packages: BASE },
    { name: 'x86_64 alone, gz metadata', c: 'gz', arches: ['x86_64'], packages: BASE },
    { name: 'x86_64 + i686 multilib, gz metadata', c: 'gz', arches: ['x86_64', 'i686'], packages: BASE },
    { name: 'x86_64 + i686, more packages, xz metadata', c: 'xz', arches: ['x86_64', 'i686'], packages: [...BASE, 'flac', 'lame', 'http-parser'] },
    { name: 'x86_64 alone, more packages, bz2 metadata', c: 'bz2', arches: ['x86_64'], packages: [...BASE, 'flac', 'lame', 'wget'] },
    { name: 'weak dependencies on (abcde recommends flac)', c: 'gz', arches: ['x86_64'], packages: [...BASE, 'abcde'], weakDeps: true },
    { name: 'weak dependencies off', c: 'gz', arches: ['x86_64'], packages: [...BASE, 'abcde'], weakDeps: false },
    { name: 'excludes (glibc-all-langpacks hidden: a single langpack provides glibc-langpack)', c: 'zst', arches: ['x86_64', 'i686'], packages: BASE, excludes: ['glibc-all-langpacks'] },
];
for (const c of cases) {
    (0, node_test_1.test)(`resolves exactly as dnf does: ${c.name}`, req, async () => {
        const weak = 'weakDeps' in c ? c.weakDeps : false;
        const excludes = 'excludes' in c ? c.excludes : [];
        const ours = await fexpodResolve(c.c, [...c.arches], [...c.packages], weak, excludes);
        // dnf reads the same files directly (this process serves the HTTP mirrors, so no sync call to them).
        const oracle = (0, test_repo_js_1.dnfResolve)({ repoUrl: `file://${repos.get(c.c).repo.dir}`, packages: c.packages, multilib: c.arches.length > 1, weakDeps: weak, excludes }).packages;
        if ('weakDeps' in c)
            strict_1.default.equal(ours.includes('flac.x86_64'), weak);
        strict_1.default.deepEqual(ours, oracle);
        strict_1.default.ok(ours.length >= 6);
    });
}
(0, node_test_1.test)('unresolvable request: names what is missing and who required it', req, async () => {
    await strict_1.default.rejects(fexpodResolve('zst', ['x86_64'], ['glibc-devel']), (e) => {
        strict_1.default.ok(e instanceof solver_js_1.ResolveError);
        strict_1.default.match(e.message, /nothing provides libgcc\(x86-64\) \(required by glibc-devel-2\.28-9\.fc29\.x86_64\)/);
        strict_1.default.equal(e.exitCode, 3);
        return true;
    });
});
(0, node_test_1.test)('unknown package name: says no package provides it', req, async () => {
    await strict_1.default.rejects(fexpodResolve('zst', ['x86_64'], ['glibc', 'no-such-package']), (e) => {
        return e instanceof solver_js_1.ResolveError && /no package provides no-such-package/.test(e.message);
    });
});
