/**
 * The shape every subcommand has. Each area (emulator, runtime-hook, builder)
 * owns its command modules; src/cli.ts only lists them and loads one lazily,
 * so `fexpod hook precreate` does not pay for the builder's imports.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { UsageError, errorMessage } from './errors.js';

export interface CliContext {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: NodeJS.ReadableStream;
  /** Whether stderr is a terminal (for progress bars). */
  readonly interactive: boolean;
}

/**
 * One option of a command: what parseArgs reads and what --help, the man page
 * and the shell completion say about it, in one place.
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in help (DIR, FILE, N); "=false" is written as --flag=false. */
  readonly value?: string;
  /** What the option does; a line break starts a continuation line. */
  readonly help: string;
  /** Values the shell completion offers; by default DIR completes directories, FILE/PATH files. */
  readonly choices?: readonly string[];
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

export interface Command {
  readonly name: string;
  /** One line for `fexpod --help`. */
  readonly summary: string;
  /** Full text for `fexpod NAME --help`: usage, options (rendered from `options`), examples. */
  readonly help: string;
  /** Every option the command parses: the table --help, the man page and the completion come from. */
  readonly options: OptionTable;
  /** Subcommands (the first positional), for completion. */
  readonly subcommands?: readonly string[];
  /** Returns the exit code. Throws FexpodError for failures. */
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Where an option's text starts in help (the flags column is this wide). */
const HELP_COLUMN = 25;

/** How an option is written in help: "-o, --output DIR", "--tls-verify=false". */
export function optionLabel(name: string, o: OptionSpec): string {
  const value = o.value === undefined ? '' : o.value.startsWith('=') ? o.value : ` ${o.value}`;
  return `${o.short ? `-${o.short}, ` : ''}--${name}${value}`;
}

/** The option lines of --help, from the table (indented two spaces, text in one column). */
export function formatOptions(table: OptionTable, withHelp = false): string {
  const rows: [string, string][] = Object.entries(table).map(([name, o]) => [optionLabel(name, o), o.help]);
  if (withHelp) rows.push(['-h, --help', 'this text']);
  const pad = ' '.repeat(HELP_COLUMN + 2);
  return rows
    .map(([label, text]) => {
      const [first = '', ...rest] = text.split('\n');
      const head = label.length <= HELP_COLUMN - 2 ? `  ${label.padEnd(HELP_COLUMN - 1)} ${first}` : `  ${label}\n${pad}${first}`;
      return [head, ...rest.map((l) => pad + l)].join('\n');
    })
    .join('\n');
}

/** parseArgs with strict checking, turned into UsageError on bad input. */
export function parseOptions<T extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${errorMessage(err)}`, `run "fexpod ${command} --help"`);
  }
}

/** Writes exactly one JSON document to stdout (the --json protocol). */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A SOURCE_DATE_EPOCH given as `what` (a flag or the variable): whole seconds since 1970, or undefined when not given. */
export function parseEpochSeconds(command: string, what: string, s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (!/^\d+$/.test(s)) throw new UsageError(`${command}: ${what} must be whole seconds since 1970, got "${s}"`);
  return Number(s);
}
