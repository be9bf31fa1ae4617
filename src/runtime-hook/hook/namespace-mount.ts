/**
 * Effects of the createRuntime hook: creating a mount point inside a rootfs
 * without following symlinks, and a bind mount inside another process's mount
 * namespace. Node cannot setns(2), so the mount runs as
 * `nsenter --target PID --mount -- mount --bind -o ro,nosuid,nodev SRC DST`
 * with absolute tool paths (hooks run with an empty environment).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { errnoCode } from '../../common/errors.js';
import { MOUNT_BINARIES } from './binfmt-ensure.js';
import type { CreateRuntimeDeps } from './create-runtime.js';

const NSENTER = ['/usr/bin/nsenter', '/bin/nsenter'];

function tool(candidates: readonly string[]): string {
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`none of ${candidates.join(', ')} exists`);
  return found;
}

export function makeMountPoint(root: string, path: string): void {
  let cur = root.replace(/\/+$/, '');
  for (const c of path.split('/').filter((x) => x !== '' && x !== '.')) {
    if (c === '..') throw new Error(`mount point ${path} contains ".."`);
    cur = `${cur}/${c}`;
    let st;
    try {
      st = lstatSync(cur);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      mkdirSync(cur, { mode: 0o755 });
      continue;
    }
    if (st.isSymbolicLink()) throw new Error(`${cur} is a symlink; refusing to create a mount point through it`);
    if (!st.isDirectory()) throw new Error(`${cur} exists and is not a directory`);
  }
}

/** Mount points listed in a mountinfo text (field 5, with octal escapes undone). */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export function hostNamespaceMounts(): Pick<CreateRuntimeDeps, 'readConfig' | 'processRoot' | 'makeMountPoint' | 'isMounted' | 'bindMount'> {
  return {
    readConfig: (bundle) => readFileSync(`${bundle}/config.json`, 'utf8'),
    processRoot: (pid) => readlinkSync(`/proc/${pid}/root`),
    makeMountPoint,
    isMounted: (pid, hostPath) => mountPoints(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).includes(hostPath),
    bindMount(pid, source, target, options) {
      execFileSync(
        tool(NSENTER),
        ['--target', String(pid), '--mount', '--', tool(MOUNT_BINARIES), '--bind', '-o', options.join(','), source, target],
        { stdio: ['ignore', 'ignore', 'pipe'], env: {}, timeout: 5000 },
      );
    },
  };
}
