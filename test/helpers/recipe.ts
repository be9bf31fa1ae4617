/**
 * Reading the CI recipe files: the run steps of a GitHub Actions workflow, and
 * the `fexpod …` invocations in a shell script (command and --flags), for the
 * tests that check them against the CLI and run them.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface RunStep {
  readonly job: string;
  readonly name: string;
  readonly run: string;
  readonly if?: string;
  readonly env: Readonly<Record<string, string>>;
}

interface Workflow {
  readonly env?: Record<string, string>;
  readonly jobs?: Record<string, { env?: Record<string, string>; steps?: { name?: string; run?: string; if?: string; env?: Record<string, string> }[] }>;
}

/** Every `run:` step, in order, with the env in force (workflow, job, step). */
export function workflowRunSteps(file: string): RunStep[] {
  const wf = parse(readFileSync(file, 'utf8')) as Workflow;
  const out: RunStep[] = [];
  for (const [job, j] of Object.entries(wf.jobs ?? {})) {
    for (const s of j.steps ?? []) {
      if (typeof s.run !== 'string') continue;
      out.push({ job, name: s.name ?? '(unnamed)', run: s.run, ...(s.if ? { if: s.if } : {}), env: { ...wf.env, ...j.env, ...s.env } });
    }
  }
  return out;
}

export interface Invocation {
  /** The subcommand, or undefined for `fexpod --version`. */
  readonly command?: string;
  readonly flags: readonly string[];
}

const STOP = /^(;|\||\|\||&&|&|\)|>|>>|<|2>|2>&1|#.*)$|^[;|&)>]/;

/** `fexpod SUB … --flag …` occurrences outside comments; backslash continuations joined. */
export function fexpodInvocations(script: string): Invocation[] {
  const out: Invocation[] = [];
  const text = script.replace(/\\\n\s*/g, ' ').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
  for (const m of text.matchAll(/(?<![\w./$-])fexpod(?=[ \t])/g)) {
    const rest = text.slice((m.index ?? 0) + m[0].length).split('\n')[0] ?? '';
    const tokens: string[] = [];
    for (const tok of rest.split(/[ \t]+/)) {
      if (tok === '' ) continue;
      if (STOP.test(tok)) break;
      tokens.push(tok.replace(/^["']|["']$/g, ''));
    }
    const first = tokens[0];
    // Prose inside strings ("… the fexpod sysroot");) is not an invocation.
    if (first === undefined || !/^(--?[a-z][\w-]*|[a-z][a-z0-9-]*)$/.test(first)) continue;
    const flags = tokens.filter((t) => /^--?[A-Za-z]/.test(t)).map((t) => t.split('=')[0] ?? t);
    out.push(first.startsWith('-') ? { flags } : { command: first, flags });
  }
  return out;
}
