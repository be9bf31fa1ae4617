/**
 * The binfmt_misc of rootless Podman's user namespace, seen from outside:
 * `podman unshare` joins the same user and mount namespaces that Podman's
 * hooks and containers run in (those of its pause process), so a short
 * script there shows whether the private instance exists and which of our
 * entries it holds, or removes them. Only trusted host programs run (podman,
 * /bin/sh); the entry names come from our own state file and are checked.
 */
import { FexpodError } from '../../common/errors.js';

export const USERNS_BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** $1 = dir, then entry names. Prints "instance=private|host" and "<name>=enabled|disabled|missing". */
const READ_SCRIPT = `d=$1; shift
if [ -w "$d/register" ]; then echo instance=private; else echo instance=host; fi
for n in "$@"; do if [ -e "$d/$n" ]; then echo "$n=$(head -n 1 "$d/$n")"; else echo "$n=missing"; fi; done`;

/** Removes the named entries, only from a private instance. */
const REMOVE_SCRIPT = `d=$1; shift
[ -w "$d/register" ] || exit 0
for n in "$@"; do if [ -e "$d/$n" ]; then echo -1 > "$d/$n" && echo "removed=$n"; fi; done`;

export type PodmanRunner = (args: readonly string[]) => Promise<{ readonly stdout: string; readonly stderr: string; readonly exitCode: number } | undefined>;

export interface UsernsBinfmt {
  /** The instance binfmt_misc shows in Podman's namespace: its own (private) or the host's. */
  readonly instance: 'private' | 'host';
  readonly entries: Readonly<Record<string, 'enabled' | 'disabled' | 'missing'>>;
}

function checkNames(names: readonly string[]): void {
  for (const n of names) {
    if (!/^[A-Za-z0-9_.+-]+$/.test(n)) throw new FexpodError(`refusing binfmt entry name "${n}"`, { fix: 'the state file was edited by hand: run "fexpod hook install --user" again' });
  }
}

/** Parses the read script's output. Pure. */
export function parseUsernsBinfmt(stdout: string, names: readonly string[]): UsernsBinfmt {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const entries: Record<string, 'enabled' | 'disabled' | 'missing'> = {};
  for (const n of names) {
    const v = kv.get(n);
    entries[n] = v === 'enabled' ? 'enabled' : v === 'disabled' ? 'disabled' : 'missing';
  }
  return { instance: kv.get('instance') === 'private' ? 'private' : 'host', entries };
}

/** Reads Podman's namespace; throws when `podman unshare` does not work for this user. */
export async function readUsernsBinfmt(run: PodmanRunner, names: readonly string[]): Promise<UsernsBinfmt> {
  checkNames(names);
  const r = await run(['unshare', '/bin/sh', '-c', READ_SCRIPT, 'sh', USERNS_BINFMT_DIR, ...names]);
  if (!r || r.exitCode !== 0) {
    throw new FexpodError(`podman unshare failed${r ? `: ${r.stderr.trim().split('\n')[0] ?? ''}` : ''}`, { fix: 'check this user\'s rootless Podman setup with "fexpod doctor"' });
  }
  return parseUsernsBinfmt(r.stdout, names);
}

/** Removes our entries from Podman's private instance; returns the names removed. */
export async function removeUsernsEntries(run: PodmanRunner, names: readonly string[]): Promise<string[]> {
  checkNames(names);
  if (names.length === 0) return [];
  const r = await run(['unshare', '/bin/sh', '-c', REMOVE_SCRIPT, 'sh', USERNS_BINFMT_DIR, ...names]);
  if (!r || r.exitCode !== 0) {
    throw new FexpodError(`podman unshare failed${r ? `: ${r.stderr.trim().split('\n')[0] ?? ''}` : ''}`, { fix: 'the entries go away with Podman\'s user namespace anyway ("podman system migrate" ends it)' });
  }
  return r.stdout.split('\n').filter((l) => l.startsWith('removed=')).map((l) => l.slice('removed='.length));
}
