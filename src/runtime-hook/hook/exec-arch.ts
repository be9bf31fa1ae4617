/**
 * Discover: which architecture will the container's first process run as?
 * Podman puts no image architecture in the spec, so look at what the runtime
 * will exec: process.args[0] resolved through the container's PATH inside the
 * rootfs, its ELF header, and for a "#!" script its interpreter (followed
 * exactly once; "/usr/bin/env NAME" resolves NAME through PATH).
 */
import type { Arch } from '../../common/arch.js';
import { readElfIdent, readShebang } from '../../common/elf-ident.js';
import { lookPath, pathFromEnv, resolveInRoot, type RootfsFs } from './rootfs-path.js';

export interface ExecFs extends RootfsFs {
  /**
   * At most the first `max` bytes of the regular file at a host path that
   * must lie under `root`; undefined if it cannot be opened safely.
   */
  readHead(hostPath: string, root: string, max: number): Uint8Array | undefined;
}

export type ExecArch =
  | { readonly kind: 'elf'; readonly arch: Arch; readonly path: string; readonly via?: string }
  | { readonly kind: 'unknown'; readonly reason: string };

export interface ExecTarget {
  readonly root: string;
  readonly args0: string | undefined;
  readonly env: readonly string[] | undefined;
  readonly cwd: string | undefined;
}

const HEAD_BYTES = 64;

function classify(fs: ExecFs, root: string, hostPath: string, containerPath: string): ExecArch | { shebang: { interpreter: string; arg?: string } } {
  const head = fs.readHead(hostPath, root, HEAD_BYTES);
  if (!head) return { kind: 'unknown', reason: `cannot read ${containerPath} safely` };
  const elf = readElfIdent(head);
  if (elf) {
    if (!elf.arch) return { kind: 'unknown', reason: `${containerPath}: ELF machine 0x${elf.machine.toString(16)} is not one we know` };
    return { kind: 'elf', arch: elf.arch, path: containerPath };
  }
  const shebang = readShebang(head);
  if (shebang) return { shebang };
  return { kind: 'unknown', reason: `${containerPath} is neither ELF nor a #! script` };
}

/** The program an "env" shebang names: the first argument that is not an option or assignment. */
function envProgram(arg: string | undefined): string | undefined {
  if (!arg) return undefined;
  return arg.split(/\s+/).find((w) => w !== '' && !w.startsWith('-') && !w.includes('='));
}

export function execArch(fs: ExecFs, t: ExecTarget): ExecArch {
  if (!t.args0) return { kind: 'unknown', reason: 'process.args is empty' };
  const searchPath = pathFromEnv(t.env);
  const cwd = t.cwd ?? '/';
  const target = lookPath(fs, t.root, t.args0, searchPath, cwd);
  if (!target.ok) return { kind: 'unknown', reason: target.reason };
  const first = classify(fs, t.root, target.hostPath, target.containerPath);
  if (!('shebang' in first)) return first;

  // Follow "#!" exactly once.
  const { interpreter, arg } = first.shebang;
  let interp = resolveInRoot(fs, t.root, interpreter, cwd);
  if (interp.ok && /(^|\/)env$/.test(interpreter)) {
    const prog = envProgram(arg);
    if (prog) interp = lookPath(fs, t.root, prog, searchPath, cwd);
  }
  if (!interp.ok) return { kind: 'unknown', reason: `${target.containerPath}: interpreter: ${interp.reason}` };
  if (interp.kind !== 'file') return { kind: 'unknown', reason: `${target.containerPath}: interpreter ${interp.containerPath} is not a file` };
  const second = classify(fs, t.root, interp.hostPath, interp.containerPath);
  if ('shebang' in second) return { kind: 'unknown', reason: `${interp.containerPath} is itself a #! script (followed once only)` };
  if (second.kind === 'elf') return { ...second, via: target.containerPath };
  return second;
}
