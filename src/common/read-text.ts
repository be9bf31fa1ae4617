/** Reading small text files (state, journals, locks, /proc). Builtins only: the hook and the dispatcher use it. */
import { readFileSync } from 'node:fs';
import { errnoCode } from './errors.js';

/** A file's text, or undefined when it cannot be read (absent, a directory, no permission). */
export function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A file's text, or undefined when it does not exist; any other failure (no permission, a directory) is thrown. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}
