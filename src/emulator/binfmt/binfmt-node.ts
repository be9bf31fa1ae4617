/**
 * The real effects behind the binfmt interfaces: node:fs for
 * /proc/sys/fs/binfmt_misc and binfmt.d, mount(8) for mounting binfmt_misc.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lstat, open, readFile, readdir, readlink, rename, rm } from 'node:fs/promises';
import { symlinkAtomic, writeFileAtomic } from '../../common/atomic-write.js';
import { errnoCode } from '../../common/errors.js';
import type { BinfmtFs } from './binfmt-controller.js';
import type { PersistFs } from './binfmt-persist.js';

const run = promisify(execFile);

export interface NodeEffectsOptions {
  /** PATH to find mount(8) with (the CLI passes its environment's). */
  readonly path?: string;
}

export function nodeBinfmtFs(opts: NodeEffectsOptions = {}): BinfmtFs {
  return {
    readdir: (p) => readdir(p),
    readFile: (p) => readFile(p, 'utf8'),
    async writeFile(p, text) {
      // One write(): the kernel parses each write to `register` as a whole line.
      const fh = await open(p, 'w');
      try {
        const buf = Buffer.from(text);
        const { bytesWritten } = await fh.write(buf, 0, buf.length);
        if (bytesWritten !== buf.length) throw new Error(`short write to ${p}: ${bytesWritten}/${buf.length}`);
      } finally {
        await fh.close();
      }
    },
    async mountBinfmtMisc(p) {
      await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', p], { env: { PATH: opts.path ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
    },
  };
}

export function nodePersistFs(): PersistFs {
  return {
    async readdir(dir) {
      try {
        return await readdir(dir);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
        throw err;
      }
    },
    async readFile(p) {
      try {
        return await readFile(p, 'utf8');
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return undefined;
        throw err;
      }
    },
    async readlink(p) {
      try {
        return await readlink(p);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'EINVAL') return undefined;
        throw err;
      }
    },
    async exists(p) {
      try {
        await lstat(p);
        return true;
      } catch {
        return false;
      }
    },
    async writeFileAtomic(p, text) {
      writeFileAtomic(p, text, 0o644);
    },
    async symlinkAtomic(target, p) {
      symlinkAtomic(target, p);
    },
    rename: (a, b) => rename(a, b),
    remove: (p) => rm(p, { force: true }),
  };
}
