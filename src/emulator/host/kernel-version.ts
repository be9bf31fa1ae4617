/**
 * The running kernel's version (uname -r) and what it implies: from Linux 6.7
 * on, each user namespace that mounts binfmt_misc gets its own instance, so a
 * rootless user can register emulators inside their own namespace. Pure.
 */

export interface KernelVersion {
  readonly release: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** "6.18.44-fc-v669" → 6.18.44; undefined when it does not start with N.N. */
export function parseKernelRelease(release: string): KernelVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!m) return undefined;
  return { release: release.trim(), major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function kernelAtLeast(k: KernelVersion, major: number, minor: number): boolean {
  return k.major > major || (k.major === major && k.minor >= minor);
}

/** Linux ≥ 6.7: binfmt_misc is per user namespace. */
export function hasPerUsernsBinfmt(k: KernelVersion | undefined): boolean {
  return k !== undefined && kernelAtLeast(k, 6, 7);
}
