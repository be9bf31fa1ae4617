/**
 * The command table: every subcommand's name, one-line summary and lazy
 * loader. src/cli.ts dispatches through it; the man pages and the shell
 * completion (src/cli-reference) are made from it and each command's options.
 */
import type { Command } from './common/command.js';

export const VERSION = '0.1.0';

export interface CommandEntry {
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
  {
    name: 'completion',
    summary: 'print the bash or zsh completion script (made from the option tables)',
    load: () => import('./cli-reference/completion-command.js'),
  },
];

export const USAGE = `fexpod — run x86 and x86-64 software on AArch64 Fedora with FEX

Usage: fexpod <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(11)} ${c.summary}`).join('\n')}

Run "fexpod <command> --help" for a command's options and examples.
Data-producing commands accept --json and then print exactly one JSON document on stdout;
logs and progress always go to stderr.
`;


/** Every command module, loaded (for the man pages and the completion scripts). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(COMMANDS.map(async (c) => (await c.load()).command));
}
