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

export interface Command {
  readonly name: string;
  /** One line for `fexpod --help`. */
  readonly summary: string;
  /** Full text for `fexpod NAME --help`: usage, options, examples. */
  readonly help: string;
  /** Returns the exit code. Throws FexpodError for failures. */
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

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

export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/** A SOURCE_DATE_EPOCH given as `what` (a flag or the variable): whole seconds since 1970, or undefined when not given. */
export function parseEpochSeconds(command: string, what: string, s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  if (!/^\d+$/.test(s)) throw new UsageError(`${command}: ${what} must be whole seconds since 1970, got "${s}"`);
  return Number(s);
}
