/**
 * The container's first step inside crun's krun microVM (non-4k hosts), as
 * the hook writes it into process.args. Pure; shared with the rootless work,
 * which registers into Podman's user namespace the same way.
 *
 * Which one holds, from FEX's source (FEX-Emu/FEX):
 *  - Running the command as `FEX <program> <args>` works for the whole process
 *    tree: when FEX-x86/FEX-x86_64 are not registered (FEXInterpreter.cpp
 *    QueryInterpreterInstalled), FEX's execve handler re-executes FEX itself for
 *    every x86 ELF and every script with an x86 interpreter
 *    (LinuxSyscalls/Syscalls.cpp, the "munge the arguments" path). But it puts
 *    the path in each child's argv[0] ("Overwrite the filename with the new one
 *    we are redirecting to"), and anything not started by a FEX process (an
 *    exec into the container) fails with ENOEXEC.
 *  - Registering FEX in the guest's binfmt_misc first (libkrunfw's aarch64
 *    kernel has CONFIG_BINFMT_MISC=y and 4 KiB pages; libkrun's init runs the
 *    command as root in the guest) gives exact kernel semantics: argv[0] by P,
 *    the binary by O, setuid by C, as on a 4 KiB host.
 * So the first step registers (fexpod-guest-init, native/fexpod-guest-init.c)
 * and falls back to `FEX <program>` only where it cannot; without the
 * fexpod-guest-init binary the hook runs the command through FEX directly.
 */
import type { MicroVmGuestEntry } from '../binfmt/install-state.js';

export const GUEST_INIT_NAME = 'fexpod-guest-init';

/**
 * Where a built fexpod-guest-init may be, first found wins:
 *  - `<dist>/native/`, where `npm run build` (scripts/build-native.mjs) puts it;
 *  - for an installed application, `<prefix>/lib/node_modules/<app>/dist`, the
 *    package's libexec directory `<prefix>/libexec/fexpod/` (packaging/fexpod.spec
 *    installs it in %{_libexecdir}/fexpod, %{_prefix}/libexec on Fedora). Derived
 *    from the installation, not a fixed /usr: the same package unpacked under
 *    another root (rpm --root, a test's payload) finds its own copy.
 */
export function guestInitCandidates(distDir: string): string[] {
  const dist = distDir.replace(/\/+$/, '');
  const out = [`${dist}/native/${GUEST_INIT_NAME}`];
  const installed = /^(.*)\/lib\/node_modules\/[^/]+\/dist$/.exec(dist);
  if (installed) out.push(`${installed[1]}/libexec/fexpod/${GUEST_INIT_NAME}`);
  return out;
}

export interface FirstStep {
  readonly args: readonly string[];
  /** 'register': fexpod-guest-init registers FEX in the guest; 'through-emulator': FEX runs the command. */
  readonly how: 'register' | 'through-emulator';
}

/**
 * The container's new process.args. `resolved` is args[0] resolved through the
 * container's PATH inside its rootfs (the emulator, unlike execvp, does not search PATH).
 */
export function firstStep(entries: readonly MicroVmGuestEntry[], args: readonly string[], resolved: string): FirstStep {
  const [own] = entries;
  if (!own || args.length === 0) throw new Error('firstStep needs a microVM entry and a command');
  if (own.guestInit) {
    return {
      how: 'register',
      args: [own.guestInit, ...entries.flatMap((e) => ['--register', e.registration]), '--interpreter', own.interpreter, '--', ...args],
    };
  }
  return { how: 'through-emulator', args: [own.interpreter, resolved, ...args.slice(1)] };
}
