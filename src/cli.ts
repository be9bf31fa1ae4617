#!/usr/bin/env node
/**
 * fexpod's single entry point. Lists the subcommands and loads the one asked
 * for lazily; turns errors into messages and exit codes (nothing else does).
 */
import type { CliContext } from './common/command.js';
import { FexpodError, errorMessage } from './common/errors.js';
import { COMMANDS, USAGE, VERSION } from './commands.js';

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    ctx.stdout.write(`fexpod ${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    ctx.stderr.write(`fexpod: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(command.help.endsWith('\n') ? command.help : command.help + '\n');
    return 0;
  }
  return command.run(rest, ctx);
}

export function formatError(err: unknown, debug: boolean): string {
  const lines = [`fexpod: error: ${errorMessage(err)}`];
  if (err instanceof FexpodError && err.fix) lines.push(`  fix: ${err.fix}`);
  if (debug && err instanceof Error && err.stack) lines.push(err.stack);
  return lines.join('\n') + '\n';
}

async function runFromProcess(): Promise<void> {
  const ctx: CliContext = {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    // made on first use: creating it costs ~1 ms, and few commands read it
    get stdin() {
      return process.stdin;
    },
    interactive: Boolean(process.stderr.isTTY),
  };
  try {
    process.exitCode = await main(ctx.argv, ctx);
  } catch (err) {
    process.stderr.write(formatError(err, Boolean(process.env['FEXPOD_DEBUG'])));
    process.exitCode = err instanceof FexpodError ? err.exitCode : 1;
  }
}

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void runFromProcess();
