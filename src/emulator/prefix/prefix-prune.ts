/**
 * Old emulator prefixes, removed once nothing uses them. Every emulator (or
 * fexpod) update stages a new prefix (<state-dir>/prefix/<digest>) and moves
 * the registrations to it; the old one stays while something may still run
 * from it:
 *   - a binfmt_misc entry names an interpreter in it (registered by hand, or
 *     by an older state),
 *   - a container has that prefix itself bind-mounted (a `podman build` RUN
 *     step, whose createRuntime hook mounts the registration's prefix; or a
 *     hook of an older fexpod): any process's mountinfo, in any mount
 *     namespace, shows a bind mount of it — matched by device and path within
 *     the filesystem, since that is what a container's mountinfo says of a
 *     host directory (the precreate hook mounts the directory of the prefixes,
 *     which holds no particular one),
 *   - a process maps or runs a file of it (/proc/<pid>/maps, exe): in a
 *     container started before the update, its processes run the old emulator.
 * A stopped container does not hold one: Podman runs the precreate hook again
 * at every start (checked with Podman 4.3: `podman start` of a stopped
 * container ran the hook a second time). A prefix still in use stays and is
 * said so; a later refresh (at boot, fexpod-binfmt.service) removes it.
 *
 * The judgement is pure (`prunable`); the /proc walk is at the edge.
 */
import { lstat, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstallState } from '../binfmt/install-state.js';

/** One mount as /proc/<pid>/mountinfo lists it: the device and the path within its filesystem. */
export interface MountRef {
  readonly dev: string;
  readonly root: string;
  readonly mountPoint: string;
}

/** What uses files under the prefix root, as the /proc walk found it. */
export interface PrefixUses {
  /** Interpreter paths of the binfmt_misc entries. */
  readonly interpreters: readonly string[];
  /** Every mount of every mount namespace: [pid, mount]. */
  readonly mounts: readonly (readonly [string, MountRef])[];
  /** Files mapped or run by processes (host paths): [pid, path]. */
  readonly files: readonly (readonly [string, string])[];
  /** This process's own mounts: where the prefixes are, in filesystem terms. */
  readonly ownMounts: readonly MountRef[];
}

/** Parses /proc/<pid>/mountinfo: the device (major:minor), the root within its filesystem and the mount point. */
export function parseMountinfo(text: string): MountRef[] {
  const out: MountRef[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const [dev, root, mountPoint] = [f[2], f[3], f[4]];
    if (dev && root && mountPoint) out.push({ dev, root: unescape(root), mountPoint: unescape(mountPoint) });
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Paths of the files a /proc/<pid>/maps lists (anonymous and special mappings left out). */
export function mappedFiles(maps: string): string[] {
  const out = new Set<string>();
  for (const line of maps.split('\n')) {
    const i = line.indexOf(' /');
    if (i >= 0) out.add(line.slice(i + 1).replace(/ \(deleted\)$/, ''));
  }
  return [...out];
}

const under = (path: string, dir: string) => dir === '/' || path === dir || path.startsWith(`${dir}/`);

/** `dir` as a mount sees it: the device of the mount it lies in and its path within that filesystem. */
export function fsLocation(dir: string, own: readonly MountRef[]): { dev: string; path: string } | undefined {
  let best: MountRef | undefined;
  for (const m of own) if (under(dir, m.mountPoint) && (!best || m.mountPoint.length > best.mountPoint.length)) best = m;
  if (!best) return undefined;
  const rest = best.mountPoint === '/' ? dir : dir.slice(best.mountPoint.length);
  return { dev: best.dev, path: join(best.root, rest) };
}

export interface PruneVerdict {
  readonly remove: readonly string[];
  readonly inUse: readonly { readonly prefix: string; readonly by: string }[];
}

/** Which of `candidates` (prefix directories that no install state names) can go, and why the others stay. */
export function prunable(candidates: readonly string[], uses: PrefixUses): PruneVerdict {
  const remove: string[] = [];
  const inUse: { prefix: string; by: string }[] = [];
  for (const prefix of candidates) {
    const loc = fsLocation(prefix, uses.ownMounts);
    const entry = uses.interpreters.find((i) => under(i, prefix));
    const mount = loc ? uses.mounts.find(([, m]) => m.dev === loc.dev && under(m.root, loc.path)) : undefined;
    const file = uses.files.find(([, f]) => under(f, prefix));
    const by = entry
      ? `a binfmt_misc entry runs ${entry}`
      : mount
        ? `process ${mount[0]} has it mounted at ${mount[1].mountPoint} (a container started before the update)`
        : file
          ? `process ${file[0]} runs ${file[1]}`
          : undefined;
    if (by) inUse.push({ prefix, by });
    else remove.push(prefix);
  }
  return { remove, inUse };
}

export interface PruneDeps {
  /** Names in a directory (empty when it is missing). */
  listDir(path: string): Promise<string[]>;
  /** A file's text (undefined: unreadable or gone, as /proc files of exited processes are). */
  readText(path: string): Promise<string | undefined>;
  /** A symlink's target (undefined: none). */
  readLink(path: string): Promise<string | undefined>;
  /** Whether path is a directory (not a symlink to one). */
  isDir(path: string): Promise<boolean>;
  removeTree(path: string): Promise<void>;
}

/** The prefix directories under root (named by their digest; stable links and stagings left out). */
export async function prefixDirs(root: string, deps: Pick<PruneDeps, 'listDir' | 'isDir'>): Promise<string[]> {
  const out: string[] = [];
  for (const name of await deps.listDir(root)) if (/^[0-9a-f]{64}$/.test(name) && (await deps.isDir(join(root, name)))) out.push(join(root, name));
  return out.sort();
}

/** Walks /proc (and binfmt_misc) for what uses files under the prefix root. */
export async function gatherPrefixUses(deps: Pick<PruneDeps, 'listDir' | 'readText' | 'readLink'>, root: string, proc = '/proc', binfmtDir = '/proc/sys/fs/binfmt_misc'): Promise<PrefixUses> {
  const interpreters: string[] = [];
  for (const name of await deps.listDir(binfmtDir)) {
    if (name === 'register' || name === 'status') continue;
    const m = /^interpreter (.+)$/m.exec((await deps.readText(join(binfmtDir, name))) ?? '');
    if (m?.[1]) interpreters.push(m[1]);
  }
  const mounts: [string, MountRef][] = [];
  const files: [string, string][] = [];
  const seenNs = new Set<string>();
  for (const pid of await deps.listDir(proc)) {
    if (!/^\d+$/.test(pid)) continue;
    const ns = await deps.readLink(join(proc, pid, 'ns', 'mnt'));
    if (ns === undefined || !seenNs.has(ns)) {
      if (ns !== undefined) seenNs.add(ns);
      for (const m of parseMountinfo((await deps.readText(join(proc, pid, 'mountinfo'))) ?? '')) mounts.push([pid, m]);
    }
    const exe = await deps.readLink(join(proc, pid, 'exe'));
    if (exe && under(exe.replace(/ \(deleted\)$/, ''), root)) files.push([pid, exe]);
    for (const f of mappedFiles((await deps.readText(join(proc, pid, 'maps'))) ?? '')) if (under(f, root)) files.push([pid, f]);
  }
  const ownMounts = parseMountinfo((await deps.readText(join(proc, 'self', 'mountinfo'))) ?? '');
  return { interpreters, mounts, files, ownMounts };
}

/** Removes the prefixes under root that `keep` does not name and nothing uses; says which stay and why. */
export async function prunePrefixes(root: string, keep: ReadonlySet<string>, deps: PruneDeps): Promise<PruneVerdict> {
  const candidates = (await prefixDirs(root, deps)).filter((p) => !keep.has(p));
  if (candidates.length === 0) return { remove: [], inUse: [] };
  const verdict = prunable(candidates, await gatherPrefixUses(deps, root));
  for (const p of verdict.remove) await deps.removeTree(p);
  return verdict;
}

/** The prefixes an install state names (registrations and krun microVM entries). */
export function statePrefixes(state: InstallState | undefined): string[] {
  return [...(state?.registrations ?? []).flatMap((r) => (r.prefix ? [r.prefix] : [])), ...(state?.microvm ?? []).map((e) => e.prefix)];
}

/** PruneDeps on the real filesystem and /proc. */
export const nodePruneDeps: PruneDeps = {
  listDir: (p) => readdir(p).catch(() => []),
  readText: (p) => readFile(p, 'utf8').catch(() => undefined),
  readLink: (p) => readlink(p).catch(() => undefined),
  isDir: async (p) => (await lstat(p).catch(() => undefined))?.isDirectory() ?? false,
  removeTree: (p) => rm(p, { recursive: true, force: true }),
};
