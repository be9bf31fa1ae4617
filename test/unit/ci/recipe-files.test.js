"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * The CI recipe files (examples/ci/*.yml, docs/ci.md) are checked against the
 * real CLI: well-formed YAML, the structure each CI system needs, and every
 * `fexpod` command and flag they use exists (in COMMANDS and in that command's
 * --help). A renamed flag breaks this test, not a user's pipeline.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const yaml_1 = require("yaml");
const cli_js_1 = require("../../../src/cli.js");
const integration_js_1 = require("../../helpers/integration.js");
const recipe_js_1 = require("../../helpers/recipe.js");
const root = (0, integration_js_1.repoRoot)();
const WORKFLOW = (0, node_path_1.join)(root, 'examples', 'ci', 'github-workflow.yml');
const TEKTON = (0, node_path_1.join)(root, 'examples', 'ci', 'tekton-task.yml');
const DOC = (0, node_path_1.join)(root, 'docs', 'ci.md');
function yamlOf(file) {
    const doc = (0, yaml_1.parseDocument)((0, node_fs_1.readFileSync)(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
    strict_1.default.deepEqual(doc.errors.map((e) => e.message), [], `${file} is not well-formed YAML`);
    strict_1.default.deepEqual(doc.warnings.map((e) => e.message), [], `${file}: YAML warnings`);
    const v = doc.toJS();
    strict_1.default.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${file}: a mapping at the top`);
    return v;
}
function tektonScripts() {
    const task = yamlOf(TEKTON);
    return task.spec.steps.map((s) => s.script);
}
function docBlocks() {
    return [...(0, node_fs_1.readFileSync)(DOC, 'utf8').matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}
(0, node_test_1.test)('the GitHub workflow is a well-formed workflow: triggers, a runner, each step uses or runs', () => {
    const wf = yamlOf(WORKFLOW);
    strict_1.default.ok(wf.on, 'on:');
    const jobs = Object.entries(wf.jobs ?? {});
    strict_1.default.ok(jobs.length > 0, 'jobs:');
    for (const [id, job] of jobs) {
        strict_1.default.equal(typeof job['runs-on'], 'string', `${id}: runs-on`);
        const names = new Set();
        for (const step of job.steps ?? []) {
            strict_1.default.equal(typeof step['name'], 'string', `${id}: every step has a name`);
            strict_1.default.ok(!names.has(String(step['name'])), `${id}: step names are unique`);
            names.add(String(step['name']));
            strict_1.default.ok(('uses' in step) !== ('run' in step), `${id}/${String(step['name'])}: exactly one of uses/run`);
        }
    }
});
(0, node_test_1.test)('the workflow\'s scripts use only environment variables it defines (or GitHub\'s)', () => {
    const wf = yamlOf(WORKFLOW);
    const defined = new Set([...Object.keys(wf.env ?? {}), 'PWD', 'HOME', 'GITHUB_SHA', 'GITHUB_WORKSPACE', 'RUNNER_TEMP']);
    for (const step of (0, recipe_js_1.workflowRunSteps)(WORKFLOW)) {
        const local = new Set([...step.run.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]));
        for (const m of step.run.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)) {
            const name = m[1] ?? '';
            strict_1.default.ok(defined.has(name) || local.has(name), `${step.name}: $${name} is not defined in env:`);
        }
    }
});
(0, node_test_1.test)('the Tekton Task: tekton.dev/v1 Task; every $(params|workspaces|results) reference is declared', () => {
    const task = yamlOf(TEKTON);
    strict_1.default.equal(task.apiVersion, 'tekton.dev/v1');
    strict_1.default.equal(task.kind, 'Task');
    strict_1.default.ok(task.spec.steps.length > 0);
    for (const s of task.spec.steps) {
        strict_1.default.ok(s.name && s.image && s.script, 'each step has name, image and script');
        strict_1.default.match(s.script, /^#!\/bin\/sh\n/, 'the script names its shell (the builder image has /bin/sh, not bash everywhere)');
    }
    const text = (0, node_fs_1.readFileSync)(TEKTON, 'utf8');
    const declared = {
        params: new Set(task.spec.params.map((p) => p.name)),
        workspaces: new Set(task.spec.workspaces.map((w) => w.name)),
        results: new Set(task.spec.results.map((r) => r.name)),
    };
    let refs = 0;
    for (const m of text.matchAll(/\$\((params|workspaces|results)\.([a-z0-9-]+)(?:\.(path))?\)/g)) {
        refs++;
        const kind = m[1];
        strict_1.default.ok(declared[kind].has(m[2] ?? ''), `$(${kind}.${m[2]}) is not declared`);
        if (kind !== 'params')
            strict_1.default.equal(m[3], 'path', `$(${kind}.${m[2]}) needs .path`);
    }
    strict_1.default.ok(refs >= 5, 'the task uses its params, workspace and results');
    for (const p of declared.params)
        strict_1.default.ok(text.includes(`$(params.${p})`), `param ${p} is declared but never used`);
});
(0, node_test_1.test)('every fexpod command and flag in the recipes and docs/ci.md exists in the CLI', async () => {
    const sources = [
        ...(0, recipe_js_1.workflowRunSteps)(WORKFLOW).map((s) => ({ where: `github-workflow.yml: ${s.name}`, text: s.run })),
        ...tektonScripts().map((text) => ({ where: 'tekton-task.yml', text })),
        ...docBlocks().map((text, i) => ({ where: `docs/ci.md block ${i + 1}`, text })),
    ];
    const helps = new Map();
    for (const c of cli_js_1.COMMANDS)
        helps.set(c.name, (await c.load()).command.help);
    let checked = 0;
    for (const src of sources) {
        for (const inv of (0, recipe_js_1.fexpodInvocations)(src.text)) {
            checked++;
            if (inv.command === undefined) {
                for (const f of inv.flags)
                    strict_1.default.ok(['--version', '--help', '-h'].includes(f), `${src.where}: fexpod ${f}`);
                continue;
            }
            const help = helps.get(inv.command);
            strict_1.default.ok(help, `${src.where}: "fexpod ${inv.command}" is not a command (${[...helps.keys()].join(', ')})`);
            for (const f of inv.flags) {
                strict_1.default.ok(new RegExp(`(^|[\\s,\\[])${f}(?![\\w-])`, 'm').test(help), `${src.where}: fexpod ${inv.command} has no ${f}`);
            }
        }
    }
    strict_1.default.ok(checked >= 6, `only ${checked} fexpod invocations found`);
});
const extraction = [
    { text: 'fexpod build "$DEF" --locked --format oci,sbom -o out/ --json > out/x.json', want: [{ command: 'build', flags: ['--locked', '--format', '-o', '--json'] }] },
    { text: 'fexpod() {\n  podman run --rm "$FEXPOD_IMAGE" "$@"; }\nfexpod --version', want: [{ flags: ['--version'] }] },
    { text: 'podman build -f containerfiles/fexpod.Containerfile -t localhost/fexpod .', want: [] },
    { text: 'sudo fexpod binfmt install \\\n  --guest aarch64 && fexpod hook install --build-hooks-dir=/x', want: [{ command: 'binfmt', flags: ['--guest'] }, { command: 'hook', flags: ['--build-hooks-dir'] }] },
    { text: '# fexpod runs in the image, as in: fexpod lock x.toml\nfexpod lock images/x.toml --repo a=b', want: [{ command: 'lock', flags: ['--repo'] }] },
];
for (const c of extraction) {
    (0, node_test_1.test)(`fexpod invocations found in ${JSON.stringify(c.text.slice(0, 40))}`, () => {
        strict_1.default.deepEqual((0, recipe_js_1.fexpodInvocations)(c.text).map((i) => ({ ...(i.command ? { command: i.command } : {}), flags: i.flags })), c.want);
    });
}
