/**
 * The real effects behind gatherHostFacts: node:fs, os and execa. The CLI
 * builds this once from its context (env, PATH) and passes it down.
 */
import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { endianness, release } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { HostDeps } from './host-facts.js';

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch {
    return undefined;
  }
}

const MODES = { read: constants.R_OK, write: constants.W_OK, readwrite: constants.R_OK | constants.W_OK } as const;

export function nodeHostDeps(env: Readonly<Record<string, string | undefined>>): HostDeps {
  const pathDirs = (env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter((d) => d.startsWith('/'));
  const canAccess = async (p: string, mode: number) => (await orUndefined(access(p, mode).then(() => true))) ?? false;
  return {
    nodeArch: process.arch,
    littleEndian: endianness() === 'LE',
    uid: process.getuid?.() ?? 0,
    kernelRelease: release(),
    env,
    readFile: async (p) => orUndefined(readFile(p).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    readText: async (p) => orUndefined(readFile(p, 'utf8')),
    listDir: async (p) => orUndefined(readdir(p)),
    exists: (p) => canAccess(p, constants.F_OK),
    access: (p, mode) => canAccess(p, MODES[mode]),
    which: async (name) => {
      for (const d of pathDirs) if (await canAccess(join(d, name), constants.X_OK)) return join(d, name);
      return undefined;
    },
    run: async (file, args, timeoutMs) => {
      const r = await orUndefined(execa(file, [...args], { timeout: timeoutMs, reject: false, stdin: 'ignore', env: { LC_ALL: 'C' } }));
      if (!r || r.timedOut || (r.failed && r.exitCode === undefined)) return undefined;
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? 1 };
    },
  };
}
