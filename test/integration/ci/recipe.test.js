"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The FEX CI recipe, run here: every `run:` step of
 * examples/ci/github-workflow.yml, in order, with bash in a temp workspace,
 * as GitHub's runner would — builder image (from the stand-in Fedora base),
 * the sysroot built inside it, extracted, and a cross-compile against it by
 * hand and through the toolchain file. What cannot exist here is swapped
 * through the workflow's own env: the base image (stand-in), the sysroot
 * definition (a stand-in over the loopback demo repository whose libc package
 * is Debian's amd64 libc rebuilt as an RPM). Every step runs (a step with an
 * `if:` false here would be skipped, as on a runner).
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const demo_repo_js_1 = require("../../helpers/demo-repo.js");
const test_repo_js_1 = require("../../helpers/test-repo.js");
const standin_base_js_1 = require("../../helpers/standin-base.js");
const standin_sysroot_js_1 = require("../../helpers/standin-sysroot.js");
const recipe_js_1 = require("../../helpers/recipe.js");
const builder_image_js_1 = require("./builder-image.js");
const WORKFLOW = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'examples', 'ci', 'github-workflow.yml');
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const req = (0, integration_js_1.integration)(...['podman', 'debootstrap', 'rpmbuild', 'createrepo_c', 'clang', 'ld.lld', 'cmake', 'make', 'jq', 'file'].map(integration_js_1.onPath), (0, integration_js_1.isRoot)());
function bash(script, cwd, env) {
    return new Promise((resolve) => {
        // GitHub runs `run:` with `bash -e {0}`.
        const c = (0, node_child_process_1.spawn)('bash', ['--noprofile', '--norc', '-e', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (d) => (out = (out + d.toString()).slice(-20000)));
        c.stderr.on('data', (d) => (out = (out + d.toString()).slice(-20000)));
        c.on('close', (status) => resolve({ status, out }));
    });
}
/** The one `if:` form the workflow uses: hashFiles('PATH') != '' (true when PATH exists in the workspace). */
function condition(expr, ws) {
    const m = /^hashFiles\('([^']+)'\) != ''$/.exec(expr.trim());
    if (!m?.[1])
        throw new Error(`the test does not know how to evaluate if: ${expr}`);
    return (0, node_fs_1.existsSync)((0, node_path_1.join)(ws, m[1]));
}
function elfMachine(file) {
    const fd = (0, node_fs_1.openSync)(file, 'r');
    try {
        const b = Buffer.alloc(20);
        (0, node_fs_1.readSync)(fd, b, 0, 20, 0);
        strict_1.default.equal(b.subarray(0, 4).toString('latin1'), '\x7fELF', `${file} is an ELF file`);
        return b.readUInt16LE(18);
    }
    finally {
        (0, node_fs_1.closeSync)(fd);
    }
}
(0, node_test_1.test)('the GitHub workflow\'s shell steps run here, down to the cross-compile against the fexpod sysroot (stand-in Fedora base and glibc packages)', { ...req, timeout: 40 * 60_000 }, async (t) => {
    const base = (0, standin_base_js_1.standinBase)((0, foreign_image_js_1.hostArch)());
    const ws = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-recipe-ws-'));
    const repoDir = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-recipe-repo-'));
    const image = `localhost/fexpod-recipe-test:${process.pid}`;
    const repo = (0, demo_repo_js_1.makeDemoRepo)(repoDir, (0, standin_sysroot_js_1.standinSysrootRpms)());
    const mirrors = await (0, test_repo_js_1.serveMirrors)(repo.dir, 1);
    try {
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(ws, 'defs'));
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(ws, 'defs', 'sysroot.toml'), (0, standin_sysroot_js_1.standinSysrootDefinition)('ci-sysroot'));
        const overrides = {
            FEXPOD_SRC: (0, integration_js_1.repoRoot)(),
            FEXPOD_IMAGE: image,
            FEXPOD_BASE: base.ref,
            BUILDER_FLAGS: (0, node_fs_1.existsSync)(CA_BUNDLE) ? `--secret id=ca-certificates,src=${CA_BUNDLE}` : '',
            SYSROOT_DEFINITION: 'defs/sysroot.toml',
            SYSROOT_NAME: 'ci-sysroot',
            SYSROOT_FLAGS: `--repo demo=${mirrors.mirrorUrl(0)}`,
        };
        const inherited = {};
        for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR'])
            if (process.env[k] !== undefined)
                inherited[k] = process.env[k] ?? '';
        const steps = (0, recipe_js_1.workflowRunSteps)(WORKFLOW);
        strict_1.default.ok(steps.length >= 4, 'the workflow has its run steps');
        let ran = 0;
        for (const step of steps) {
            for (const k of Object.keys(overrides))
                strict_1.default.ok(k in step.env, `the workflow's env has ${k}`);
            if (step.if !== undefined && !condition(step.if, ws)) {
                t.diagnostic(`not run here (if: ${step.if}): ${step.name}`);
                continue;
            }
            const t0 = Date.now();
            const r = await bash(step.run, ws, { ...inherited, ...step.env, ...overrides });
            strict_1.default.equal(r.status, 0, `step "${step.name}" failed:\n${r.out}`);
            t.diagnostic(`${step.name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
            ran++;
        }
        strict_1.default.equal(ran, steps.length, 'every step ran');
        strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(ws, 'sysroot', 'usr', 'include', 'stdio.h')));
        for (const b of ['out/hello/hello-clang', 'out/hello-build/hello'])
            strict_1.default.equal(elfMachine((0, node_path_1.join)(ws, b)), 62, `${b} is x86-64`);
        if ((0, foreign_image_js_1.hostArch)().name === 'x86_64') {
            const run = await bash('./out/hello/hello-clang && ./out/hello-build/hello', ws, inherited);
            strict_1.default.equal(run.out, 'built against the fexpod sysroot\n'.repeat(2));
        }
    }
    finally {
        (0, builder_image_js_1.podman)(['rmi', '-f', image]);
        await mirrors.close();
        (0, node_fs_1.rmSync)(ws, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(repoDir, { recursive: true, force: true });
    }
});
