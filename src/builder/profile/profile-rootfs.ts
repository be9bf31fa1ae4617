/**
 * The FEX RootFS profile (Fedora's kiwi FEX-RootFS profile and FEX's own
 * RootFS scripts, design.md §5): FEX overlays the RootFS on the host, so files
 * the host must own are removed (then the host's are used), /etc is cut down
 * to what the x86 loader needs, setuid/setgid bits go (they mean nothing
 * under an emulator and would be a hazard), and an ld.so.cache that the x86
 * loader accepts is generated.
 */
import { bufferContent, type TreeEntry } from '../tree/tree.js';
import { PathMatcher, removeEntries } from './profile-paths.js';
import type { ProfileContext, ProfileResult } from './profile.js';

export interface RootfsOptions {
  /** Paths (patterns, subtree semantics) removed from the tree. */
  readonly remove: readonly string[];
  /** Entries directly under etc/ that are kept (with their subtrees); the rest of /etc goes. */
  readonly etcKeep: readonly string[];
  readonly stripSetid: boolean;
  readonly ldSoCache: boolean;
}

export const ROOTFS_DEFAULTS: RootfsOptions = {
  remove: [
    'etc/hosts', 'etc/resolv.conf', 'etc/timezone', 'etc/localtime',
    'etc/passwd*', 'etc/group*', 'etc/shadow*', 'etc/gshadow*',
    'etc/fstab', 'etc/hostname', 'etc/mtab', 'etc/subuid', 'etc/subgid', 'etc/machine-id',
    'var/lib/dbus/machine-id',
    'boot', 'home', 'media', 'mnt', 'root', 'srv', 'tmp', 'run', 'var/tmp', 'var/run', 'var/lock',
  ],
  etcKeep: ['alternatives', 'ld.so*'],
  stripSetid: true,
  ldSoCache: true,
};

export async function applyRootfs(entries: readonly TreeEntry[], o: RootfsOptions, ctx: ProfileContext): Promise<ProfileResult> {
  const notes: string[] = [];
  const remove = new PathMatcher(o.remove);
  const keep = new PathMatcher(o.etcKeep.map((p) => `etc/${p}`));
  const inEtc = (p: string) => p.startsWith('etc/');
  let out = removeEntries(entries, (e) => remove.covers(e.path) || (inEtc(e.path) && !keep.covers(e.path)));
  notes.push(`removed ${entries.length - out.length} host-owned or /etc entries`);

  if (o.stripSetid) {
    let n = 0;
    out = out.map((e) => {
      if (e.type === 'symlink' || (e.mode & 0o6000) === 0) return e;
      n++;
      return { ...e, mode: e.mode & ~0o6000 };
    });
    notes.push(`stripped setuid/setgid from ${n} entries`);
  }

  if (o.ldSoCache) {
    if (!ctx.ldSoCache) {
      notes.push('no ld.so.cache generator available: etc/ld.so.cache not written');
    } else {
      const data = await ctx.ldSoCache(out);
      out = out.filter((e) => e.path !== 'etc/ld.so.cache');
      if (!out.some((e) => e.path === 'etc')) {
        out.push({ path: 'etc', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: ctx.sourceDateEpoch });
      }
      out.push({
        path: 'etc/ld.so.cache',
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        mtime: ctx.sourceDateEpoch,
        content: bufferContent(data),
      });
      notes.push(`generated etc/ld.so.cache (${data.length} bytes)`);
    }
  }
  return { entries: out, notes };
}
