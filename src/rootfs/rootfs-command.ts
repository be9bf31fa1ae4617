/**
 * `fexpod rootfs install REF|FILE [--user]` and `fexpod rootfs list`: the CLI
 * edge of rootfs-install.ts. The environment (uid, HOME, XDG and FEX
 * variables) is read here and passed down; --fex-dir and --state-dir move the
 * system-wide directories (packagers, tests).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import type { CliContext, Command } from '../common/command.js';
import { type OptionTable, formatOptions, parseOptions, printJson } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { commandLogger, connect, normalizeFlags, progressMode, REGISTRY_HELP, REGISTRY_OPTIONS, registrySettings } from '../publish/registry-flags.js';
import { mib, transferProgress } from '../publish/transfer-progress.js';
import { configuredRootfs, readFexConfig } from './fex-config.js';
import { fexConfigFile, fexDataDir, recordFile, type FexPathEnv } from './fex-paths.js';
import { installRootfs, type Scope } from './rootfs-install.js';
import { listScope, readRecords, type ListedRootfs } from './rootfs-records.js';

const INSTALL_OPTIONS = {
  user: { type: 'boolean', help: 'install for this user even as root' },
  name: { type: 'string', value: 'NAME', help: "file name to install as (default: the artifact's file name; an overlay: the one muvm mounts, mesa-x86_64.erofs or, for 32-bit x86 only, mesa-i386.erofs)" },
  format: { type: 'string', value: 'erofs|squashfs', choices: ['erofs', 'squashfs'], help: 'which file of the artifact (default erofs)' },
  'artifact-type': { type: 'string', value: 'TYPE', choices: ['rootfs', 'overlay'], help: 'for a local FILE: rootfs (default) or overlay' },
  'no-config': { type: 'boolean', help: 'do not touch Config.json' },
  'fex-dir': { type: 'string', value: 'DIR', help: "FEX's global data directory (default /usr/share/fex-emu)" },
  'state-dir': { type: 'string', value: 'DIR', help: "fexpod's system state (default /var/lib/fexpod)" },
} as const satisfies OptionTable;

const OPTIONS = { ...REGISTRY_OPTIONS, ...INSTALL_OPTIONS } as const;

const HELP = `fexpod rootfs — install a published FEX RootFS (or overlay), and list what is installed

Usage: fexpod rootfs install REF|FILE [--user] [options]
       fexpod rootfs list [--json]

install puts a RootFS where FEX and muvm look and names it in FEX's Config.json
(every other setting kept; the file replaced atomically):
  as root     /usr/share/fex-emu/RootFS/NAME   and /usr/share/fex-emu/Config.json
  otherwise   the user's FEX data directory (~/.fex-emu/ if it exists, else
              $FEX_APP_DATA_LOCATION, else \${XDG_DATA_HOME:-~/.local/share}/fex-emu/)
              RootFS/NAME, and the user's Config.json
An overlay (artifactType …overlay.v1) goes to DATA/overlays/NAME (muvm's layout)
and leaves Config.json alone; without --name it is named as muvm mounts it
without -f: mesa-x86_64.erofs (mesa-i386.erofs when it holds 32-bit x86 only). REF must be a fexpod RootFS/overlay artifact
(fexpod push NAME.erofs REF; fexpod build --push REF tags it REF-erofs). Every
byte is checked against the artifact's digest; a mismatch installs nothing.
Installing the same digest again does nothing.

Options (install):
${formatOptions(INSTALL_OPTIONS, true)}
${REGISTRY_HELP}

Examples:
  sudo fexpod rootfs install registry.example.com/fex/rootfs:42-erofs
  fexpod rootfs install --user out/default.erofs
  fexpod rootfs list
`;

function pathEnv(ctx: CliContext, fexDir: string | undefined): FexPathEnv {
  return { env: ctx.env, home: ctx.env['HOME'] || homedir(), exists: existsSync, ...(fexDir ? { globalDir: fexDir } : {}) };
}

async function list(ctx: CliContext, paths: FexPathEnv, stateRoot: string | undefined, json: boolean): Promise<number> {
  const all: ListedRootfs[] = [];
  for (const scope of ['system', 'user'] as const) {
    const records = await readRecords(recordFile(scope, paths, stateRoot)).catch(() => []);
    const active = configuredRootfs(await readFexConfig(fexConfigFile(scope, paths)).catch(() => undefined));
    all.push(...(await listScope(scope, fexDataDir(scope, paths), records, active)));
  }
  if (json) {
    printJson(ctx, { installed: all });
    return 0;
  }
  if (all.length === 0) {
    ctx.stdout.write('no RootFS installed (fexpod rootfs install REF)\n');
    return 0;
  }
  for (const r of all) {
    const digest = r.digest ? r.digest.slice(0, 19) : '(not installed by fexpod)';
    ctx.stdout.write(`${r.active ? '*' : ' '} ${r.scope.padEnd(6)} ${r.role.padEnd(7)} ${r.name.padEnd(24)} ${mib(r.size).padStart(10)}  ${digest}${r.modified ? ' MODIFIED' : ''}  ${r.source ?? ''}\n`);
  }
  ctx.stdout.write('(* = the RootFS named in that scope\'s Config.json)\n');
  return 0;
}

export const command: Command = {
  name: 'rootfs',
  summary: 'install a published RootFS/overlay where FEX and muvm look, and list what is installed',
  help: HELP,
  options: OPTIONS,
  subcommands: ['install', 'list'],
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const [sub, ...rest] = args;
    const { values, positionals } = parseOptions(`rootfs ${sub ?? ''}`.trim(), normalizeFlags(rest), OPTIONS);
    const paths = pathEnv(ctx, values['fex-dir'] ? resolvePath(ctx.cwd, values['fex-dir']) : undefined);
    const stateRoot = values['state-dir'] ? resolvePath(ctx.cwd, values['state-dir']) : undefined;
    if (sub === 'list') return list(ctx, paths, stateRoot, values.json ?? false);
    if (sub !== 'install') throw new UsageError(`rootfs: unknown subcommand "${sub ?? ''}"`, 'use fexpod rootfs install REF|FILE, or fexpod rootfs list');
    if (positionals.length !== 1) throw new UsageError('rootfs install: give one reference or file', 'fexpod rootfs install localhost:5000/fex/rootfs:42-erofs');
    const format = values.format;
    if (format !== undefined && format !== 'erofs' && format !== 'squashfs') throw new UsageError(`rootfs install: --format must be erofs or squashfs`);
    const role = values['artifact-type'];
    if (role !== undefined && role !== 'rootfs' && role !== 'overlay') throw new UsageError('rootfs install: --artifact-type must be rootfs or overlay');
    const scope: Scope = process.getuid?.() === 0 && !values.user ? 'system' : 'user';
    const log = commandLogger(ctx, values);
    const settings = registrySettings('rootfs install', values, ctx.cwd);
    const progress = transferProgress(ctx.stderr, progressMode(ctx, values), 'downloading:', Date.now);
    const r = await installRootfs(
      {
        source: positionals[0] ?? '',
        scope,
        ...(values.name ? { name: values.name } : {}),
        ...(format ? { format } : {}),
        ...(role ? { role } : {}),
        setConfig: !values['no-config'],
      },
      { paths, ...(stateRoot ? { stateRoot } : {}), now: Date.now, connect: (ref) => connect(ctx, ref, settings, log), log, progress },
    );
    progress.finish();
    if (values.json) printJson(ctx, r);
    else {
      ctx.stderr.write(`${r.changed ? 'installed' : 'already installed'} ${r.role} ${r.path} (${r.kind}, ${mib(r.size)}, ${r.digest})\n  from ${r.source}\n`);
      if (r.config) ctx.stderr.write(`  ${r.config.file}: RootFS = "${r.config.rootfs}"${r.config.previous !== undefined && r.config.previous !== r.config.rootfs ? ` (was "${r.config.previous}")` : ''}\n`);
    }
    return 0;
  },
};
