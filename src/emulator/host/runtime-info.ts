/**
 * OCI runtimes on the host: crun and runc, their versions and crun's build
 * flags. `crun --version` prints, e.g.
 *
 *   crun version 1.8.1
 *   commit: f8a096be…
 *   rundir: /run/crun
 *   spec: 1.0.0
 *   +SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL
 *
 * and a crun with the krun handler lists +LIBKRUN (some builds add values,
 * "+WASM:wasmedge"). Pure parsers.
 */

export interface RuntimeInfo {
  readonly path: string;
  readonly version: string | undefined;
  /** crun only: enabled build flags without the '+' (SYSTEMD, LIBKRUN, WASM:wasmedge…). */
  readonly features?: readonly string[];
}

/** "crun version 1.8.1" / "runc version 1.1.5+ds1" → "1.8.1" / "1.1.5+ds1". */
export function parseRuntimeVersion(text: string, name: string): string | undefined {
  const m = new RegExp(`^${name} version (\\S+)`, 'm').exec(text);
  return m?.[1];
}

/** The +FLAG tokens of `crun --version`, from the line that consists of them. */
export function parseCrunFeatures(text: string): string[] {
  for (const line of text.split('\n')) {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    if (tokens.length > 0 && tokens.every((t) => /^[+-][A-Za-z0-9_:.-]+$/.test(t))) {
      return tokens.filter((t) => t.startsWith('+')).map((t) => t.slice(1));
    }
  }
  return [];
}

/** Whether crun can run containers in a libkrun microVM (annotation run.oci.handler=krun). */
export function crunHasKrun(features: readonly string[] | undefined): boolean {
  return features?.some((f) => f === 'LIBKRUN' || f.startsWith('LIBKRUN:')) ?? false;
}
