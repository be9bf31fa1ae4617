/**
 * doctor's checks of FEX's own setup (pure over fex-facts.ts):
 *
 *  - an EroFS/SquashFS RootFS with no erofsfuse/squashfuse on PATH: FEXServer
 *    execs that program to mount the image, and without it every x86 program
 *    that needs the RootFS fails (muvm mounts EroFS itself, so only where FEX
 *    runs directly, on 4 KiB pages).
 *  - SVE's default vector length above 256 bits with FEX ≤ 2507.1: FEX turns on
 *    its SVE-256 (AVX) code whenever the length is ≥ 256 bits
 *    (Source/Common/HostFeatures.cpp) and at 512 bits FEX-2507.1 computed wrong
 *    results in guest vector code — glibc's string functions — so programs
 *    corrupted their heap (docs/hook.md "The SVE vector length": the lab's
 *    512-bit TCG CPU; 256 and 128 bits, FEX_HOSTFEATURES=disablesve or
 *    disableavx all worked).
 */
import type { Advice } from './doctor-report.js';
import { SVE_DEFAULT_VL_FILE, type FexFacts } from './fex-facts.js';

/** The last FEX release seen to miscompute with SVE vector lengths above 256 bits. */
export const SVE_BAD_UP_TO = { release: 2507, patch: 1 } as const;
const SVE_SAFE_BYTES = 32;

/** FEX's release from its version text ("FEX-Emu (FEX-2507.1)", git describe "FEX-2604-12-gabc…"). */
export function parseFexRelease(text: string | undefined): { readonly release: number; readonly patch: number; readonly label: string; readonly later: boolean } | undefined {
  const m = /\bFEX-(\d{4})(?:\.(\d+))?(-\d+-g[0-9a-f]+)?/.exec(text ?? '');
  if (!m) return undefined;
  return { release: Number(m[1]), patch: Number(m[2] ?? 0), label: m[0], later: m[3] !== undefined };
}

function atMostBad(v: NonNullable<ReturnType<typeof parseFexRelease>>): boolean {
  if (v.release !== SVE_BAD_UP_TO.release) return v.release < SVE_BAD_UP_TO.release;
  return v.patch < SVE_BAD_UP_TO.patch || (v.patch === SVE_BAD_UP_TO.patch && !v.later);
}

const FUSE = {
  erofs: { program: 'erofsfuse', fix: 'sudo dnf install erofs-fuse' },
  squashfs: { program: 'squashfuse', fix: 'sudo dnf install squashfuse (Debian: sudo apt-get install squashfuse)' },
} as const;

export interface FexAdviceContext {
  /** FEX is one of the emulators found. */
  readonly fexFound: boolean;
  /** FEX runs on the host itself (4 KiB pages), not inside muvm's microVM. */
  readonly fexDirect: boolean;
  /** FEX's version text (FEXServer --version), when it answered. */
  readonly fexVersion: string | undefined;
  readonly hostArch: string;
}

export function fexAdvice(f: FexFacts, c: FexAdviceContext): Advice[] {
  const out: Advice[] = [];
  if (!c.fexFound) return out;
  const r = f.rootfs;
  if (c.fexDirect && r?.path && (r.kind === 'erofs' || r.kind === 'squashfs')) {
    const fuse = FUSE[r.kind];
    if ((r.kind === 'erofs' ? f.erofsfuse : f.squashfuse) === undefined) {
      out.push({
        severity: 'warning',
        blocking: false,
        problem: `FEX's RootFS ${r.path} (named by ${r.source}) is ${r.kind === 'erofs' ? 'an EroFS' : 'a SquashFS'} image and ${fuse.program} is not on PATH: FEXServer runs ${fuse.program} to mount it, so x86 programs that need the RootFS fail`,
        fix: fuse.fix,
      });
    }
  }
  const vl = f.sveDefaultVectorLength;
  const version = parseFexRelease(c.fexVersion);
  if (c.hostArch === 'aarch64' && vl !== undefined && vl > SVE_SAFE_BYTES && (!version || atMostBad(version))) {
    // FEX built from a tarball without OVERRIDE_VERSION says "FEX-Emu ()": no release to compare
    const who = version
      ? `${version.label} computes`
      : `FEX's release is unknown (FEXServer --version: ${c.fexVersion ? `"${c.fexVersion.trim()}"` : 'no answer'}) and FEX releases up to FEX-${SVE_BAD_UP_TO.release}.${SVE_BAD_UP_TO.patch} compute`;
    out.push({
      severity: 'warning',
      blocking: false,
      problem: `SVE's default vector length is ${vl * 8} bits (${SVE_DEFAULT_VL_FILE} = ${vl}), and ${who} wrong results in x86 vector code above 256 bits: x86 programs abort with "free(): invalid pointer" or crash (SIGSEGV)`,
      fix: `run x86 programs with FEX_HOSTFEATURES=disablesve, or set a 256-bit default: echo ${SVE_SAFE_BYTES} | sudo tee ${SVE_DEFAULT_VL_FILE} (lasting: abi.sve_default_vector_length = ${SVE_SAFE_BYTES} in /etc/sysctl.d/), or update FEX`,
    });
  }
  return out;
}
