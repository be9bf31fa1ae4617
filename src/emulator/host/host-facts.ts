/**
 * Everything fexpod needs to know about the host, gathered once at the edge
 * through a deps object: architecture, page size, kernel, binfmt_misc,
 * /dev/kvm, OCI runtimes, Podman and its hooks directories, SELinux, and
 * whether we run as root. The parsers live in their own modules
 * (page-size, kernel-version, runtime-info, podman-info, binfmt-status).
 *
 * Only trusted host programs are executed (crun, runc, podman, getconf), with
 * a timeout; nothing from a container image.
 */
import { Arch } from '../../common/arch.js';
import { readBinfmtStatus, type BinfmtStatus } from '../binfmt/binfmt-status.js';
import { type HostOverride, kvmFact } from './host-override.js';
import type { ChoiceHost } from '../emulator-choice.js';
import { hasPerUsernsBinfmt, parseKernelRelease, type KernelVersion } from './kernel-version.js';
import { pageSizeFromAuxv, parseGetconfPageSize } from './page-size.js';
import { containersConfLocations, loadHooksDirs, parsePodmanVersion, type HooksDirs, type PodmanVersion } from './podman-info.js';
import { parseCrunFeatures, parseRuntimeVersion, type RuntimeInfo } from './runtime-info.js';

export interface HostDeps {
  /** Node's process.arch of this process. */
  readonly nodeArch: string;
  readonly littleEndian: boolean;
  readonly uid: number;
  /** os.release() */
  readonly kernelRelease: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readFile(path: string): Promise<Uint8Array | undefined>;
  readText(path: string): Promise<string | undefined>;
  listDir(path: string): Promise<string[] | undefined>;
  exists(path: string): Promise<boolean>;
  access(path: string, mode: 'read' | 'write' | 'readwrite'): Promise<boolean>;
  /** First executable `name` on the caller's PATH. */
  which(name: string): Promise<string | undefined>;
  /** Runs a trusted host program; undefined when it cannot be started or times out. */
  run(file: string, args: readonly string[], timeoutMs: number): Promise<{ readonly stdout: string; readonly stderr: string; readonly exitCode: number } | undefined>;
}

export interface PageSizeFact {
  readonly bytes: number | undefined;
  readonly source: 'auxv' | 'getconf' | 'unknown' | 'test override';
}

export interface SelinuxFact {
  readonly enabled: boolean;
  readonly enforcing: boolean;
}

export interface PodmanFact {
  readonly path: string;
  readonly version: PodmanVersion | undefined;
  /** Why `podman --version` failed for this user, if it did. */
  readonly error?: string;
  readonly hooks: HooksDirs;
}

export interface HostFacts {
  readonly arch: Arch;
  readonly pageSize: PageSizeFact;
  readonly kernel: (KernelVersion & { readonly perUsernsBinfmt: boolean }) | { readonly release: string; readonly perUsernsBinfmt: false };
  readonly uid: number;
  readonly rootless: boolean;
  /** binfmt_misc status, plus whether this user could mount it (root, and the kernel has it). */
  readonly binfmt: BinfmtStatus & { readonly mountable: boolean };
  readonly kvm: { readonly present: boolean; readonly accessible: boolean };
  readonly runtimes: { readonly crun: RuntimeInfo | undefined; readonly runc: RuntimeInfo | undefined };
  readonly podman: PodmanFact | undefined;
  readonly selinux: SelinuxFact;
}

const RUN_TIMEOUT_MS = 5000;

export async function readPageSize(deps: HostDeps, arch: Arch): Promise<PageSizeFact> {
  const auxv = await deps.readFile('/proc/self/auxv');
  const fromAuxv = auxv ? pageSizeFromAuxv(auxv, { bits: arch.bits, littleEndian: deps.littleEndian }) : undefined;
  if (fromAuxv) return { bytes: fromAuxv, source: 'auxv' };
  const getconf = await deps.run('getconf', ['PAGESIZE'], RUN_TIMEOUT_MS);
  const fromGetconf = getconf && getconf.exitCode === 0 ? parseGetconfPageSize(getconf.stdout) : undefined;
  if (fromGetconf) return { bytes: fromGetconf, source: 'getconf' };
  return { bytes: undefined, source: 'unknown' };
}

async function readRuntime(deps: HostDeps, name: 'crun' | 'runc'): Promise<RuntimeInfo | undefined> {
  const path = await deps.which(name);
  if (!path) return undefined;
  const out = await deps.run(path, ['--version'], RUN_TIMEOUT_MS);
  const text = out?.stdout ?? '';
  const version = parseRuntimeVersion(text, name);
  return name === 'crun' ? { path, version, features: parseCrunFeatures(text) } : { path, version };
}

async function readPodman(deps: HostDeps): Promise<PodmanFact | undefined> {
  const path = await deps.which('podman');
  if (!path) return undefined;
  const out = await deps.run(path, ['--version'], RUN_TIMEOUT_MS);
  const version = out ? parsePodmanVersion(out.stdout) : undefined;
  const error = version ? undefined : (out?.stderr.trim() || out?.stdout.trim() || 'podman --version did not answer').split('\n')[0];
  const locations = containersConfLocations({
    uid: deps.uid,
    home: deps.env['HOME'],
    xdgConfigHome: deps.env['XDG_CONFIG_HOME'],
    containersConf: deps.env['CONTAINERS_CONF'],
    podman: version,
  });
  return { path, version, hooks: await loadHooksDirs(locations, deps), ...(error ? { error } : {}) };
}

export async function readSelinux(deps: HostDeps): Promise<SelinuxFact> {
  const enforce = await deps.readText('/sys/fs/selinux/enforce');
  if (enforce === undefined) return { enabled: false, enforcing: false };
  return { enabled: true, enforcing: enforce.trim() === '1' };
}

export async function gatherHostFacts(deps: HostDeps): Promise<HostFacts> {
  const arch = Arch.fromNode(deps.nodeArch);
  const k = parseKernelRelease(deps.kernelRelease);
  const [pageSize, binfmt, kvmPresent, kvmAccessible, crun, runc, podman, selinux] = await Promise.all([
    readPageSize(deps, arch),
    readBinfmtStatus({ ...deps, canWrite: (p) => deps.access(p, 'write') }),
    deps.exists('/dev/kvm'),
    deps.access('/dev/kvm', 'readwrite'),
    readRuntime(deps, 'crun'),
    readRuntime(deps, 'runc'),
    readPodman(deps),
    readSelinux(deps),
  ]);
  return {
    arch,
    pageSize,
    kernel: k ? { ...k, perUsernsBinfmt: hasPerUsernsBinfmt(k) } : { release: deps.kernelRelease, perUsernsBinfmt: false },
    uid: deps.uid,
    rootless: deps.uid !== 0,
    binfmt: { ...binfmt, mountable: deps.uid === 0 && binfmt.kernelSupports !== false },
    kvm: { present: kvmPresent, accessible: kvmPresent && kvmAccessible },
    runtimes: { crun, runc },
    podman,
    selinux,
  };
}

/** The subset of host facts an emulator choice depends on. Unknown page size counts as 4 KiB. */
export function choiceHost(f: HostFacts): ChoiceHost {
  return {
    arch: f.arch,
    pageSize: f.pageSize.bytes ?? 4096,
    uid: f.uid,
    kvm: f.kvm,
    crunFeatures: f.runtimes.crun?.features,
  };
}

/** Host facts with the test-only override (host-override.ts) applied; unchanged without one. */
export function applyHostOverride(f: HostFacts, o: HostOverride | undefined): HostFacts {
  if (!o) return f;
  const crun = o.crunFeatures === undefined
    ? f.runtimes.crun
    : o.crunFeatures === null
      ? undefined
      : { path: f.runtimes.crun?.path ?? '/usr/bin/crun', version: f.runtimes.crun?.version, features: o.crunFeatures };
  const uid = o.uid ?? f.uid;
  return {
    ...f,
    arch: o.arch ? Arch.of(o.arch) : f.arch,
    pageSize: o.pageSize ? { bytes: o.pageSize, source: 'test override' } : f.pageSize,
    uid,
    rootless: uid !== 0,
    kvm: o.kvm ? kvmFact(o.kvm) : f.kvm,
    runtimes: { ...f.runtimes, crun },
  };
}
