/**
 * `fexpod hook install|uninstall|status --user`: wiring and output of
 * user-install.ts for one user's rootless Podman (see docs/rootless.md).
 */
import { execa } from 'execa';
import type { Arch } from '../../common/arch.js';
import { type CliContext, printJson } from '../../common/command.js';
import { FexpodError, errorMessage } from '../../common/errors.js';
import { streamLogger } from '../../common/log.js';
import { userDirs } from '../../common/user-dirs.js';
import { installUserBinfmt, uninstallUserBinfmt } from '../../emulator/rootless/binfmt-user.js';
import { printUserInstall, requireNonRoot, userBinfmtDeps } from '../../emulator/rootless/binfmt-user-command.js';
import { parsePodmanVersion, type PodmanVersion } from '../../emulator/host/podman-info.js';
import { hookStatus } from './hook-install.js';
import { installUserHook, uninstallUserHook, userLayout } from './user-install.js';
import { defaultHookScript, defaultTemplatesDir, hostHookFiles } from './hook-command.js';

export interface UserHookOptions {
  readonly guests: readonly Arch[] | undefined;
  readonly emulator: string | undefined;
  readonly node: string | undefined;
  readonly hookScript: string | undefined;
  readonly json: boolean;
}

async function podmanVersion(env: CliContext['env']): Promise<PodmanVersion | undefined> {
  try {
    const r = await execa('podman', ['--version'], { env: { ...env, LC_ALL: 'C' }, extendEnv: false, reject: false, timeout: 10_000, stdin: 'ignore' });
    return parsePodmanVersion(String(r.stdout));
  } catch {
    return undefined;
  }
}

export async function runUserHook(sub: string, o: UserHookOptions, ctx: CliContext, uid: number): Promise<number> {
  requireNonRoot(uid, `fexpod hook ${sub}`);
  const log = streamLogger(ctx.stderr);
  const layout = userLayout(userDirs(ctx.env), uid, await podmanVersion(ctx.env), defaultTemplatesDir());
  const files = hostHookFiles();
  try {
    if (sub === 'install') {
      const deps = await userBinfmtDeps(layout.stateDir, ctx);
      let staged: Awaited<ReturnType<typeof installUserBinfmt>> | undefined;
      const r = await installUserHook(files, layout, { node: o.node ?? process.execPath, hook: o.hookScript ?? defaultHookScript() }, async () => {
        staged = await installUserBinfmt({ ...(o.guests ? { guests: o.guests } : {}), ...(o.emulator ? { emulator: o.emulator } : {}) }, deps);
      }, log);
      for (const w of r.warnings) log.warn(w);
      if (ctx.env['CONTAINERS_CONF']) log.warn(`CONTAINERS_CONF is set: Podman then reads only ${ctx.env['CONTAINERS_CONF']}; add ${layout.hook.hooksDir} to hooks_dir there`);
      if (o.json) printJson(ctx, { installed: true, ...r, emulators: staged?.installed ?? [], entriesReplaced: staged?.entriesReplaced ?? [], stateFile: layout.stateFile, log: layout.log });
      else {
        if (staged) printUserInstall(ctx, staged);
        for (const w of r.written) log.info(`wrote ${w}`);
        log.info(`Podman hooks_dir for ${layout.home}: ${r.hooksDirs.join(', ')}`);
      }
      return 0;
    }
    if (sub === 'uninstall') {
      const deps = await userBinfmtDeps(layout.stateDir, ctx);
      const r = await uninstallUserHook(files, layout, async () => {
        const u = await uninstallUserBinfmt(deps);
        if (u.entriesRemoved.length > 0) log.info(`removed ${u.entriesRemoved.join(', ')} from Podman's user namespace`);
        return u.filesRemoved;
      });
      if (o.json) printJson(ctx, r);
      else {
        for (const p of [...r.removed, ...r.dirsRemoved]) log.info(`removed ${p}`);
        for (const p of r.kept) log.warn(`kept ${p}: not written by fexpod`);
      }
      return 0;
    }
    const st = hookStatus(files, layout.hook, layout.stateFile, log);
    if (o.json) printJson(ctx, { ...st, log: layout.log });
    else {
      ctx.stdout.write(`hook (rootless, ${layout.home}): ${st.installed ? 'installed' : 'not installed'}\n`);
      ctx.stdout.write(`  precreate hook: ${st.precreateHook.path} ${st.precreateHook.present ? (st.precreateHook.valid ? 'ok' : 'INVALID') : 'missing'}\n`);
      ctx.stdout.write(`  drop-in:        ${st.dropIn.path} ${st.dropIn.present ? 'present' : 'missing'}\n`);
      ctx.stdout.write(`  Podman hooks_dir: ${st.effectiveHooksDirs.join(', ')}\n`);
      ctx.stdout.write(`  emulators:      ${st.stateFile.path} ${st.stateFile.present ? 'present' : 'missing'}\n`);
      ctx.stdout.write(`  log:            ${layout.log}\n`);
      for (const p of st.problems) ctx.stdout.write(`  problem: ${p.replace('"fexpod binfmt install"', '"fexpod hook install --user"')}\n`);
    }
    return st.installed ? 0 : 1;
  } catch (err) {
    if (err instanceof FexpodError) throw err;
    throw new FexpodError(`hook ${sub} --user: ${errorMessage(err)}`, { cause: err, fix: `check that ${layout.home} is writable by you` });
  }
}
