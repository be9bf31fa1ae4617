"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The repository trust chain beyond sha256 (docs/lock.md "What is verified"):
 *   - metadata checksums: createrepo_c --repomd-checksum sha1/sha224/sha384/sha512 repositories
 *     lock to what dnf resolves on them; md5 is refused;
 *   - repo_gpgcheck: repomd.xml signed with gpg --detach-sign --armor (a throwaway key) is
 *     verified against the repository's keys before it is read; missing, foreign and broken
 *     signatures are refused with their own fix; a mirror with altered metadata is skipped.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const node_util_1 = require("node:util");
const errors_js_1 = require("../../../src/common/errors.js");
const log_js_1 = require("../../../src/common/log.js");
const cache_js_1 = require("../../../src/builder/fetch/cache.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const http_js_1 = require("../../../src/builder/fetch/http.js");
const keys_js_1 = require("../../../src/builder/fetch/keys.js");
const lock_definition_js_1 = require("../../../src/builder/lock/lock-definition.js");
const solver_js_1 = require("../../../src/builder/lock/solver.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const integration_js_1 = require("../../helpers/integration.js");
const exec = (0, node_util_1.promisify)(node_child_process_1.execFile);
const req = (0, integration_js_1.integration)((0, integration_js_1.onPath)('rpmbuild'), (0, integration_js_1.onPath)('rpmsign'), (0, integration_js_1.onPath)('createrepo_c'), (0, integration_js_1.onPath)('dnf'), (0, integration_js_1.onPath)('gpg'), (0, integration_js_1.onPath)('gpgconf'), (0, integration_js_1.fileExists)('/usr/bin/python3'));
const work = (0, test_repo_js_1.tempDir)('trust-it');
const BASE = ['glibc', 'setup', 'filesystem', 'basesystem'];
const small = (n) => n.startsWith('glibc') || ['setup', 'filesystem', 'basesystem', 'filesystem-content'].includes(n);
let signed;
let repomdKey;
let otherKey;
(0, node_test_1.before)(() => {
    if (req.skip)
        return;
    signed = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'signed'), { only: small });
    repomdKey = (0, test_repo_js_1.signRepomd)(signed.dir);
    // A second key that signs nothing of this repository.
    const scratch = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'scratch'), { only: (n) => n === 'setup' });
    otherKey = (0, test_repo_js_1.signRepomd)(scratch.dir, 'another key');
});
(0, node_test_1.after)(() => (0, node_fs_1.rmSync)(work, { recursive: true, force: true }));
function definition(baseurl, keys, repoGpgcheck) {
    return `name = "t"\nrelease = 29\narches = ["x86_64"]\npackages = ${JSON.stringify(BASE)}\n[repos.r]\nbaseurl = "${baseurl}"\ngpgkey = ${JSON.stringify(keys.map((k) => `file://${k}`))}\nrepo_gpgcheck = ${repoGpgcheck}\n`;
}
async function lock(text, cache = 'cache') {
    const http = (0, http_js_1.nodeHttpClient)();
    return (0, lock_definition_js_1.lockDefinition)((0, definition_js_1.parseDefinition)('t.toml', text), { http, cache: new cache_js_1.BlobCache((0, node_path_1.join)(work, cache)), log: log_js_1.silentLogger, runSolver: (0, solver_js_1.pythonSolverRunner)(), keys: (0, keys_js_1.nodeKeyDeps)(http) });
}
for (const alg of ['sha1', 'sha224', 'sha384', 'sha512']) {
    (0, node_test_1.test)(`metadata with ${alg} checksums is accepted, and locks to what dnf resolves`, req, async () => {
        const repo = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, alg), { only: small, createrepoArgs: ['--repomd-checksum', alg] });
        strict_1.default.match((0, node_fs_1.readFileSync)((0, node_path_1.join)(repo.dir, 'repodata', 'repomd.xml'), 'utf8'), new RegExp(`<checksum type="${alg}">`));
        const { lock: l } = await lock(definition(`file://${repo.dir}/`, [repo.keyFile], false), `cache-${alg}`);
        const oracle = (0, test_repo_js_1.dnfResolve)({ repoUrl: `file://${repo.dir}`, packages: BASE, multilib: false }).packages;
        strict_1.default.deepEqual(l.packages.map((p) => `${p.name}.${p.arch}`).sort(), oracle);
    });
}
(0, node_test_1.test)('md5 metadata checksums are refused with a clear error', req, async () => {
    const repo = (0, test_repo_js_1.makeTestRepo)((0, node_path_1.join)(work, 'md5'), { only: small, createrepoArgs: ['--repomd-checksum', 'md5'] });
    await strict_1.default.rejects(lock(definition(`file://${repo.dir}/`, [repo.keyFile], false), 'cache-md5'), (e) => {
        strict_1.default.ok(e instanceof errors_js_1.FexpodError, String(e));
        strict_1.default.equal(e.message, 'repository r: primary metadata is protected only by an md5 checksum, which fexpod refuses (md5 collisions are cheap to make)');
        strict_1.default.match(e.fix ?? '', /createrepo_c --checksum sha256/);
        return true;
    });
});
(0, node_test_1.test)('repo_gpgcheck: a repomd.xml signed by a key of the repository is accepted', req, async () => {
    const { lock: l } = await lock(definition(`file://${signed.dir}/`, [signed.keyFile, repomdKey.keyFile], true));
    strict_1.default.ok(l.packages.length >= 5);
});
const refusals = [
    {
        name: 'no repomd.xml.asc',
        setup: (dir) => (0, node_fs_1.rmSync)((0, node_path_1.join)(dir, 'repodata', 'repomd.xml.asc')),
        keys: () => [signed.keyFile, repomdKey.keyFile],
        msg: 'repo_gpgcheck is on, but the mirror has no repodata/repomd.xml.asc (HTTP 404): repomd.xml is not signed',
        fix: /set repo_gpgcheck = false for this repository if it does not sign its metadata/,
    },
    {
        name: 'a signature by a key the repository does not list',
        setup: () => { },
        keys: () => [signed.keyFile, otherKey.keyFile],
        msg: `repomd.xml is signed with key ID ${'KEY'}, which is not among the repository's keys`,
        fix: /list the key that signs the repository's metadata in its gpgkey/,
    },
    {
        name: 'repomd.xml altered after signing',
        setup: (dir) => (0, node_fs_1.appendFileSync)((0, node_path_1.join)(dir, 'repodata', 'repomd.xml'), '<!-- altered -->\n'),
        keys: () => [signed.keyFile, repomdKey.keyFile],
        msg: 'repomd.xml does not match its signature',
        fix: /try another mirror/,
    },
];
for (const c of refusals) {
    (0, node_test_1.test)(`repo_gpgcheck refuses ${c.name}, naming the mirror, with the fix`, req, async () => {
        const dir = (0, node_path_1.join)(work, `refuse-${refusals.indexOf(c)}`);
        (0, node_fs_1.mkdirSync)(dir, { recursive: true });
        (0, node_fs_1.cpSync)(signed.dir, dir, { recursive: true });
        c.setup(dir);
        await strict_1.default.rejects(lock(definition(`file://${dir}/`, c.keys(), true), `cache-refuse-${refusals.indexOf(c)}`), (e) => {
            strict_1.default.ok(e instanceof errors_js_1.FexpodError, String(e));
            strict_1.default.ok(e.message.startsWith(`repository r: no mirror served a usable repomd.xml:\n  file://${dir}/repodata/repomd.xml: `), e.message);
            strict_1.default.ok(e.message.includes(c.msg.replace('KEY', repomdKey.keyId)), e.message);
            strict_1.default.match(e.fix ?? '', c.fix);
            return true;
        });
    });
}
(0, node_test_1.test)('repo_gpgcheck: a mirror serving altered metadata is skipped for the next, whose signature verifies', req, async () => {
    const mirrors = await (0, test_repo_js_1.serveMirrors)(signed.dir, 2);
    try {
        mirrors.faults.set(0, [{ match: /^repodata\/repomd\.xml$/, corrupt: true }]);
        const { lock: l } = await lock(definition(mirrors.mirrorUrl(0), [signed.keyFile, repomdKey.keyFile], true).replace(`baseurl = "${mirrors.mirrorUrl(0)}"`, `baseurl = ["${mirrors.mirrorUrl(0)}", "${mirrors.mirrorUrl(1)}"]`), 'cache-mirrors');
        strict_1.default.ok(l.packages.length >= 5);
        const asc = mirrors.requests.filter((r) => r.path.endsWith('repomd.xml.asc')).map((r) => r.mirror);
        strict_1.default.deepEqual(asc, [0, 1], 'the signature is fetched from the mirror that served repomd.xml');
        strict_1.default.equal(l.repos[0]?.baseurls[0], mirrors.mirrorUrl(1), 'the verified mirror is used first');
    }
    finally {
        await mirrors.close();
    }
});
(0, node_test_1.test)('fexpod lock (the CLI) checks repo_gpgcheck with the keys of the definition', req, async () => {
    const dir = (0, node_path_1.join)(work, 'cli');
    (0, node_fs_1.mkdirSync)(dir, { recursive: true });
    const file = (0, node_path_1.join)(dir, 'img.toml');
    const run = async (text) => {
        (0, node_fs_1.writeFileSync)(file, text);
        try {
            await exec(process.execPath, [(0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'dist', 'src', 'cli.js'), 'lock', file, '--cache-dir', (0, node_path_1.join)(dir, 'cache')]);
            return { code: 0, stderr: '' };
        }
        catch (err) {
            const e = err;
            return { code: e.code ?? -1, stderr: e.stderr ?? '' };
        }
    };
    const good = await run(definition(`file://${signed.dir}/`, [signed.keyFile, repomdKey.keyFile], true));
    strict_1.default.equal(good.code, 0, good.stderr);
    const bad = await run(definition(`file://${signed.dir}/`, [signed.keyFile], true));
    strict_1.default.equal(bad.code, 1, bad.stderr);
    strict_1.default.match(bad.stderr, new RegExp(`repomd.xml is signed with key ID ${repomdKey.keyId}, which is not among the repository's keys`));
    strict_1.default.match(bad.stderr, /fix: list the key that signs the repository's metadata in its gpgkey/);
});
