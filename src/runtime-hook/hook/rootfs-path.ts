/**
 * Resolving a path *inside* a container's rootfs from the host, the way the
 * container will see it, without ever leaving the rootfs: every component is
 * looked at with lstat, every symlink is read and resolved relative to the
 * rootfs (absolute targets are re-rooted there, ".." stops at the root), and a
 * hop limit stops loops. The host file system sits behind RootfsFs so that the
 * algorithm is testable on plain values.
 */

/** Same limit as Linux's MAXSYMLINKS. */
export const MAX_SYMLINK_HOPS = 40;

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface RootfsFs {
  /** Kind and mode of the entry at a host path, without following a final symlink; undefined if absent. */
  lstat(hostPath: string): { kind: EntryKind; mode: number } | undefined;
  /** Target of a symlink at a host path. */
  readlink(hostPath: string): string;
}

export type Resolution =
  | { readonly ok: true; readonly hostPath: string; readonly containerPath: string; readonly mode: number; readonly kind: EntryKind }
  | { readonly ok: false; readonly reason: string };

function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

function join(root: string, parts: readonly string[]): string {
  return parts.length === 0 ? root : `${root.replace(/\/+$/, '')}/${parts.join('/')}`;
}

/**
 * Resolves `path` (absolute in the container, or relative to `cwd` in the
 * container) to a host path under `root`. The final component may be any kind
 * of entry except a symlink (symlinks are followed, also at the end).
 */
export function resolveInRoot(fs: RootfsFs, root: string, path: string, cwd = '/'): Resolution {
  const resolved: string[] = [];
  let pending = path.startsWith('/') ? components(path) : [...components(cwd), ...components(path)];
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift() ?? '';
    if (c === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, c];
    const hostPath = join(root, candidate);
    const st = fs.lstat(hostPath);
    if (!st) return { ok: false, reason: `/${candidate.join('/')} does not exist in the rootfs` };
    if (st.kind === 'symlink') {
      if (++hops > MAX_SYMLINK_HOPS) return { ok: false, reason: `too many symlinks resolving ${path} (loop?)` };
      const target = fs.readlink(hostPath);
      if (target.startsWith('/')) resolved.length = 0;
      pending = [...components(target), ...pending];
      continue;
    }
    if (pending.length > 0 && st.kind !== 'dir') {
      return { ok: false, reason: `/${candidate.join('/')} is not a directory` };
    }
    resolved.push(c);
    if (pending.length === 0) {
      return { ok: true, hostPath, containerPath: `/${resolved.join('/')}`, mode: st.mode, kind: st.kind };
    }
  }
  return { ok: true, hostPath: join(root, resolved), containerPath: `/${resolved.join('/')}`, mode: 0o755, kind: 'dir' };
}

/** PATH runc and crun use when the container has none (Go's and the OCI default). */
export const DEFAULT_CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The value of PATH in an OCI process.env list. */
export function pathFromEnv(env: readonly string[] | undefined): string {
  const entry = env?.find((e) => e.startsWith('PATH='));
  return entry === undefined ? DEFAULT_CONTAINER_PATH : entry.slice(5);
}

/**
 * Finds the executable the runtime will exec for `name`: a name with a slash
 * is resolved as a path (relative to cwd), a bare name is searched in PATH
 * like execvp does (first regular file with an execute bit).
 */
export function lookPath(fs: RootfsFs, root: string, name: string, searchPath: string, cwd = '/'): Resolution {
  if (name === '') return { ok: false, reason: 'empty command' };
  if (name.includes('/')) {
    const r = resolveInRoot(fs, root, name, cwd);
    if (r.ok && r.kind !== 'file') return { ok: false, reason: `${name} is not a regular file` };
    return r;
  }
  for (const dir of searchPath.split(':')) {
    const r = resolveInRoot(fs, root, `${dir === '' ? '.' : dir}/${name}`, cwd);
    if (r.ok && r.kind === 'file' && (r.mode & 0o111) !== 0) return r;
  }
  return { ok: false, reason: `${name} not found in PATH ${searchPath}` };
}
