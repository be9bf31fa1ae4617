/**
 * The real effects behind stagePrefix: node:fs and the patchelf binary.
 * Kept apart from emulator-prefix.ts so the staging logic stays testable
 * with an in-memory filesystem.
 */
import { randomBytes } from 'node:crypto';
import { access, chmod, chown, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { FexpodError, errnoCode } from '../../common/errors.js';
import type { PrefixDeps } from './emulator-prefix.js';

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR') return undefined;
    throw err;
  }
}

export interface NodePrefixDepsOptions {
  /** patchelf executable (default: "patchelf" looked up on PATH). */
  readonly patchelf?: string;
  readonly getuid?: () => number;
}

export function nodePrefixDeps(opts: NodePrefixDepsOptions = {}): PrefixDeps {
  const patchelfBin = opts.patchelf ?? 'patchelf';
  return {
    readFile: async (p) => orUndefined(readFile(p).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    realpath: async (p) => orUndefined(realpath(p)),
    readText: async (p) => orUndefined(readFile(p, 'utf8')),
    listDir: async (p) => orUndefined(readdir(p)),
    exists: async (p) => (await orUndefined(access(p).then(() => true))) ?? false,
    mkdir: async (p, mode) => {
      await mkdir(p, { recursive: true, mode });
    },
    writeFile: (p, data, mode) => writeFile(p, data, { mode, flag: 'wx' }),
    chmod: (p, mode) => chmod(p, mode),
    chown: (p, uid, gid) => chown(p, uid, gid),
    rename: (a, b) => rename(a, b),
    removeTree: (p) => rm(p, { recursive: true, force: true }),
    patchelf: async (args) => {
      try {
        await execa(patchelfBin, [...args], { timeout: 60_000, stdin: 'ignore' });
      } catch (err) {
        throw new FexpodError(`patchelf ${args.join(' ')} failed`, {
          cause: err,
          fix: errnoCode(err) === 'ENOENT' ? 'install patchelf (sudo dnf install patchelf)' : 'check that patchelf ≥ 0.14 is installed',
        });
      }
    },
    getuid: opts.getuid ?? (() => process.getuid?.() ?? 0),
    uniqueSuffix: () => `${process.pid}-${randomBytes(6).toString('hex')}`,
  };
}
