/**
 * The file `fexpod binfmt install` registers as the interpreter on hosts whose
 * page size is not 4 KiB: a two-line Node script (absolute node in the "#!"
 * line, so the caller's PATH does not matter) that loads the lean CommonJS
 * build of dispatch-main. The kernel opens it at registration (flag F) and
 * runs it as `<node> <script> <path> <argv0> <args…>`. Pure text; the install
 * flow writes it atomically with mode 0755.
 */

export const DISPATCHER_FILE_NAME = 'fexpod-dispatch';

export function dispatcherScript(node: string, entry: string): string {
  if (!node.startsWith('/') || /\s/.test(node)) throw new Error(`node must be an absolute path without spaces for a "#!" line: ${node}`);
  if (!entry.startsWith('/')) throw new Error(`the dispatcher entry must be an absolute path: ${entry}`);
  return `#!${node}\n// fexpod's binfmt_misc dispatcher for x86 programs on non-4k hosts (written by "fexpod binfmt install").\nrequire(${JSON.stringify(entry)});\n`;
}
