/**
 * `fexpod binfmt … --user`: the wiring and output of the rootless flows in
 * binfmt-user.ts (the same wiring serves `fexpod hook install --user`).
 */
import { readdir, rm } from 'node:fs/promises';
import { execa } from 'execa';
import type { Arch } from '../../common/arch.js';
import { type CliContext, printJson } from '../../common/command.js';
import { FexpodError, UsageError } from '../../common/errors.js';
import { streamLogger } from '../../common/log.js';
import { userDirs } from '../../common/user-dirs.js';
import { sharedBinfmtDeps } from '../binfmt/binfmt-command.js';
import { type UserBinfmtDeps, type UserInstallResult, type UserStatus, type UserUninstallResult, installUserBinfmt, uninstallUserBinfmt, userBinfmtStatus } from './binfmt-user.js';
import { userStateDir } from '../binfmt/install-state.js';
import type { PodmanRunner } from './podman-userns.js';
import { gatherPrefixUses, nodePruneDeps } from '../prefix/prefix-prune.js';

/** Refuses root: a per-user install for uid 0 would configure nothing Podman uses. */
export function requireNonRoot(uid: number, what: string): void {
  if (uid === 0) {
    throw new UsageError(`${what} --user is for a normal user running rootless Podman, not root`, `as root use "${what}" without --user; as a user run it without sudo`);
  }
}

/** The default per-user state directory, from the environment (XDG_DATA_HOME, HOME). */
export function defaultUserStateDir(env: CliContext['env']): string {
  return userStateDir(userDirs(env).dataHome);
}

/** `podman` as this user, with this user's environment. */
export function podmanRunner(env: CliContext['env'], timeoutMs = 60_000): PodmanRunner {
  return async (args) => {
    try {
      const r = await execa('podman', [...args], { env: { ...env, LC_ALL: 'C' }, extendEnv: false, reject: false, timeout: timeoutMs, stdin: 'ignore' });
      if (r.timedOut || r.exitCode === undefined) return undefined;
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode };
    } catch {
      return undefined;
    }
  };
}

export async function userBinfmtDeps(stateDir: string, ctx: CliContext): Promise<UserBinfmtDeps> {
  return {
    ...(await sharedBinfmtDeps(stateDir, ctx)),
    stateDir,
    log: streamLogger(ctx.stderr),
    podman: podmanRunner(ctx.env),
    removeTree: (p) => rm(p, { recursive: true, force: true }),
    prefixUses: (root) => gatherPrefixUses(nodePruneDeps, root),
    removeFile: (p) => rm(p, { force: true }),
    listDir: async (p) => {
      try {
        return await readdir(p);
      } catch {
        return [];
      }
    },
  };
}

export function printUserInstall(ctx: CliContext, r: UserInstallResult): void {
  for (const g of r.installed) {
    ctx.stdout.write(`${g.guest}: ${g.entryName} -> ${g.interpreter} [${g.flags}]${g.prefix ? ` (prefix ${g.prefix})` : ''}\n`);
  }
  ctx.stdout.write(`recorded in ${r.stateFile}; the hook ("fexpod hook install --user") registers these in the private binfmt_misc of Podman's user namespace at the next foreign container start\n`);
  for (const u of r.prefixesInUse) ctx.stdout.write(`kept old prefix ${u.prefix}: ${u.by}; a later install removes it\n`);
}

function printUserStatus(ctx: CliContext, s: UserStatus): void {
  if (!s.state || s.state.registrations.length === 0) {
    ctx.stdout.write(`no per-user emulators recorded (${s.stateFile}); run "fexpod hook install --user"\n`);
    return;
  }
  const ns = s.namespace;
  ctx.stdout.write(ns ? `Podman's user namespace: ${ns.instance === 'private' ? 'private binfmt_misc instance present' : 'no private instance yet (the hook makes it at the next foreign container start)'}\n` : `Podman's user namespace: not readable (${s.error ?? 'unknown'})\n`);
  for (const r of s.state.registrations) {
    const live = ns?.instance === 'private' ? ns.entries[r.entryName] ?? 'missing' : 'not registered yet';
    ctx.stdout.write(`${r.guest}: ${r.entryName} -> ${r.interpreter} (${r.emulator}) ${live}\n`);
  }
}

function printUserUninstall(ctx: CliContext, r: UserUninstallResult): void {
  ctx.stdout.write(`removed from Podman's namespace: ${r.entriesRemoved.join(', ') || 'nothing'}\n`);
  for (const f of r.filesRemoved) ctx.stdout.write(`file: ${f} removed\n`);
}

export interface UserBinfmtOptions {
  readonly guests: readonly Arch[] | undefined;
  readonly emulator: string | undefined;
  readonly stateDir: string | undefined;
  readonly json: boolean;
}

export async function runUserBinfmt(sub: string | undefined, o: UserBinfmtOptions, ctx: CliContext, uid: number): Promise<number> {
  requireNonRoot(uid, 'fexpod binfmt');
  const deps = await userBinfmtDeps(o.stateDir ?? defaultUserStateDir(ctx.env), ctx);
  switch (sub) {
    case undefined:
    case 'status': {
      const s = await userBinfmtStatus(deps);
      if (o.json) printJson(ctx, s);
      else printUserStatus(ctx, s);
      return 0;
    }
    case 'install': {
      const r = await installUserBinfmt({ ...(o.guests ? { guests: o.guests } : {}), ...(o.emulator ? { emulator: o.emulator } : {}) }, deps);
      if (o.json) printJson(ctx, r);
      else printUserInstall(ctx, r);
      return 0;
    }
    case 'uninstall': {
      if (o.guests) throw new UsageError('binfmt uninstall --user removes every per-user registration; it takes no --guest', 'drop --guest, then "fexpod binfmt install --user --guest …" for the ones to keep');
      const r = await uninstallUserBinfmt(deps);
      if (o.json) printJson(ctx, r);
      else printUserUninstall(ctx, r);
      return 0;
    }
    default:
      throw new FexpodError(`binfmt: unknown subcommand "${sub}"`, { fix: 'use status, install or uninstall (see fexpod binfmt --help)', exitCode: 2 });
  }
}
