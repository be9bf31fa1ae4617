/**
 * The file effects setup needs beyond what the hook installer uses: the hook
 * installer's interface plus symlinks (systemd's .wants links). Synchronous,
 * like the hook installer's; the real one is node:fs.
 */
import { readlinkSync } from 'node:fs';
import { symlinkAtomic } from '../common/atomic-write.js';
import type { HookHostFiles } from '../runtime-hook/install/hook-install.js';
import { hostHookFiles } from '../runtime-hook/install/hook-command.js';

export interface SetupFiles extends HookHostFiles {
  /** Symlink target, or undefined when not a symlink / missing. */
  readlink(path: string): string | undefined;
  /** Creates or replaces a symlink atomically (temporary link, rename); creates the directory. */
  symlinkAtomic(target: string, path: string): void;
}

export function nodeSetupFiles(): SetupFiles {
  return {
    ...hostHookFiles(),
    readlink(path) {
      try {
        return readlinkSync(path);
      } catch {
        return undefined;
      }
    },
    symlinkAtomic,
  };
}
