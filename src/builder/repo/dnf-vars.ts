/**
 * DNF variables in repository URLs, with dnf's syntax (libdnf's ConfigParser::substitute since
 * rpm-software-management/libdnf#1622, 2023, and dnf5 since dnf5#800): `$name`, `${name}`,
 * `${name:-word}` (word when name is unset or empty), `${name:+word}` (word when name is set and
 * not empty, else nothing); the word is itself expanded; a backslash makes the next character
 * literal (`\$`); `$releasever_major`/`$releasever_minor` split the release at its first dot.
 * Names are letters, digits and "_". Pure. (Debian 12's libdnf 0.69 predates the `:-`/`:+`
 * forms and the escapes.)
 *
 * Where dnf leaves an unknown `$name` in the URL as it is (and then fails to fetch it), fexpod
 * stops with the variable's name: a definition is checked before anything is fetched.
 */

export const BUILTIN_VARS = ['releasever', 'releasever_major', 'releasever_minor', 'basearch', 'arch'] as const;

/** The built-in variables of a definition: release and primary arch (dnf with --forcearch). */
export function builtinVars(release: string, basearch: string): Record<string, string> {
  const dot = release.indexOf('.');
  return {
    releasever: release,
    releasever_major: dot < 0 ? release : release.slice(0, dot),
    releasever_minor: dot < 0 ? '' : release.slice(dot + 1),
    basearch,
    arch: basearch,
  };
}

export class VarSyntaxError extends Error {
  constructor(
    message: string,
    /** An undefined variable's name, for the message and fix. */
    readonly undefinedVar?: string,
  ) {
    super(message);
  }
}

const NAME = /[A-Za-z0-9_]*/y;
const MAX_DEPTH = 32;

interface Scan {
  readonly out: string;
  /** Index of the closing "}" (nested) or text.length. */
  readonly end: number;
}

function lookup(vars: Readonly<Record<string, string>>, name: string): string | undefined {
  return Object.hasOwn(vars, name) ? vars[name] : undefined;
}

function scan(text: string, start: number, vars: Readonly<Record<string, string>>, depth: number): Scan {
  if (depth > MAX_DEPTH) throw new VarSyntaxError(`variables nested deeper than ${MAX_DEPTH} levels`);
  let out = '';
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '}' && depth > 0) return { out, end: i };
    if (c === '\\') {
      // A trailing backslash stays (dnf keeps it); otherwise the next character is literal.
      out += i + 1 < text.length ? text[i + 1] : '\\';
      i += 2;
      continue;
    }
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const braces = text[i + 1] === '{';
    NAME.lastIndex = i + 1 + (braces ? 1 : 0);
    const name = NAME.exec(text)?.[0] ?? '';
    const after = NAME.lastIndex;
    if (!braces) {
      if (name === '') {
        out += '$';
        i++;
        continue;
      }
      const v = lookup(vars, name);
      if (v === undefined) throw new VarSyntaxError(`undefined variable $${name}`, name);
      out += v;
      i = after;
      continue;
    }
    if (name === '') throw new VarSyntaxError(`"\${" at offset ${i} is not followed by a variable name`);
    if (after >= text.length) throw new VarSyntaxError(`"\${${name}" has no closing "}"`);
    const v = lookup(vars, name);
    if (text[after] === '}') {
      if (v === undefined) throw new VarSyntaxError(`undefined variable \${${name}}`, name);
      out += v;
      i = after + 1;
      continue;
    }
    const mode = text[after] === ':' ? text[after + 1] : undefined;
    if (mode !== '-' && mode !== '+') {
      throw new VarSyntaxError(`"\${${name}${text.slice(after, after + 2)}…" is not a form dnf knows: use \${${name}}, \${${name}:-default} or \${${name}:+alternate}`);
    }
    const word = scan(text, after + 2, vars, depth + 1);
    if (word.end >= text.length) throw new VarSyntaxError(`"\${${name}:${mode}…" has no closing "}"`);
    const set = v !== undefined && v !== '';
    out += mode === '-' ? (set ? v : word.out) : set ? word.out : '';
    i = word.end + 1;
  }
  return { out, end: text.length };
}

/** Expands every variable in `text`; VarSyntaxError names an undefined variable or a malformed form. */
export function expandDnfVars(text: string, vars: Readonly<Record<string, string>>): string {
  return scan(text, 0, vars, 0).out;
}
