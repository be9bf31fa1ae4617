/**
 * Paths inside a directory that an image controls: a layer's entry names and
 * symlinks are hostile input. resolveInRoot walks a path one component at a
 * time with lstat, follows symlinks the way a chroot would (an absolute
 * target starts again at the root, ".." stops at the root), and so can never
 * leave the root, whatever the tree holds (securejoin's rule, as
 * containers/storage and runc apply it).
 */
import { chmodSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FexpodError, errnoCode } from '../common/errors.js';

/** rm -rf that also works on trees with read-only (0555) directories. */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    makeWritable(path);
    await rm(path, { recursive: true, force: true });
  }
}

/** Makes path and the directories below it writable (never following symlinks). */
export function makeWritable(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  chmodSync(path, 0o700);
  for (const name of readdirSync(path)) makeWritable(join(path, name));
}

const MAX_LINKS = 255;

/**
 * Normalizes a layer entry name ("./usr/bin/", "/etc//x") to "usr/bin";
 * refuses names with ".." components or NUL: an escape attempt, not a path.
 */
export function cleanEntryPath(name: string): string {
  if (name.includes('\0')) throw new FexpodError(`layer entry name contains NUL: ${JSON.stringify(name)}`);
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') throw new FexpodError(`layer entry "${name}" climbs out with ".."`, { fix: 'the image is malformed or hostile: do not use it' });
    parts.push(p);
  }
  return parts.join('/');
}

/**
 * The real path under root for `rel`, every symlink on the way resolved
 * inside root. With followLast false the last component is not followed
 * (the entry itself is created, replaced or removed there).
 */
export function resolveInRoot(root: string, rel: string, followLast = true): string {
  const todo = rel.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift() ?? '';
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = join(root, ...done, part);
    if (todo.length === 0 && !followLast) {
      done.push(part);
      break;
    }
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
    if (!isLink) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new FexpodError(`too many symlinks resolving ${rel} inside ${root}`);
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return join(root, ...done);
}
