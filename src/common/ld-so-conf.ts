/**
 * The host loader's search directories: /etc/ld.so.conf (with its `include`
 * globs) and the default multiarch directories of an architecture. Parsing is
 * pure; reading the files goes through a tiny deps object.
 */
import { dirname, isAbsolute, join } from 'node:path';
import type { Arch } from './arch.js';

export interface LdSoConfLine {
  readonly kind: 'dir' | 'include';
  readonly value: string;
}

/** Parses one ld.so.conf text: directories, `include` patterns; comments and `hwcap` lines dropped. */
export function parseLdSoConf(text: string): LdSoConfLine[] {
  const out: LdSoConfLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.length === 0) continue;
    const m = /^include\s+(.+)$/.exec(line);
    if (m && m[1]) {
      for (const p of m[1].split(/\s+/)) out.push({ kind: 'include', value: p });
      continue;
    }
    if (/^hwcap\s/.test(line)) continue;
    // Old syntax allowed "dir=TYPE" and several dirs separated by ':', ',' or whitespace.
    for (const d of line.split(/[:,\s]+/)) {
      const dir = d.replace(/=.*$/, '');
      if (dir.startsWith('/')) out.push({ kind: 'dir', value: dir.replace(/\/+$/, '') || '/' });
    }
  }
  return out;
}

/** Converts a glob's last component ("*.conf") to a RegExp; only * and ? are special. */
export function globToRegExp(pattern: string): RegExp {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${esc}$`);
}

export interface LdSoConfDeps {
  readText(path: string): Promise<string | undefined>;
  listDir(path: string): Promise<string[] | undefined>;
}

/** The directories listed by an ld.so.conf and everything it includes, in order, deduplicated. */
export async function loadLdSoConfDirs(deps: LdSoConfDeps, file = '/etc/ld.so.conf'): Promise<string[]> {
  const seen = new Set<string>();
  const dirs: string[] = [];
  const visit = async (path: string, depth: number): Promise<void> => {
    if (depth > 8 || seen.has(path)) return;
    seen.add(path);
    const text = await deps.readText(path);
    if (text === undefined) return;
    for (const line of parseLdSoConf(text)) {
      if (line.kind === 'dir') {
        if (!dirs.includes(line.value)) dirs.push(line.value);
        continue;
      }
      const pattern = isAbsolute(line.value) ? line.value : join(dirname(path), line.value);
      const base = pattern.slice(pattern.lastIndexOf('/') + 1);
      const dir = pattern.slice(0, pattern.lastIndexOf('/')) || '/';
      if (!/[*?]/.test(base)) {
        await visit(pattern, depth + 1);
        continue;
      }
      const re = globToRegExp(base);
      const names = ((await deps.listDir(dir)) ?? []).filter((n) => re.test(n)).sort();
      for (const n of names) await visit(join(dir, n), depth + 1);
    }
  };
  await visit(file, 0);
  return dirs;
}

const MULTIARCH: Record<string, string> = {
  x86_64: 'x86_64-linux-gnu',
  i386: 'i386-linux-gnu',
  aarch64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
};

/**
 * The loader's built-in directories for an architecture, covering both the
 * Debian multiarch layout and Fedora's lib64 layout.
 */
export function defaultLibraryDirs(arch: Arch): string[] {
  const tuple = MULTIARCH[arch.name];
  const multi = tuple ? [`/lib/${tuple}`, `/usr/lib/${tuple}`] : [];
  const native = arch.bits === 64 ? ['/lib64', '/usr/lib64', '/lib', '/usr/lib'] : ['/lib', '/usr/lib', '/lib32', '/usr/lib32'];
  return [...multi, ...native];
}
