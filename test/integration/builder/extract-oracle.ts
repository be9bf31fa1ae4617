/**
 * The test oracle for extraction: `rpm2cpio X | cpio -idm` into a temp dir
 * (as root, so modes and special files come out as archived), read back as
 * a comparable listing. Test-only; product code never runs rpm or cpio.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalEntries, type Tree } from '../../../src/builder/tree/tree.js';

export interface Listing {
  /** path → "type mode [target|sha256]" */
  readonly entries: Map<string, string>;
  /** hardlink groups as sorted, comma-joined path lists, sorted */
  readonly links: string[];
}

export function oracleExtract(rpm: string, dir: string): void {
  const r = spawnSync('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --no-absolute-filenames --quiet', 'sh', rpm], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rpm2cpio | cpio failed for ${rpm}: ${r.stderr}`);
}

function typeOf(mode: number): string {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    case 0o020000: return 'char';
    case 0o060000: return 'block';
    case 0o010000: return 'fifo';
    default: return 'other';
  }
}

export function listDir(root: string): Listing {
  const entries = new Map<string, string>();
  const byIno = new Map<number, string[]>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const full = join(root, p);
      const st = lstatSync(full);
      const t = typeOf(st.mode);
      let extra = '';
      if (t === 'symlink') extra = readlinkSync(full);
      if (t === 'file') {
        extra = createHash('sha256').update(readFileSync(full)).digest('hex');
        if (st.nlink > 1) byIno.set(st.ino, [...(byIno.get(st.ino) ?? []), p]);
      }
      entries.set(p, `${t} ${(st.mode & 0o7777).toString(8)} ${extra}`);
      if (t === 'dir') walk(p);
    }
  };
  walk('');
  return { entries, links: [...byIno.values()].map((g) => g.sort().join(',')).sort() };
}

export async function listTree(tree: Tree): Promise<Listing> {
  const entries = new Map<string, string>();
  const groups = new Map<string, string[]>();
  const sha = new Map<string, string>();
  for (const e of canonicalEntries(tree.values())) {
    let extra = '';
    let type: string = e.type;
    if (e.type === 'symlink') extra = e.linkTarget ?? '';
    if (e.type === 'file') {
      extra = createHash('sha256').update(await e.content!.read()).digest('hex');
      sha.set(e.path, extra);
      groups.set(e.path, [e.path]);
    }
    if (e.type === 'hardlink') {
      type = 'file';
      extra = sha.get(e.linkTarget ?? '') ?? '?';
      groups.get(e.linkTarget ?? '')?.push(e.path);
    }
    entries.set(e.path, `${type} ${e.mode.toString(8)} ${extra}`);
  }
  return { entries, links: [...groups.values()].filter((g) => g.length > 1).map((g) => g.sort().join(',')).sort() };
}
