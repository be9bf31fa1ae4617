/**
 * The CI recipe files (examples/ci/*.yml, docs/ci.md) are checked against the
 * real CLI: well-formed YAML, the structure each CI system needs, and every
 * `fexpod` command and flag they use exists (in COMMANDS and in that command's
 * --help). A renamed flag breaks this test, not a user's pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { COMMANDS } from '../../../src/commands.js';
import { repoRoot } from '../../helpers/integration.js';
import { fexpodInvocations, workflowRunSteps } from '../../helpers/recipe.js';

const root = repoRoot();
const WORKFLOW = join(root, 'examples', 'ci', 'github-workflow.yml');
const TEKTON = join(root, 'examples', 'ci', 'tekton-task.yml');
const DOC = join(root, 'docs', 'ci.md');

function yamlOf(file: string): Record<string, unknown> {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  assert.deepEqual(doc.errors.map((e) => e.message), [], `${file} is not well-formed YAML`);
  assert.deepEqual(doc.warnings.map((e) => e.message), [], `${file}: YAML warnings`);
  const v: unknown = doc.toJS();
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `${file}: a mapping at the top`);
  return v as Record<string, unknown>;
}

function tektonScripts(): string[] {
  const task = yamlOf(TEKTON) as { spec: { steps: { script: string }[] } };
  return task.spec.steps.map((s) => s.script);
}

function docBlocks(): string[] {
  return [...readFileSync(DOC, 'utf8').matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

test('the GitHub workflow is a well-formed workflow: triggers, a runner, each step uses or runs', () => {
  const wf = yamlOf(WORKFLOW) as { on?: unknown; jobs?: Record<string, { 'runs-on'?: unknown; steps?: Record<string, unknown>[] }> };
  assert.ok(wf.on, 'on:');
  const jobs = Object.entries(wf.jobs ?? {});
  assert.ok(jobs.length > 0, 'jobs:');
  for (const [id, job] of jobs) {
    assert.equal(typeof job['runs-on'], 'string', `${id}: runs-on`);
    const names = new Set<string>();
    for (const step of job.steps ?? []) {
      assert.equal(typeof step['name'], 'string', `${id}: every step has a name`);
      assert.ok(!names.has(String(step['name'])), `${id}: step names are unique`);
      names.add(String(step['name']));
      assert.ok(('uses' in step) !== ('run' in step), `${id}/${String(step['name'])}: exactly one of uses/run`);
    }
  }
});

test('the workflow\'s scripts use only environment variables it defines (or GitHub\'s)', () => {
  const wf = yamlOf(WORKFLOW) as { env?: Record<string, string> };
  const defined = new Set([...Object.keys(wf.env ?? {}), 'PWD', 'HOME', 'GITHUB_SHA', 'GITHUB_WORKSPACE', 'RUNNER_TEMP']);
  for (const step of workflowRunSteps(WORKFLOW)) {
    const local = new Set([...step.run.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]));
    for (const m of step.run.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)) {
      const name = m[1] ?? '';
      assert.ok(defined.has(name) || local.has(name), `${step.name}: $${name} is not defined in env:`);
    }
  }
});

test('the Tekton Task: tekton.dev/v1 Task; every $(params|workspaces|results) reference is declared', () => {
  const task = yamlOf(TEKTON) as {
    apiVersion: string; kind: string;
    spec: { params: { name: string }[]; workspaces: { name: string }[]; results: { name: string }[]; steps: { name: string; image: string; script: string }[] };
  };
  assert.equal(task.apiVersion, 'tekton.dev/v1');
  assert.equal(task.kind, 'Task');
  assert.ok(task.spec.steps.length > 0);
  for (const s of task.spec.steps) {
    assert.ok(s.name && s.image && s.script, 'each step has name, image and script');
    assert.match(s.script, /^#!\/bin\/sh\n/, 'the script names its shell (the builder image has /bin/sh, not bash everywhere)');
  }
  const text = readFileSync(TEKTON, 'utf8');
  const declared = {
    params: new Set(task.spec.params.map((p) => p.name)),
    workspaces: new Set(task.spec.workspaces.map((w) => w.name)),
    results: new Set(task.spec.results.map((r) => r.name)),
  };
  let refs = 0;
  for (const m of text.matchAll(/\$\((params|workspaces|results)\.([a-z0-9-]+)(?:\.(path))?\)/g)) {
    refs++;
    const kind = m[1] as keyof typeof declared;
    assert.ok(declared[kind].has(m[2] ?? ''), `$(${kind}.${m[2]}) is not declared`);
    if (kind !== 'params') assert.equal(m[3], 'path', `$(${kind}.${m[2]}) needs .path`);
  }
  assert.ok(refs >= 5, 'the task uses its params, workspace and results');
  for (const p of declared.params) assert.ok(text.includes(`$(params.${p})`), `param ${p} is declared but never used`);
});

test('every fexpod command and flag in the recipes and docs/ci.md exists in the CLI', async () => {
  const sources = [
    ...workflowRunSteps(WORKFLOW).map((s) => ({ where: `github-workflow.yml: ${s.name}`, text: s.run })),
    ...tektonScripts().map((text) => ({ where: 'tekton-task.yml', text })),
    ...docBlocks().map((text, i) => ({ where: `docs/ci.md block ${i + 1}`, text })),
  ];
  const helps = new Map<string, string>();
  for (const c of COMMANDS) helps.set(c.name, (await c.load()).command.help);
  let checked = 0;
  for (const src of sources) {
    for (const inv of fexpodInvocations(src.text)) {
      checked++;
      if (inv.command === undefined) {
        for (const f of inv.flags) assert.ok(['--version', '--help', '-h'].includes(f), `${src.where}: fexpod ${f}`);
        continue;
      }
      const help = helps.get(inv.command);
      assert.ok(help, `${src.where}: "fexpod ${inv.command}" is not a command (${[...helps.keys()].join(', ')})`);
      for (const f of inv.flags) {
        assert.ok(new RegExp(`(^|[\\s,\\[])${f}(?![\\w-])`, 'm').test(help), `${src.where}: fexpod ${inv.command} has no ${f}`);
      }
    }
  }
  assert.ok(checked >= 6, `only ${checked} fexpod invocations found`);
});

const extraction: { text: string; want: { command?: string; flags: string[] }[] }[] = [
  { text: 'fexpod build "$DEF" --locked --format oci,sbom -o out/ --json > out/x.json', want: [{ command: 'build', flags: ['--locked', '--format', '-o', '--json'] }] },
  { text: 'fexpod() {\n  podman run --rm "$FEXPOD_IMAGE" "$@"; }\nfexpod --version', want: [{ flags: ['--version'] }] },
  { text: 'podman build -f containerfiles/fexpod.Containerfile -t localhost/fexpod .', want: [] },
  { text: 'sudo fexpod binfmt install \\\n  --guest aarch64 && fexpod hook install --build-hooks-dir=/x', want: [{ command: 'binfmt', flags: ['--guest'] }, { command: 'hook', flags: ['--build-hooks-dir'] }] },
  { text: '# fexpod runs in the image, as in: fexpod lock x.toml\nfexpod lock images/x.toml --repo a=b', want: [{ command: 'lock', flags: ['--repo'] }] },
];
for (const c of extraction) {
  test(`fexpod invocations found in ${JSON.stringify(c.text.slice(0, 40))}`, () => {
    assert.deepEqual(fexpodInvocations(c.text).map((i) => ({ ...(i.command ? { command: i.command } : {}), flags: i.flags })), c.want);
  });
}
