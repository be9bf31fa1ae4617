/**
 * Hosts whose page size is not 4 KiB. FEX only works with 4 KiB pages; Apple
 * Silicon kernels use 16 KiB. There, x86 work runs inside a libkrun microVM
 * whose guest kernel uses 4 KiB pages:
 *
 *  - host processes through muvm (the dispatcher in microvm/ runs
 *    `muvm -i … -- <guest step> …`). muvm refuses to run as root (uid or euid
 *    0: muvm.rs main) and keeps one VM per user; a second call joins the
 *    running VM (launch.rs), so its -f images only count on the first launch.
 *  - containers through crun's krun handler: annotation run.oci.handler=krun,
 *    only when crun is built +LIBKRUN and /dev/kvm is usable; crun 1.8
 *    silently ignores an unknown handler, so asking blindly would run the
 *    container natively and fail later with an exec format error.
 *
 * The blockers below are the single place that says whether muvm or krun can
 * run here; emulator-choice.ts (doctor, binfmt install), the dispatcher and the
 * hook all ask them. Pure.
 */
import { crunHasKrun } from '../host/runtime-info.js';

export const PAGE_4K = 4096;
export const KRUN_HANDLER_ANNOTATION = 'run.oci.handler';
export const KRUN_HANDLER = 'krun';

/** Where muvm looks when no -f is given (the names live in src/common/muvm-images.ts). */
export { MUVM_DEFAULT_ROOTFS } from '../../common/muvm-images.js';

export function needsMicroVm(pageSize: number): boolean {
  return pageSize !== PAGE_4K;
}

export const kib = (bytes: number): string => `${bytes / 1024} KiB`;

/** Why a route cannot be used here, and what to do about it. */
export interface Blocker {
  readonly reason: string;
  readonly fix: string;
}

export interface KvmFact {
  readonly present: boolean;
  /** Readable and writable by the user who will start the VM. */
  readonly accessible: boolean;
}

export interface MuvmHost {
  readonly pageSize: number;
  readonly uid: number;
  readonly euid?: number;
  readonly kvm: KvmFact;
}

const KVM_ABSENT: Blocker = { reason: '/dev/kvm does not exist', fix: 'load the kvm module (sudo modprobe kvm) or enable virtualization for this machine' };
const KVM_DENIED: Blocker = { reason: '/dev/kvm is not accessible to this user', fix: 'add yourself to the kvm group: sudo usermod -aG kvm $USER, then log in again' };

/** Whether muvm can start a microVM for this user (undefined: it can). */
export function muvmBlocker(host: MuvmHost): Blocker | undefined {
  if (!needsMicroVm(host.pageSize)) return { reason: 'not needed: host pages are 4 KiB', fix: 'none: FEX runs directly' };
  if (host.uid === 0 || host.euid === 0) {
    return { reason: 'muvm refuses to run as root', fix: 'run the program as your own user (muvm keeps one microVM per user)' };
  }
  if (!host.kvm.present) return KVM_ABSENT;
  if (!host.kvm.accessible) return KVM_DENIED;
  return undefined;
}

export interface KrunHost {
  readonly pageSize: number;
  /** crun's build flags, undefined when crun is not installed. */
  readonly crunFeatures: readonly string[] | undefined;
  readonly kvm: KvmFact;
}

/** Whether crun's krun handler can run a container here (undefined: it can). */
export function krunBlocker(host: KrunHost): Blocker | undefined {
  if (!needsMicroVm(host.pageSize)) return { reason: 'not needed: host pages are 4 KiB', fix: 'none: FEX runs directly' };
  if (!host.crunFeatures) return { reason: 'crun is not installed (the krun handler is a crun feature)', fix: 'sudo dnf install crun crun-krun' };
  if (!crunHasKrun(host.crunFeatures)) {
    return {
      reason: 'crun is built without +LIBKRUN (crun silently ignores unknown handlers, so run.oci.handler=krun would be dropped)',
      fix: 'sudo dnf install crun-krun',
    };
  }
  if (!host.kvm.present) return KVM_ABSENT;
  if (!host.kvm.accessible) return KVM_DENIED;
  return undefined;
}

/** Why FEX cannot run directly on this host (undefined: it can). */
export function fexDirectBlocker(pageSize: number): Blocker | undefined {
  if (!needsMicroVm(pageSize)) return undefined;
  return { reason: `FEX needs 4 KiB pages; this host uses ${kib(pageSize)}`, fix: 'use the microVM routes (muvm, crun-krun)' };
}

export interface BinfmtInvocation {
  /** The path the caller passed to execve (the kernel's bprm->filename; may be relative). */
  readonly binary: string;
  /** argv[0] the caller gave (only known with the P flag). */
  readonly argv0: string;
  readonly args: readonly string[];
}

/**
 * Splits an interpreter's own arguments (after its program name) as
 * binfmt_misc passes them. With the P flag: <binary> <original argv0> <args…>;
 * without it argv0 is lost and the kernel passes <binary> <args…>. Treating the
 * P layout as the other one is the argv[0] bug of Fedora's binfmt-dispatcher
 * (AsahiLinux/binfmt-dispatcher issue #6).
 */
export function parseBinfmtInvocation(argv: readonly string[], preserveArgv0: boolean): BinfmtInvocation | undefined {
  const [binary, ...rest] = argv;
  if (binary === undefined) return undefined;
  if (!preserveArgv0) return { binary, argv0: binary, args: rest };
  const [argv0, ...args] = rest;
  if (argv0 === undefined) return undefined;
  return { binary, argv0, args };
}
