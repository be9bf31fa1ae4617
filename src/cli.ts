#!/usr/bin/env node
/**
 * fexpod's single entry point. Lists the subcommands and loads the one asked
 * for lazily; turns errors into messages and exit codes (nothing else does).
 */
import type { CliContext, Command } from './common/command.js';
import { FexpodError, errorMessage } from './common/errors.js';

interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<{ command: Command }>;
}

/** The command table. Each area owns its modules; this file only lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'doctor',
    summary: 'check this host: arch, page size, binfmt_misc, emulators, runtimes, podman',
    load: () => import('./emulator/doctor/doctor-command.js'),
  },
  {
    name: 'binfmt',
    summary: 'show, install or remove the binfmt_misc registrations for foreign architectures',
    load: () => import('./emulator/binfmt/binfmt-command.js'),
  },
  {
    name: 'hook',
    summary: 'install, remove or inspect the Podman hook for foreign-architecture containers',
    load: () => import('./runtime-hook/install/hook-command.js'),
  },
  {
    name: 'cdi',
    summary: 'generate a CDI spec with the emulator mounts, for engines without precreate hooks',
    load: () => import('./runtime-hook/cdi/cdi-command.js'),
  },
  {
    name: 'setup',
    summary: 'set this host up in one step (emulators, binfmt, Podman hook, systemd), or --undo it',
    load: () => import('./setup/setup-command.js'),
  },
  {
    name: 'lock',
    summary: 'resolve an image definition against its repositories and write a lock file',
    load: () => import('./builder/lock-command.js'),
  },
  {
    name: 'build',
    summary: 'build an image definition into OCI, EroFS, SquashFS and an SBOM',
    load: () => import('./builder/build-command.js'),
  },
  {
    name: 'push',
    summary: 'publish OCI images, EroFS/SquashFS artifacts and SBOMs to a registry',
    load: () => import('./publish/push-command.js'),
  },
  {
    name: 'pull',
    summary: 'download an image (as an OCI layout) or an artifact\'s files from a registry, verified',
    load: () => import('./publish/pull-command.js'),
  },
  {
    name: 'extract',
    summary: 'unpack an image\'s layers into a directory (no root, no podman), whiteouts applied',
    load: () => import('./publish/extract-command.js'),
  },
  {
    name: 'rootfs',
    summary: 'install a published RootFS/overlay where FEX and muvm look, and list what is installed',
    load: () => import('./rootfs/rootfs-command.js'),
  },
];

const USAGE = `fexpod — run x86 and x86-64 software on AArch64 Fedora with FEX

Usage: fexpod <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run "fexpod <command> --help" for a command's options and examples.
Data-producing commands accept --json and then print exactly one JSON document on stdout;
logs and progress always go to stderr.
`;

export async function main(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    ctx.stdout.write('fexpod 0.1.0\n');
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
    stdin: process.stdin,
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
