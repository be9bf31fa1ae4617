/**
 * The real effects behind emulator discovery: access(2), realpath and a
 * bounded read of a file's first bytes. PATH is passed in by the caller.
 */
import { constants } from 'node:fs';
import { access, open, realpath } from 'node:fs/promises';
import type { DiscoveryDeps } from './emulator-catalogue.js';

export function nodeDiscoveryDeps(pathVar: string | undefined): DiscoveryDeps {
  const pathDirs = (pathVar ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter((d) => d.length > 0);
  return {
    pathDirs,
    isExecutable: async (p) => {
      try {
        await access(p, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    realpath: async (p) => {
      try {
        return await realpath(p);
      } catch {
        return undefined;
      }
    },
    readHead: async (p, length) => {
      let fh;
      try {
        fh = await open(p, 'r');
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, 0);
        return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
      } catch {
        return undefined;
      } finally {
        await fh?.close();
      }
    },
  };
}
