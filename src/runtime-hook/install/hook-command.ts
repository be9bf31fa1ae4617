/**
 * `fexpod hook install|uninstall|status`: puts the precreate hook in a
 * dedicated hooks directory, tells Podman about it with a containers.conf.d
 * drop-in, and installs the createRuntime hook that serves `podman build`.
 */
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CliContext, type Command, type OptionTable, formatOptions, parseOptions, printJson } from '../../common/command.js';
import { FexpodError, UsageError, errorMessage } from '../../common/errors.js';
import { streamLogger } from '../../common/log.js';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME } from '../../emulator/binfmt/install-state.js';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { DEFAULT_BUILD_HOOKS_DIR, DEFAULT_CONF_DIR, DEFAULT_FEXPOD_HOOKS_DIR } from './hook-files.js';
import { DEFAULT_BASE_CONFS, hookStatus, installHook, uninstallHook, type HookHostFiles, type HookLayout } from './hook-install.js';
import { DEFAULT_HOOK_LOG } from '../hook/hook-log.js';
import { GUEST_ARCH_WORDS } from '../../common/arch.js';
import { EMULATOR_IDS } from '../../emulator/emulator-catalogue.js';

const OPTIONS = {
  'hooks-dir': { type: 'string', value: 'DIR', help: `dedicated precreate hooks directory (default ${DEFAULT_FEXPOD_HOOKS_DIR})` },
  'conf-dir': { type: 'string', value: 'DIR', help: `containers.conf.d directory (default ${DEFAULT_CONF_DIR})` },
  'build-hooks-dir': { type: 'string', value: 'DIR', help: `where buildah finds the createRuntime hook (default ${DEFAULT_BUILD_HOOKS_DIR})` },
  'no-build-hook': { type: 'boolean', help: 'do not install the createRuntime hook' },
  'base-conf': {
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: `containers.conf file or .d directory read before --conf-dir; repeatable\n(default: ${DEFAULT_BASE_CONFS.join(', ')})`,
  },
  state: { type: 'string', value: 'FILE', help: `install state the hook reads (default ${DEFAULT_STATE_DIR}/${STATE_FILE_NAME})` },
  log: { type: 'string', value: 'FILE', help: `hook log file (default ${DEFAULT_HOOK_LOG}; Podman drops hook stderr)` },
  node: { type: 'string', value: 'PATH', help: 'node binary the hook runs with (default: the node running fexpod)' },
  'hook-script': { type: 'string', value: 'PATH', help: "the hook entry (default: this installation's dist/hook/runtime-hook/hook-main.js)" },
  user: {
    type: 'boolean',
    help: 'the per-user install for rootless Podman (see above); takes\n--guest, --emulator, --node, --hook-script and --json only',
  },
  guest: { type: 'string', multiple: true, value: 'ARCH', choices: GUEST_ARCH_WORDS, help: 'with --user: guest architectures (default: every one an emulator serves)' },
  emulator: { type: 'string', value: 'NAME', choices: EMULATOR_IDS, help: 'with --user: the emulator to use (default: by precedence)' },
  json: { type: 'boolean', help: 'print one JSON document on stdout' },
} as const satisfies OptionTable;

const HELP = `fexpod hook — the Podman hook that runs foreign-architecture containers

Usage:
  fexpod hook install   [options]   install the hooks and the containers.conf.d drop-in
  fexpod hook uninstall [options]   remove them again
  fexpod hook status    [options]   show what is installed and whether Podman will use it
  fexpod hook install   --user [--guest ARCH]... [--emulator NAME]
                                    rootless Podman, for the current user only: no root, no sudo
  fexpod hook uninstall --user      remove every file "install --user" wrote
  fexpod hook status    --user

What it installs (all written atomically; an invalid hook file would break every container):
  <hooks-dir>/fexpod-precreate.json        the precreate hook, in a directory of its own
                                           (a precreate hook in ${'/usr/share/containers/oci/hooks.d'}
                                           makes "podman build" fail)
  <conf-dir>/90-fexpod-hooks.conf          [engine] hooks_dir = [<dirs already in force>, <hooks-dir>]
  <build-hooks-dir>/fexpod-createruntime.json
                                           createRuntime hook that buildah runs for
                                           "podman build --arch <foreign>" RUN steps

The precreate hook reads each container's config, finds the architecture of the
program it starts (ELF header of process.args[0] inside the rootfs), and for a
foreign one bind-mounts the emulator prefix recorded by "fexpod binfmt install"
(read-only, nosuid, nodev) and re-registers the binfmt entry if it vanished.
Native containers pass through byte for byte. It logs to --log.

With --user (Linux >= 6.7, rootless Podman) it stages the emulators into
$XDG_DATA_HOME/fexpod (like "fexpod binfmt install --user"), writes the hook to
$XDG_CONFIG_HOME/fexpod/hooks.d and the drop-in to
$XDG_CONFIG_HOME/containers/containers.conf.d/90-fexpod-hooks.conf. The hook
then registers the emulator in the private binfmt_misc instance of Podman's
user namespace (once per namespace; again after "podman system migrate"), and
the host's binfmt_misc stays untouched. Logs go to $XDG_STATE_HOME/fexpod/hook.log.
See docs/rootless.md.

Options:
${formatOptions(OPTIONS, true)}

Examples:
  sudo fexpod binfmt install && sudo fexpod hook install
  podman run --rm --arch arm64 docker.io/library/debian uname -m      # aarch64
  fexpod hook status --json
  fexpod hook install --user --guest arm64 && podman run --rm --arch arm64 IMAGE uname -m   # rootless
  # packagers: render into the buildroot
  fexpod hook install --hooks-dir %{buildroot}/usr/share/fexpod/hooks.d \\
      --conf-dir %{buildroot}/usr/share/containers/containers.conf.d --base-conf /dev/null \\
      --node /usr/bin/node --hook-script /usr/lib/node_modules/fexpod/dist/hook/runtime-hook/hook-main.js
`;


/** Options that only make sense for the system-wide install. */
const SYSTEM_ONLY = ['hooks-dir', 'conf-dir', 'build-hooks-dir', 'no-build-hook', 'base-conf', 'state', 'log'] as const;

export function hostHookFiles(): HookHostFiles {
  return {
    read(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    writeAtomic: (path, text) => writeFileAtomic(path, text),
    remove(path) {
      if (!existsSync(path)) return false;
      rmSync(path, { force: true });
      return true;
    },
    list(dir) {
      try {
        return readdirSync(dir);
      } catch {
        return [];
      }
    },
    exists: (path) => existsSync(path),
    removeDirIfEmpty(dir) {
      try {
        rmdirSync(dir);
      } catch {
        /* not empty or not there */
      }
    },
  };
}

/**
 * The installed hook entry: the CommonJS build in dist/hook/ (faster to start,
 * see tsconfig.hook.json) when `npm run build` made it, else the ES module next to this one.
 */
export function defaultHookScript(): string {
  const cjs = fileURLToPath(new URL('../../../hook/runtime-hook/hook-main.js', import.meta.url));
  if (existsSync(cjs) && existsSync(fileURLToPath(new URL('../../../hook/package.json', import.meta.url)))) return cjs;
  return fileURLToPath(new URL('../hook-main.js', import.meta.url));
}

/** The layout the directory options name (also `fexpod setup`'s, which takes the same options). */
export function hookLayoutFrom(values: {
  readonly 'hooks-dir'?: string | undefined;
  readonly 'conf-dir'?: string | undefined;
  readonly 'build-hooks-dir'?: string | undefined;
  readonly 'no-build-hook'?: boolean | undefined;
  readonly 'base-conf'?: readonly string[] | undefined;
}): HookLayout {
  return {
    hooksDir: values['hooks-dir'] ?? DEFAULT_FEXPOD_HOOKS_DIR,
    confDir: values['conf-dir'] ?? DEFAULT_CONF_DIR,
    buildHooksDir: values['no-build-hook'] ? undefined : (values['build-hooks-dir'] ?? DEFAULT_BUILD_HOOKS_DIR),
    baseConfs: values['base-conf'] ?? DEFAULT_BASE_CONFS,
    templates: defaultTemplatesDir(),
  };
}

export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL('../../../../oci-hooks/', import.meta.url)).replace(/\/$/, '');
}

export const command: Command = {
  name: 'hook',
  summary: 'install, remove or inspect the Podman hook for foreign-architecture containers',
  help: HELP,
  options: OPTIONS,
  subcommands: ['install', 'uninstall', 'status'],
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions('hook', args, OPTIONS);
    const sub = positionals[0];
    if (positionals.length !== 1 || !['install', 'uninstall', 'status'].includes(sub ?? '')) {
      throw new UsageError('hook: say install, uninstall or status', 'run "fexpod hook --help"');
    }
    if (values.user) {
      const bad = SYSTEM_ONLY.filter((k) => values[k] !== undefined);
      if (bad.length > 0) throw new UsageError(`hook ${sub} --user: --${bad.join(', --')} cannot be combined with --user`, 'the per-user paths come from HOME and XDG_*_HOME; see "fexpod hook --help"');
      const { parseGuests } = await import('../../emulator/binfmt/binfmt-command.js');
      const { runUserHook } = await import('./user-hook-command.js');
      const opts = { guests: parseGuests(values.guest), emulator: values.emulator, node: values.node, hookScript: values['hook-script'], json: values.json === true };
      return runUserHook(sub ?? 'status', opts, ctx, process.getuid?.() ?? 0);
    }
    if (values.guest || values.emulator) throw new UsageError(`hook ${sub}: --guest and --emulator go with --user`, 'as root, choose emulators with "sudo fexpod binfmt install --guest … --emulator …"');
    const log = streamLogger(ctx.stderr);
    const layout = hookLayoutFrom(values);
    const files = hostHookFiles();
    const stateFile = values.state ?? `${DEFAULT_STATE_DIR}/${STATE_FILE_NAME}`;
    try {
      if (sub === 'install') {
        const r = installHook(files, layout, {
          node: values.node ?? process.execPath,
          hook: values['hook-script'] ?? defaultHookScript(),
          state: stateFile,
          log: values.log ?? DEFAULT_HOOK_LOG,
        }, log);
        for (const w of r.warnings) log.warn(w);
        if (values.json) printJson(ctx, { installed: true, ...r });
        else {
          for (const w of r.written) log.info(`wrote ${w}`);
          log.info(`Podman hooks_dir: ${r.hooksDirs.join(', ')}`);
        }
        return 0;
      }
      if (sub === 'uninstall') {
        const r = uninstallHook(files, layout);
        if (values.json) printJson(ctx, r);
        else {
          for (const p of r.removed) log.info(`removed ${p}`);
          for (const p of r.kept) log.warn(`kept ${p}: not written by fexpod`);
          if (r.removed.length === 0) log.info('nothing to remove');
        }
        return 0;
      }
      const st = hookStatus(files, layout, stateFile, log);
      if (values.json) printJson(ctx, st);
      else {
        ctx.stdout.write(`hook: ${st.installed ? 'installed' : 'not installed'}\n`);
        ctx.stdout.write(`  precreate hook: ${st.precreateHook.path} ${st.precreateHook.present ? (st.precreateHook.valid ? 'ok' : 'INVALID') : 'missing'}\n`);
        if (st.buildHook) ctx.stdout.write(`  build hook:     ${st.buildHook.path} ${st.buildHook.present ? (st.buildHook.valid ? 'ok' : 'INVALID') : 'missing'}\n`);
        ctx.stdout.write(`  drop-in:        ${st.dropIn.path} ${st.dropIn.present ? 'present' : 'missing'}\n`);
        ctx.stdout.write(`  Podman hooks_dir: ${st.effectiveHooksDirs.join(', ')}\n`);
        ctx.stdout.write(`  install state:  ${st.stateFile.path} ${st.stateFile.present ? 'present' : 'missing'}\n`);
        for (const p of st.problems) ctx.stdout.write(`  problem: ${p}\n`);
      }
      return st.installed ? 0 : 1;
    } catch (err) {
      if (err instanceof FexpodError) throw err;
      throw new FexpodError(`hook ${sub}: ${errorMessage(err)}`, {
        cause: err,
        fix: sub === 'status' ? undefined : 'run as root (the files live under /etc), or pass --hooks-dir/--conf-dir/--build-hooks-dir',
      });
    }
  },
};
