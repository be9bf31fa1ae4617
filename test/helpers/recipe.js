"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.workflowRunSteps = workflowRunSteps;
exports.fexpodInvocations = fexpodInvocations;
/**
 * Reading the CI recipe files: the run steps of a GitHub Actions workflow, and
 * the `fexpod …` invocations in a shell script (command and --flags), for the
 * tests that check them against the CLI and run them.
 */
const node_fs_1 = require("node:fs");
const yaml_1 = require("yaml");
/** Every `run:` step, in order, with the env in force (workflow, job, step). */
function workflowRunSteps(file) {
    const wf = (0, yaml_1.parse)((0, node_fs_1.readFileSync)(file, 'utf8'));
    const out = [];
    for (const [job, j] of Object.entries(wf.jobs ?? {})) {
        for (const s of j.steps ?? []) {
            if (typeof s.run !== 'string')
                continue;
            out.push({ job, name: s.name ?? '(unnamed)', run: s.run, ...(s.if ? { if: s.if } : {}), env: { ...wf.env, ...j.env, ...s.env } });
        }
    }
    return out;
}
const STOP = /^(;|\||\|\||&&|&|\)|>|>>|<|2>|2>&1|#.*)$|^[;|&)>]/;
/** `fexpod SUB … --flag …` occurrences outside comments; backslash continuations joined. */
function fexpodInvocations(script) {
    const out = [];
    const text = script.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
    for (const m of text.matchAll(/(?<![\w./$-])fexpod(?=[ \t])/g)) {
        const rest = text.slice((m.index ?? 0) + m[0].length).split('\n')[0] ?? '';
        const tokens = [];
        for (const tok of rest.split(/[ \t]+/)) {
            if (tok === '')
                continue;
            if (STOP.test(tok))
                break;
            tokens.push(tok.replace(/^["']|["']$/g, ''));
        }
        const first = tokens[0];
        // Prose inside strings ("… the fexpod sysroot");) is not an invocation.
        if (first === undefined || !/^(--?[a-z][\w-]*|[a-z][a-z0-9-]*)$/.test(first))
            continue;
        const flags = tokens.filter((t) => /^--?[A-Za-z]/.test(t)).map((t) => t.split('=')[0] ?? t);
        out.push(first.startsWith('-') ? { flags } : { command: first, flags });
    }
    return out;
}
