/**
 * Gathers RootlessFacts for `fexpod doctor` as a normal user, through the
 * doctor's HostDeps: /etc/passwd, /etc/subuid, /etc/subgid, the userns sysctls,
 * newuidmap/newgidmap, a throwaway `unshare -Urm` that mounts binfmt_misc (it
 * proves the kernel hands this user a private instance and changes nothing:
 * the namespace dies with the command), `podman unshare cat /proc/self/uid_map`,
 * and the per-user install's files. Parsers are pure and exported.
 */
import type { ArchName } from '../../common/arch.js';
import { userDirs } from '../../common/user-dirs.js';
import type { HostDeps } from '../host/host-facts.js';
import { STATE_FILE_NAME, parseInstallState, userStateDir, type InstallState } from '../binfmt/install-state.js';
import type { IdRange, RootlessFacts } from './rootless-route.js';

const PROBE_TIMEOUT_MS = 10_000;
const PODMAN_TIMEOUT_MS = 30_000;
const PROBE_SCRIPT = 'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && test -w /proc/sys/fs/binfmt_misc/register';

/** The login name of `uid` in /etc/passwd text. */
export function userName(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[2] === String(uid) && f[0]) return f[0];
  }
  return undefined;
}

/** The ranges /etc/subuid (or subgid) text gives a user, by name or by uid. */
export function subIdRanges(text: string, user: string | undefined, uid: number): IdRange[] {
  const out: IdRange[] = [];
  for (const line of text.split('\n')) {
    const [who, start, count] = line.trim().split(':');
    if (!who || start === undefined || count === undefined) continue;
    if (who !== user && who !== String(uid)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && c > 0) out.push({ start: s, count: c });
  }
  return out;
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

export interface RootlessGatherInput {
  readonly perUsernsBinfmt: boolean;
  readonly podmanPresent: boolean;
  /** Podman's effective hooks directories for this user. */
  readonly podmanHooksDirs: readonly string[];
  readonly selinuxEnabled: boolean;
}

export async function gatherRootlessFacts(deps: HostDeps, input: RootlessGatherInput): Promise<RootlessFacts> {
  const passwd = (await deps.readText('/etc/passwd')) ?? '';
  const user = userName(passwd, deps.uid) ?? deps.env['USER'];
  const num = (t: string | undefined) => (t === undefined || !/^\d+$/.test(t.trim()) ? undefined : Number(t.trim()));
  const clone = await deps.readText('/proc/sys/kernel/unprivileged_userns_clone');
  const [newuidmap, newgidmap] = await Promise.all([deps.which('newuidmap'), deps.which('newgidmap')]);

  let probe: RootlessFacts['probe'];
  if (deps.uid !== 0) {
    const r = await deps.run('unshare', ['--user', '--map-root-user', '--mount', '/bin/sh', '-c', PROBE_SCRIPT], PROBE_TIMEOUT_MS);
    probe = r === undefined ? { ok: false, error: 'unshare (util-linux) did not run' } : r.exitCode === 0 ? { ok: true } : { ok: false, error: firstLine(r.stderr) || `exit status ${r.exitCode}` };
  }
  let unshare: RootlessFacts['podman']['unshare'];
  if (deps.uid !== 0 && input.podmanPresent) {
    const r = await deps.run('podman', ['unshare', 'cat', '/proc/self/uid_map'], PODMAN_TIMEOUT_MS);
    unshare = r === undefined ? { ok: false, error: 'podman unshare did not answer' } : r.exitCode === 0 ? { ok: true, uidMapLines: r.stdout.trim().split('\n').filter((l) => l.trim()).length } : { ok: false, error: firstLine(r.stderr) || `exit status ${r.exitCode}` };
  }

  let install: RootlessFacts['install'] = { hooksDir: '', hookInForce: false, stateFile: '', guests: [], missingPrefixes: [] };
  try {
    const dirs = userDirs(deps.env);
    const hooksDir = `${dirs.configHome}/fexpod/hooks.d`;
    const stateFile = `${userStateDir(dirs.dataHome)}/${STATE_FILE_NAME}`;
    const hookInForce = input.podmanHooksDirs.includes(hooksDir) && (await deps.exists(`${hooksDir}/fexpod-precreate.json`));
    let guests: ArchName[] = [];
    const missingPrefixes: string[] = [];
    let state: InstallState | undefined;
    const text = await deps.readText(stateFile);
    if (text !== undefined) {
      try {
        state = parseInstallState(text, stateFile);
        guests = state.registrations.map((r) => r.guest);
        for (const r of state.registrations) if (r.prefix && !(await deps.exists(r.prefix))) missingPrefixes.push(r.prefix);
      } catch {
        guests = [];
        state = undefined;
      }
    }
    const prefixDir = `${userStateDir(dirs.dataHome)}/prefix`;
    let prefixLabel: string | undefined;
    if (input.selinuxEnabled && (await deps.exists(prefixDir))) {
      const r = await deps.run('stat', ['-c', '%C', prefixDir], PROBE_TIMEOUT_MS);
      prefixLabel = r && r.exitCode === 0 ? r.stdout.trim() : undefined;
    }
    install = { hooksDir, hookInForce, stateFile, guests, missingPrefixes, prefixDir, ...(prefixLabel ? { prefixLabel } : {}), ...(state ? { state } : {}) };
  } catch {
    /* no usable HOME: nothing installed per user */
  }
  return {
    uid: deps.uid,
    user,
    kernelRelease: deps.kernelRelease,
    perUsernsBinfmt: input.perUsernsBinfmt,
    maxUserNamespaces: num(await deps.readText('/proc/sys/user/max_user_namespaces')),
    unprivilegedUsernsClone: clone === undefined ? undefined : clone.trim() !== '0',
    subuid: subIdRanges((await deps.readText('/etc/subuid')) ?? '', user, deps.uid),
    subgid: subIdRanges((await deps.readText('/etc/subgid')) ?? '', user, deps.uid),
    newuidmap: newuidmap !== undefined,
    newgidmap: newgidmap !== undefined,
    probe,
    podman: { present: input.podmanPresent, ...(unshare ? { unshare } : {}) },
    install,
  };
}
