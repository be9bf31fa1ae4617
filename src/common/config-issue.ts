/**
 * A zod validation failure of a config file, as the ConfigError a user can act on: the key path
 * ("repos.fedora.gpgcheck"), what is wrong in plain words ('expected true or false, got the
 * string "yes"') and the fix. The fix comes from the schema itself: fields carry
 * `.meta({ fix: "…" })`; the nearest one on the key's path wins. Unknown keys get a
 * "did you mean" and, under a discriminated union, the variant they belong to.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;
type Schema = z.core.$ZodType;

export function formatKeyPath(path: readonly Key[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function unwrap(s: Schema): Schema {
  let cur = s;
  while (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodDefault) cur = cur.unwrap();
  return cur;
}

function fixOf(s: Schema): string | undefined {
  const own = z.globalRegistry.get(s)?.['fix'];
  if (typeof own === 'string') return own;
  const inner = z.globalRegistry.get(unwrap(s))?.['fix'];
  return typeof inner === 'string' ? inner : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value under one key of a parsed table or list (undefined for anything else). */
function child(v: unknown, k: Key): unknown {
  return typeof v === 'object' && v !== null ? Reflect.get(v, k) : undefined;
}

function discriminatorOf(s: Schema): string | undefined {
  if (!(s instanceof z.ZodDiscriminatedUnion)) return undefined;
  const d: unknown = s.def.discriminator;
  return typeof d === 'string' ? d : undefined;
}

/** The option of a union that validates `value` (by discriminator, else by JSON type). */
function optionFor(s: Schema, value: unknown, forced?: unknown): Schema | undefined {
  if (!(s instanceof z.ZodUnion)) return s;
  const options: readonly Schema[] = s.options;
  const disc = discriminatorOf(s);
  if (disc !== undefined) {
    const v = forced !== undefined ? forced : isRecord(value) ? value[disc] : undefined;
    // No variant matches (a bad discriminator): the first one still tells the keys and fixes.
    return options.find((o) => o instanceof z.ZodObject && o.shape[disc] !== undefined && z.safeParse(o.shape[disc], v).success) ?? options[0];
  }
  const kind = (o: Schema) => {
    const u = unwrap(o);
    return u instanceof z.ZodArray ? 'array' : u instanceof z.ZodObject || u instanceof z.ZodRecord ? 'table' : 'scalar';
  };
  const want = Array.isArray(value) ? 'array' : isRecord(value) ? 'table' : 'scalar';
  return options.find((o) => kind(o) === want) ?? options[0];
}

interface Found {
  readonly schema: Schema | undefined;
  readonly fix: string | undefined;
}

/** Walks from the root schema along `path` through the input; `forced` picks the root union's variant. */
function schemaAt(root: Schema, path: readonly Key[], input: unknown, forced?: unknown): Found {
  let value = input;
  let fix = fixOf(root);
  const step = (s: Schema, first: boolean): Schema | undefined => optionFor(unwrap(s), value, first ? forced : undefined);
  let cur = step(root, true);
  for (const key of path) {
    if (!cur) break;
    const s: Schema = unwrap(cur);
    let next: Schema | undefined;
    if (s instanceof z.ZodObject) next = typeof key === 'string' ? s.shape[key] : undefined;
    else if (s instanceof z.ZodRecord) next = s.valueType;
    else if (s instanceof z.ZodArray) next = s.element;
    value = child(value, key);
    if (!next) return { schema: undefined, fix };
    fix = fixOf(next) ?? fix;
    cur = step(next, false);
  }
  if (cur) fix = fixOf(cur) ?? fix;
  return { schema: cur, fix };
}

function keysOf(s: Schema | undefined): string[] {
  const u = s ? unwrap(s) : undefined;
  return u instanceof z.ZodObject ? Object.keys(u.shape) : [];
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `the number ${String(v)}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  return 'a table';
}

const EXPECTED: Readonly<Record<string, string>> = {
  boolean: 'true or false',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  object: 'a table',
  record: 'a table',
};

/** Of a union's failed branches, the one that says most: type mismatches at the union itself go last, then deepest path. */
function bestBranch(issue: Issue & { code: 'invalid_union' }): Issue | undefined {
  const branches = issue.errors.map((errs) => errs[0]).filter((e): e is Issue => e !== undefined);
  const typed = branches.filter((b) => !(b.code === 'invalid_type' && b.path.length === 0));
  if (typed.length === 0) return undefined;
  const best = typed.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  return { ...best, path: [...issue.path, ...best.path] };
}

interface Report {
  readonly path: readonly Key[];
  readonly problem: string;
  readonly fix?: string;
}

function explain(root: Schema, input: unknown, issue: Issue): Report {
  const here = issue.path;
  const value = here.reduce<unknown>(child, input);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return { path: here, problem: 'missing' };
      return { path: here, problem: `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(value)}` };
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const options = ('options' in issue && Array.isArray(issue.options) ? issue.options : []).filter((o: unknown) => typeof o === 'string');
        return { path: here, problem: `${JSON.stringify(value)} is not one of ${options.join(', ')}` };
      }
      if (value === undefined) return { path: here, problem: 'missing' };
      const best = bestBranch(issue);
      if (best) return explain(root, input, best);
      const expected = [...new Set(issue.errors.map((e) => e[0]).map((e) => (e?.code === 'invalid_type' ? EXPECTED[e.expected] ?? e.expected : undefined)).filter((e) => e !== undefined))];
      return { path: here, problem: `expected ${expected.join(' or ')}, got ${describeValue(value)}` };
    }
    case 'unrecognized_keys':
      return unknownKeys(root, input, here, issue.keys);
    case 'invalid_value':
      return { path: here, problem: `${JSON.stringify(value)} is not one of ${issue.values.map((v) => String(v)).join(', ')}` };
    case 'too_small':
      if (issue.origin === 'array') return { path: here, problem: Number(issue.minimum) === 1 ? 'must not be empty' : `needs at least ${String(issue.minimum)} entries` };
      if (issue.origin === 'string') return { path: here, problem: 'must not be empty' };
      return { path: here, problem: `must be ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}, got ${describeValue(value)}` };
    case 'too_big':
      return { path: here, problem: `must be at most ${String(issue.maximum)}, got ${describeValue(value)}` };
    case 'invalid_format':
      return { path: here, problem: `${JSON.stringify(value)} is not ${issue.format === 'regex' ? issue.message : `a valid ${issue.format}`}` };
    default:
      return { path: here, problem: issue.message };
  }
}

function unknownKeys(root: Schema, input: unknown, path: readonly Key[], keys: readonly string[]): Report {
  const allowed = keysOf(schemaAt(root, path, input).schema);
  const key = keys[0] ?? '';
  let problem = `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
  // Under a discriminated union (profile = …) the keys of a table may depend on the variant.
  const u = unwrap(root);
  const disc = discriminatorOf(u);
  if (disc !== undefined && u instanceof z.ZodUnion) {
    const variants = u.options.map((o) => literalOf(o, disc)).filter((l): l is string => l !== undefined);
    const chosen = (isRecord(input) && typeof input[disc] === 'string' ? input[disc] : undefined) ?? variants[0];
    const keysIn = new Map(variants.map((v) => [v, keysOf(schemaAt(root, path, input, v).schema)] as const));
    const differs = variants.some((v) => keysIn.get(v)?.join() !== allowed.join());
    if (differs && chosen !== undefined && path.length > 0) problem += ` for ${disc} "${chosen}"`;
    const owner = variants.find((v) => v !== chosen && keysIn.get(v)?.includes(key));
    if (owner !== undefined) return { path, problem, fix: `"${key}" belongs to ${disc} "${owner}"; remove it, or set ${disc} = "${owner}"` };
  }
  const near = allowed.filter((a) => distance(a, key) <= Math.max(1, Math.floor(key.length / 3))).sort((a, b) => distance(a, key) - distance(b, key));
  const listed = `keys allowed here: ${allowed.join(', ')}`;
  return { path, problem, fix: near[0] ? `did you mean "${near[0]}"? (${listed})` : listed };
}

function literalOf(o: Schema, disc: string): string | undefined {
  const u = unwrap(o);
  if (!(u instanceof z.ZodObject)) return undefined;
  const field = u.shape[disc];
  if (field === undefined) return undefined;
  const lit = unwrap(field);
  if (!(lit instanceof z.ZodLiteral)) return undefined;
  const v: unknown = lit.value;
  return typeof v === 'string' ? v : undefined;
}

/** The ConfigError for a failed `schema.safeParse(input)`: the first problem, with key path and fix. */
export function configIssueError(file: string, root: Schema, input: unknown, error: z.ZodError, fallbackFix: string): ConfigError {
  const issues = error.issues;
  const first = issues[0];
  if (!first) return new ConfigError(file, '', 'invalid', fallbackFix, error);
  const report = explain(root, input, first);
  const fix = report.fix ?? schemaAt(root, report.path, input).fix ?? fallbackFix;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new ConfigError(file, formatKeyPath(report.path), report.problem + more, fix, error);
}
