/** A file's text, or undefined when it cannot be read (absent, a directory, no permission). Builtins only: the hook and the dispatcher use it. */
import { readFileSync } from 'node:fs';

export function readTextOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
