"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The build pipeline (build.ts) over its steps with stand-in repositories and
 * packages: the real resolve/fetch/extract/profile/layer/outputs steps run,
 * only the effects behind them (repository metadata, downloads, payload
 * extraction) are replaced, so the order of the steps, what travels between
 * them and the overlap of fetch and extract are what is tested.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const hash_js_1 = require("../../../src/common/hash.js");
const log_js_1 = require("../../../src/common/log.js");
const build_js_1 = require("../../../src/builder/build.js");
const build_context_js_1 = require("../../../src/builder/build-context.js");
const definition_js_1 = require("../../../src/builder/definition.js");
const rpm_files_js_1 = require("../../../src/builder/rpm/rpm-files.js");
const tree_js_1 = require("../../../src/builder/tree/tree.js");
const integration_js_1 = require("../../helpers/integration.js");
const m = { uid: 0, gid: 0, mtime: 50 };
const d = (path) => ({ path, type: 'dir', mode: 0o755, ...m });
const f = (path, body) => ({ path, type: 'file', mode: 0o644, ...m, content: (0, tree_js_1.bufferContent)(Buffer.from(body)) });
const BASE = `name = "base"\nrelease = 42\narches = ["x86_64"]\npackages = ["glibc"]\n[repos.r]\nbaseurl = "http://127.0.0.1:1/"\ngpgcheck = false\n`;
const OVERLAY = `name = "ovl"\nrelease = 42\narches = ["x86_64"]\nprofile = "overlay"\nbase = "base.toml"\npackages = ["mesa"]\n[repos.r]\nbaseurl = "http://127.0.0.1:1/"\ngpgcheck = false\n[outputs]\nformats = ["sbom"]\n`;
const TREES = {
    glibc: [d('etc'), f('etc/passwd', 'root'), d('usr'), d('usr/lib64'), f('usr/lib64/libc.so.6', 'libc')],
    mesa: [d('usr'), d('usr/lib64'), d('usr/lib64/dri'), f('usr/lib64/dri/iris_dri.so', 'iris')],
};
/** A stand-in for an extracted package: the tree's entries as RPM file records. */
function standinRpm(name) {
    const entries = TREES[name] ?? [];
    const content = new Map();
    const files = entries.map((e, index) => {
        if (e.content)
            content.set(index, e.content);
        return {
            index, path: `/${e.path}`, mode: (e.type === 'dir' ? rpm_files_js_1.S_IFDIR : rpm_files_js_1.S_IFREG) | e.mode, size: e.content?.size ?? 0, user: 'root', group: 'root',
            mtime: e.mtime, linkTo: '', flags: 0, digest: '', lang: '', caps: '', color: 0, rdev: 0, hardlinks: [],
        };
    });
    return { nevra: `${name}-1-1.x86_64`, name, arch: 'x86_64', header: { number: () => 1_700_000_000, string: () => undefined }, files, content };
}
const shaOf = (name) => (0, hash_js_1.sha256Hex)(name);
function standinLock(def) {
    return {
        schemaVersion: 1,
        definition: { name: def.name, digest: def.digest, release: def.release, arches: [...def.arches], weakDeps: true },
        repos: [{ id: 'r', repomd: `sha256:${'0'.repeat(64)}`, baseurls: ['http://127.0.0.1:1/'], gpgcheck: false, gpgkeys: [] }],
        packages: def.packages.map((name) => ({ name, epoch: 0, version: '1', release: '1', arch: 'x86_64', sha256: shaOf(name), size: 100_000, location: `${name}.rpm`, repo: 'r', sourcerpm: null })),
    };
}
function standinDeps(calls, fetch, events) {
    return {
        runner: { run: async () => ({ stdout: '', stderr: '' }) },
        privileged: true,
        pageSize: 4096,
        env: {},
        log: log_js_1.silentLogger,
        toolVersion: 'test',
        repos: {
            cacheDir: '/nonexistent',
            lock: async (def) => {
                calls.push(`resolve ${def.name}: ${def.packages.join(' ')}`);
                return standinLock(def);
            },
            check: async () => { },
            fetch: fetch ?? (async (lock) => new Map(lock.packages.map((p) => [p.sha256, p.name]))),
        },
        extraction: {
            stats: { extracted: 0, reused: 0 },
            extract: async (path) => {
                events?.push(`extracting ${path}`);
                return standinRpm(path);
            },
        },
        ldSoCache: (entries) => Buffer.from(`cache:${entries.filter((e) => e.path.endsWith('.so.6') || e.path.endsWith('.so')).length}`),
    };
}
async function withDefinitions(files, fn) {
    const dir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-unit-build-'));
    try {
        for (const [name, text] of Object.entries(files))
            (0, node_fs_1.writeFileSync)((0, node_path_1.join)(dir, name), text);
        return await fn(dir);
    }
    finally {
        (0, node_fs_1.rmSync)(dir, { recursive: true, force: true });
    }
}
async function runBuild(req, deps) {
    const load = async (file) => (0, definition_js_1.parseDefinition)(file, (0, node_fs_1.readFileSync)(file, 'utf8'));
    return (0, build_js_1.build)(await (0, build_context_js_1.buildContext)(req, load, deps));
}
(0, node_test_1.test)('overlay pipeline: the base is installed and profiled, base + overlay packages installed together, only the difference is kept', async () => {
    await withDefinitions({ 'base.toml': BASE, 'ovl.toml': OVERLAY }, async (dir) => {
        const out = (0, node_path_1.join)(dir, 'out');
        const calls = [];
        const { result: r } = await runBuild({ definitionFile: (0, node_path_1.join)(dir, 'ovl.toml'), outDir: out, rebuild: true }, standinDeps(calls));
        strict_1.default.deepEqual(calls, ['resolve base: glibc', 'resolve ovl: glibc mesa']);
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(dir).filter((x) => x.endsWith('.lock.json')).sort(), ['base.lock.json', 'ovl.lock.json'], 'each definition has its own lock');
        strict_1.default.equal(r.sourceDateEpoch, 1_700_000_000, 'default epoch: newest package build time');
        strict_1.default.equal(r.entries, 6, 'usr, usr/lib64, usr/lib64/dri, iris_dri.so, etc, etc/ld.so.cache');
        const sbom = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(out, 'ovl.spdx.json'), 'utf8'));
        strict_1.default.deepEqual(sbom.packages.map((p) => p.name), ['ovl', 'glibc', 'mesa']);
        strict_1.default.deepEqual((0, node_fs_1.readdirSync)(out), ['ovl.spdx.json'], 'only the requested output, no temp leftovers');
    });
});
(0, node_test_1.test)('--format overrides the definition and SOURCE_DATE_EPOCH is passed through', async () => {
    await withDefinitions({ 'base.toml': BASE }, async (dir) => {
        const out = (0, node_path_1.join)(dir, 'out');
        const { result: r } = await runBuild({ definitionFile: (0, node_path_1.join)(dir, 'base.toml'), outDir: out, formats: ['sbom'], sourceDateEpoch: 42 }, standinDeps([]));
        strict_1.default.equal(r.sourceDateEpoch, 42);
        const sbom = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(out, 'base.spdx.json'), 'utf8'));
        strict_1.default.equal(sbom.creationInfo.created, '1970-01-01T00:00:42Z');
    });
});
(0, node_test_1.test)('a second identical build reuses the recorded outputs without fetching; a matching lock is not resolved again', async () => {
    await withDefinitions({ 'base.toml': BASE }, async (dir) => {
        const out = (0, node_path_1.join)(dir, 'out');
        const calls = [];
        const fetched = [];
        const deps = standinDeps(calls, async (lock) => {
            fetched.push(lock.definition.name);
            return new Map(lock.packages.map((p) => [p.sha256, p.name]));
        });
        const req = { definitionFile: (0, node_path_1.join)(dir, 'base.toml'), outDir: out, formats: ['sbom'] };
        const first = await runBuild(req, deps);
        const second = await runBuild(req, deps);
        strict_1.default.deepEqual(calls, ['resolve base: glibc'], 'the lock written by the first build is used by the second');
        strict_1.default.deepEqual(fetched, ['base'], 'nothing fetched the second time');
        strict_1.default.equal(second.result.reused, true);
        strict_1.default.equal(second.result.manifestDigest, first.result.manifestDigest);
    });
});
for (const file of (0, node_fs_1.readdirSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'images')).filter((x) => x.endsWith('.toml')).sort()) {
    (0, node_test_1.test)(`shipped definition images/${file} parses, with its profile and output options`, () => {
        const path = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'images', file);
        const def = (0, definition_js_1.parseDefinition)(path, (0, node_fs_1.readFileSync)(path, 'utf8'));
        const kind = def.profile.kind;
        if (kind === 'rootfs' && file.startsWith('fex-rootfs')) {
            strict_1.default.equal(def.outputs.options.erofs_name, 'default.erofs');
            strict_1.default.deepEqual(def.arches, ['x86_64', 'i686']);
            strict_1.default.ok(def.outputs.formats.includes('erofs'));
        }
        if (kind === 'sysroot')
            for (const p of ['glibc-devel', 'libstdc++', 'libstdc++-devel', 'kernel-headers'])
                strict_1.default.ok(def.packages.includes(p), p);
        if (kind === 'overlay')
            strict_1.default.equal(def.base, 'fex-rootfs-fedora.toml');
    });
}
const fetchCases = [
    {
        name: 'extraction starts on each package as soon as fetch reports it verified, before the whole fetch ends',
        fail: false,
    },
    {
        name: 'a fetch failure fails the build with the fetch error; the packages never reported are never extracted',
        fail: true,
    },
];
for (const c of fetchCases) {
    (0, node_test_1.test)(`fetch ∥ extract: ${c.name}`, async () => {
        await withDefinitions({ 'base.toml': BASE.replace('["glibc"]', '["glibc", "mesa"]') }, async (dir) => {
            const events = [];
            const fetch = async (lock, _def, opts) => {
                const [first] = lock.packages;
                opts.onVerified?.(first?.sha256 ?? '', first?.name ?? '');
                events.push('fetched 0');
                await new Promise((r) => setTimeout(r, 20));
                if (c.fail)
                    throw new Error('HTTP 500 for mesa');
                events.push('fetched 1');
                return new Map(lock.packages.map((p) => [p.sha256, p.name]));
            };
            const run = runBuild({ definitionFile: (0, node_path_1.join)(dir, 'base.toml'), outDir: (0, node_path_1.join)(dir, 'out'), formats: ['sbom'] }, standinDeps([], fetch, events));
            if (c.fail) {
                await strict_1.default.rejects(run, /fetching the packages of base: HTTP 500 for mesa/);
                strict_1.default.deepEqual(events, ['fetched 0', 'extracting glibc']);
            }
            else {
                await run;
                strict_1.default.deepEqual(events, ['fetched 0', 'extracting glibc', 'fetched 1', 'extracting mesa']);
            }
        });
    });
}
