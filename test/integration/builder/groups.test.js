"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `@group` entries in a definition's packages, against the real tools:
 *   - dnf (the oracle) resolves `dnf install @group` on the same loopback repositories, built
 *     with createrepo_c -g from test/fixtures/comps (group + group_gz, and group_zst / plain group
 *     variants); dnf is given the comps as pungi publishes them (arch-filtered with libcomps),
 *     fexpod the unfiltered source, as a repository made from fedora-comps would carry it;
 *   - python3-libcomps (dnf's comps library) reads Fedora 41's real comps: every group and
 *     environment fexpod reads from it, after the arch filter, must be what libcomps reads.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const log_js_1 = require("../../../src/common/log.js");
const cache_js_1 = require("../../../src/builder/fetch/cache.js");
const comps_js_1 = require("../../../src/builder/repo/comps.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const groups_js_1 = require("../../../src/builder/repo/groups.js");
const http_js_1 = require("../../../src/builder/fetch/http.js");
const lock_definition_js_1 = require("../../../src/builder/lock/lock-definition.js");
const solver_js_1 = require("../../../src/builder/lock/solver.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpmsign'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('zstd'), (0, integration_js_1.onPath)('dnf'), (0, integration_js_1.onPath)('gpg'), (0, integration_js_1.fileExists)('/usr/bin/python3'));
const work = (0, test_repo_js_1.tempDir)('groups-it');
const COMPS = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'comps');
const dirs = {};
/** What pungi publishes: the comps filtered to one arch by libcomps (dnf's comps library). */
function pungiFilter(src, arch, out) {
    (0, node_child_process_1.execFileSync)('/usr/bin/python3', ['-c', 'import sys, libcomps\nc = libcomps.Comps()\nc.fromxml_f(sys.argv[1])\nc.arch_filter([sys.argv[2]]).xml_f(sys.argv[3])', src, arch, out]);
    return out;
}
/** Drops one <data> entry from repomd.xml (a repository that publishes only the plain comps). */
function dropRepomdData(repoDir, type) {
    const p = (0, node_path_1.join)(repoDir, 'repodata', 'repomd.xml');
    (0, node_fs_1.writeFileSync)(p, (0, node_fs_1.readFileSync)(p, 'utf8').replace(new RegExp(`\\s*<data type="${type}">[\\s\\S]*?</data>`), ''));
}
(0, node_test_1.before)(() => {
    if (req.skip)
        return;
    const test = (0, node_path_1.join)(COMPS, 'comps-test.xml');
    const extra = (0, node_path_1.join)(COMPS, 'comps-test-extra.xml');
    dirs['gz'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'gz'), { comps: test }).dir;
    dirs['zst'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'zst'), { comps: test, compression: 'zst' }).dir;
    dirs['plain'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'plain'), { comps: test }).dir;
    dropRepomdData(dirs['plain'], 'group_gz');
    dirs['extra'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'extra'), { comps: extra, only: (n) => ['ninja-build', 'yum', 'abcde', 'wget'].includes(n) }).dir;
    dirs['none'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'none'), { only: (n) => n === 'dwm' }).dir;
    dirs['oracle'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'oracle'), { comps: pungiFilter(test, 'x86_64', (0, node_path_1.join)(work, 'comps-x86_64.xml')) }).dir;
    dirs['oracle-extra'] = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'oracle-extra'), { comps: pungiFilter(extra, 'x86_64', (0, node_path_1.join)(work, 'extra-x86_64.xml')), only: (n) => ['ninja-build', 'yum', 'abcde', 'wget'].includes(n) }).dir;
});
(0, node_test_1.after)(() => (0, node_fs_1.rmSync)(work, { recursive: true, force: true }));
async function fexpodLock(repos, arches, packages) {
    const def = (0, definition_js_1.parseDefinition)('t.toml', `name = "t"\nrelease = 29\narches = ${JSON.stringify(arches)}\npackages = ${JSON.stringify(packages)}\n` +
        repos.map((r) => `[repos.${r}]\nbaseurl = "file://${dirs[r]}/"\ngpgcheck = false\n`).join(''));
    const log = (0, log_js_1.memoryLogger)();
    const { lock } = await (0, lock_definition_js_1.lockDefinition)(def, { http: (0, http_js_1.nodeHttpClient)(), cache: new cache_js_1.BlobCache((0, node_path_1.join)(work, 'cache')), log, runSolver: (0, solver_js_1.pythonSolverRunner)() });
    return { lock, log, names: lock.packages.map((p) => `${p.name}.${p.arch}`).sort() };
}
const cases = [
    { name: '@core, x86_64 alone, group_gz metadata', repos: ['gz'], oracle: ['oracle'], arches: ['x86_64'], packages: ['@core'] },
    { name: '@core, x86_64 + i686 multilib (basearchonly wget stays x86_64), group_zst metadata', repos: ['zst'], oracle: ['oracle'], arches: ['x86_64', 'i686'], packages: ['@core'] },
    { name: 'an environment and a package, plain group metadata', repos: ['plain'], oracle: ['oracle'], arches: ['x86_64'], packages: ['@minimal-environment', 'flac'] },
    { name: 'groups of two repositories merge (a group redefined, another added)', repos: ['gz', 'extra'], oracle: ['oracle', 'oracle-extra'], arches: ['x86_64'], packages: ['@audio', '@build'] },
    { name: 'merged groups, multilib, by name and by glob', repos: ['gz', 'extra'], oracle: ['oracle', 'oracle-extra'], arches: ['x86_64', 'i686'], packages: ['@Core', '@aud*'] },
];
for (const c of cases) {
    (0, node_test_1.test)(`groups resolve exactly as dnf install does: ${c.name}`, req, async () => {
        const ours = await fexpodLock(c.repos, c.arches, c.packages);
        const [first, ...more] = c.oracle.map((r) => `file://${dirs[r]}`);
        const oracle = (0, test_repo_js_1.dnfResolve)({ repoUrl: first, moreRepoUrls: more, packages: c.packages, multilib: c.arches.length > 1 }).packages;
        strict_1.default.deepEqual(ours.names, oracle);
        strict_1.default.ok(ours.names.length >= 4);
    });
}
(0, node_test_1.test)('the lock records which group gave which package; dnf\'s warnings are passed on', req, async () => {
    const { lock, log, names } = await fexpodLock(['gz'], ['x86_64'], ['@core', 'flac']);
    strict_1.default.ok(names.includes('flac.x86_64'));
    strict_1.default.deepEqual(lock.groups, [{ spec: '@core', groups: ['core'], packages: ['basesystem', 'filesystem', 'glibc', 'http-parser', 'lame', 'setup', 'wget'] }]);
    strict_1.default.ok(!names.includes('kernel.x86_64'), 'optional packages are not installed');
    strict_1.default.ok(!names.includes('nodejs-docs.noarch'), 'a conditional package whose condition is not installed is not');
    strict_1.default.ok(!names.includes('dwm.x86_64'), 'an aarch64-only group package is not installed for x86_64');
    strict_1.default.ok(log.lines.some((l) => l.includes('No match for group package "no-such-package"')), log.lines.join('\n'));
});
(0, node_test_1.test)('an unknown group: a clear error naming the group and the repositories searched', req, async () => {
    await strict_1.default.rejects(fexpodLock(['gz', 'none'], ['x86_64'], ['glibc', '@x86-emulation']), (e) => {
        strict_1.default.ok(e instanceof groups_js_1.UnknownGroupError, String(e));
        strict_1.default.equal(e.message, 'no group or environment matches "@x86-emulation" in the comps of repositories gz, none (none has no group metadata)');
        strict_1.default.equal(e.exitCode, 3);
        return true;
    });
});
const LIBCOMPS_DUMP = `
import json, sys, libcomps
c = libcomps.Comps()
c.fromxml_f(sys.argv[1])
f = c.arch_filter([sys.argv[2]])
types = {0: "default", 1: "optional", 2: "conditional", 3: "mandatory"}
json.dump({
  "groups": {g.id: [[p.name, types.get(p.type, "unknown"), p.requires or "", bool(p.basearchonly)] for p in g.packages] for g in f.groups},
  "environments": {e.id: [[x.name for x in e.group_ids], [x.name for x in e.option_ids]] for e in f.environments},
}, sys.stdout)
`;
for (const arch of ['x86_64', 'aarch64']) {
    (0, node_test_1.test)(`Fedora 41's real comps read as libcomps reads them (${arch}): every group and environment`, req, () => {
        // fedora-comps' source marks translatable names as _name; its build makes them <name>.
        const file = (0, node_path_1.join)(work, `comps-f41-${arch}.xml`);
        (0, node_fs_1.writeFileSync)(file, (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.corpusDir)(), 'comps-f41.xml.in'), 'utf8').replace(/<(\/?)_(name|description)>/g, '<$1$2>'));
        const oracle = JSON.parse((0, node_child_process_1.execFileSync)('/usr/bin/python3', ['-c', LIBCOMPS_DUMP, file, arch], { maxBuffer: 64 << 20 }).toString());
        const ours = (0, comps_js_1.archFilter)((0, comps_js_1.parseComps)((0, node_fs_1.readFileSync)(file, 'utf8'), file), arch);
        const mine = {
            groups: Object.fromEntries(ours.groups.map((g) => [g.id, g.packages.map((p) => [p.name, p.type, p.requires ?? '', p.basearchonly])])),
            environments: Object.fromEntries(ours.environments.map((e) => [e.id, [e.groups.map((x) => x.id), e.options.map((x) => x.id)]])),
        };
        strict_1.default.deepEqual(mine, oracle);
        strict_1.default.ok(ours.groups.length > 100 && ours.environments.length > 10);
    });
}
