/**
 * What a shell may offer after an option: directories, files, a fixed list of
 * words, or nothing (a number, a reference, a URL). Read from the option table,
 * so bash and zsh completion agree.
 */
import type { OptionSpec } from '../common/command.js';

export type ValueCompletion =
  | { readonly kind: 'flag' }
  | { readonly kind: 'dir' }
  | { readonly kind: 'file' }
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'none' };

export function valueCompletion(o: OptionSpec): ValueCompletion {
  if (o.type === 'boolean') return { kind: 'flag' };
  if (o.choices && o.choices.length > 0) return { kind: 'words', words: o.choices };
  const value = o.value ?? '';
  if (/\bDIR$/.test(value)) return { kind: 'dir' };
  if (/\b(FILE|PATH)$/.test(value)) return { kind: 'file' };
  return { kind: 'none' };
}

/** Every spelling of an option on the command line: "--output" and "-o". */
export function optionWords(name: string, o: OptionSpec): string[] {
  return [`--${name}`, ...(o.short ? [`-${o.short}`] : [])];
}
