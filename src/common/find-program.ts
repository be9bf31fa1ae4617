/**
 * The file a bare program name runs as, found the way spawn finds it on a
 * PATH: the first directory holding an executable of that name. Relative
 * entries are skipped (for root a relative PATH entry is a trap: it resolves
 * against whatever directory the command happens to run in). One rule for
 * every lookup: the tools whose identity keys a rebuild, the zstd CLI for
 * payloads, the emulator the muvm dispatcher starts in the guest.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function findProgram(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '/usr/bin:/bin').split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
