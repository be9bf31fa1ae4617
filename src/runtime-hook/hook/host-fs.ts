/**
 * The real file system behind RootfsFs/ExecFs: lstat/readlink per component,
 * and a guarded read of a file's first bytes (O_NOFOLLOW|O_NONBLOCK, regular
 * files only, and the opened file's real path must still lie in the rootfs —
 * which also closes the window between resolving and opening).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readlinkSync, realpathSync } from 'node:fs';
import type { EntryKind } from './rootfs-path.js';
import type { ExecFs } from './exec-arch.js';

function kindOf(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  return 'other';
}

export function hostExecFs(): ExecFs {
  const realRoots = new Map<string, string>();
  const realRoot = (root: string): string => {
    let r = realRoots.get(root);
    if (r === undefined) {
      r = realpathSync(root);
      realRoots.set(root, r);
    }
    return r;
  };
  return {
    lstat(hostPath) {
      try {
        const st = lstatSync(hostPath);
        return { kind: kindOf(st), mode: st.mode };
      } catch {
        return undefined;
      }
    },
    readlink(hostPath) {
      return readlinkSync(hostPath);
    },
    readHead(hostPath, root, max) {
      let fd: number;
      try {
        fd = openSync(hostPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch {
        return undefined;
      }
      try {
        if (!fstatSync(fd).isFile()) return undefined;
        const inside = realRoot(root);
        const real = readlinkSync(`/proc/self/fd/${fd}`);
        if (!real.startsWith(inside === '/' ? '/' : `${inside}/`)) return undefined;
        const buf = Buffer.alloc(max);
        const n = readSync(fd, buf, 0, max, 0);
        return buf.subarray(0, n);
      } catch {
        return undefined;
      } finally {
        closeSync(fd);
      }
    },
  };
}
