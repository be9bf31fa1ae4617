/**
 * The fast path every native container takes: parse the config, find the
 * architecture of args[0] and compare it with the host's. It loads only what
 * that needs, so that the hook entry can skip loading the foreign-container
 * modules (install state, binfmt, spec edits) for the common case.
 */
import type { Arch } from '../../common/arch.js';
import { execArch, type ExecFs } from './exec-arch.js';
import { readHookView } from './oci-config.js';

/** True only when the config is well-formed and its args[0] is a binary native to `host`. */
export function isNativeConfig(text: string, fs: ExecFs, host: Arch): boolean {
  try {
    const view = readHookView(text);
    if (!view.rootPath || !view.rootPath.startsWith('/')) return false;
    const found = execArch(fs, { root: view.rootPath, args0: view.args[0], env: view.env, cwd: view.cwd });
    return found.kind === 'elf' && found.arch.isNativeOn(host);
  } catch {
    return false;
  }
}
