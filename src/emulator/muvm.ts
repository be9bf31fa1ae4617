/**
 * The non-4k dispatcher logic. FEX only works with 4 KiB pages; Apple Silicon
 * kernels use 16 KiB. There, x86 work runs inside a libkrun microVM with a
 * 4 KiB guest kernel:
 *
 *  - host processes through muvm:  muvm [-f rootfs.erofs -f overlay.erofs …] -- FEX <binary> <args>
 *    muvm refuses to run as root (uid or euid 0) and keeps one VM per user:
 *    a second muvm call joins the running VM, so its -f images only count on
 *    the first launch.
 *  - containers through crun's krun handler: annotation run.oci.handler=krun,
 *    only when crun is built +LIBKRUN and /dev/kvm exists — crun 1.8 silently
 *    ignores an unknown handler, so asking blindly would run the container
 *    natively and fail later with a confusing exec error.
 *
 * Pure planning over host facts; nothing here starts a VM.
 */
import { crunHasKrun } from './runtime-info.js';

export const PAGE_4K = 4096;
export const KRUN_HANDLER_ANNOTATION = 'run.oci.handler';
export const KRUN_HANDLER = 'krun';

/** muvm's own defaults when no -f is given (it mounts those that exist). */
export const MUVM_DEFAULT_IMAGES: readonly string[] = [
  '/usr/share/fex-emu/RootFS/default.erofs',
  '/usr/share/fex-emu/overlays/mesa-i386.erofs',
  '/usr/share/fex-emu/overlays/mesa-x86_64.erofs',
];

export function needsMicroVm(pageSize: number): boolean {
  return pageSize !== PAGE_4K;
}

/** What the dispatcher needs to know about the host. */
export interface DispatchHost {
  readonly pageSize: number;
  readonly uid: number;
  readonly euid?: number;
  readonly kvm: { readonly present: boolean; readonly accessible: boolean };
  readonly crunFeatures: readonly string[] | undefined;
  /** Absolute paths, undefined when not installed. */
  readonly muvm: string | undefined;
  readonly fex: string | undefined;
}

export interface ProcessRequest {
  readonly binary: string;
  readonly args: readonly string[];
  /** RootFS first, then overlays in order (EroFS with 4096-byte blocks). */
  readonly images?: readonly string[];
  /** KEY=VALUE pairs passed into the VM with -e. */
  readonly env?: Readonly<Record<string, string>>;
}

export type ProcessPlan =
  | { readonly route: 'direct'; readonly argv: readonly string[] }
  | { readonly route: 'muvm'; readonly argv: readonly string[]; readonly notes: readonly string[] }
  | { readonly route: 'unavailable'; readonly reason: string; readonly fix: string };

/** The muvm command line for one x86 process. */
export function muvmArgv(muvm: string, fex: string, req: ProcessRequest): string[] {
  const argv = [muvm];
  for (const img of req.images ?? []) argv.push('-f', img);
  for (const [k, v] of Object.entries(req.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) argv.push('-e', `${k}=${v}`);
  argv.push('--', fex, req.binary, ...req.args);
  return argv;
}

/** How to run one x86 binary as a host process on this host. */
export function planProcess(host: DispatchHost, req: ProcessRequest): ProcessPlan {
  if (!host.fex) return { route: 'unavailable', reason: 'FEX is not installed', fix: 'sudo dnf install fex-emu' };
  if (!needsMicroVm(host.pageSize)) return { route: 'direct', argv: [host.fex, req.binary, ...req.args] };
  const kib = `${host.pageSize / 1024} KiB`;
  if (!host.muvm) return { route: 'unavailable', reason: `this host uses ${kib} pages and FEX needs 4 KiB, but muvm is not installed`, fix: 'sudo dnf install muvm' };
  if (host.uid === 0 || host.euid === 0) {
    return { route: 'unavailable', reason: 'muvm refuses to run as root', fix: 'run the command as your own user (muvm keeps one microVM per user)' };
  }
  if (!host.kvm.present) return { route: 'unavailable', reason: '/dev/kvm does not exist', fix: 'load the kvm module or enable virtualization for this machine' };
  if (!host.kvm.accessible) return { route: 'unavailable', reason: '/dev/kvm is not accessible to this user', fix: 'add yourself to the kvm group: sudo usermod -aG kvm $USER, then log in again' };
  const notes = ['muvm keeps one VM per user: if one is already running, the command joins it and -f images apply only to the first launch'];
  return { route: 'muvm', argv: muvmArgv(host.muvm, host.fex, req), notes };
}

export type ContainerPlan =
  | { readonly route: 'direct'; readonly annotations: Readonly<Record<string, string>> }
  | { readonly route: 'krun'; readonly annotations: Readonly<Record<string, string>>; readonly notes: readonly string[] }
  | { readonly route: 'unavailable'; readonly reason: string; readonly fix: string };

/** Whether a foreign x86 container needs the krun handler here, and the annotations to add. */
export function planContainer(host: DispatchHost): ContainerPlan {
  if (!needsMicroVm(host.pageSize)) return { route: 'direct', annotations: {} };
  if (!host.crunFeatures) return { route: 'unavailable', reason: 'crun is not installed (the krun handler is a crun feature)', fix: 'sudo dnf install crun-krun' };
  if (!crunHasKrun(host.crunFeatures)) {
    return {
      route: 'unavailable',
      reason: 'crun is built without +LIBKRUN; crun silently ignores unknown handlers, so run.oci.handler=krun would be dropped',
      fix: 'sudo dnf install crun-krun (and run podman with --runtime krun or crun built with libkrun)',
    };
  }
  if (!host.kvm.present) return { route: 'unavailable', reason: '/dev/kvm does not exist', fix: 'load the kvm module or enable virtualization for this machine' };
  return {
    route: 'krun',
    annotations: { [KRUN_HANDLER_ANNOTATION]: KRUN_HANDLER },
    notes: ['host binfmt_misc does not exist inside the krun guest: the container must register FEX there before running its command'],
  };
}

export interface BinfmtInvocation {
  /** The file the kernel matched (full path). */
  readonly binary: string;
  /** argv[0] the user gave (only known with the P flag). */
  readonly argv0: string;
  readonly args: readonly string[];
}

/**
 * Splits a dispatcher's own argv (after its program name) as binfmt_misc
 * passes it. With the P flag: <binary> <original argv0> <args…>; without it
 * argv0 is lost and the kernel passes <binary> <args…>. Getting this wrong is
 * the argv[0] bug of Fedora's binfmt-dispatcher under P.
 */
export function parseBinfmtInvocation(argv: readonly string[], preserveArgv0: boolean): BinfmtInvocation | undefined {
  const [binary, ...rest] = argv;
  if (binary === undefined) return undefined;
  if (!preserveArgv0) return { binary, argv0: binary, args: rest };
  const [argv0, ...args] = rest;
  if (argv0 === undefined) return undefined;
  return { binary, argv0, args };
}
