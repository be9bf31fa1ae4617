/**
 * `fexpod doctor` for a normal user: is the rootless route open — foreign
 * containers through the private binfmt_misc of rootless Podman's user
 * namespace, with no root-level setup (docs/rootless.md) — and if not, why
 * not and what fixes it. Pure: the facts come from rootless-facts.ts.
 */
import type { ArchName } from '../../common/arch.js';
import type { InstallState } from '../binfmt/install-state.js';

export interface IdRange {
  readonly start: number;
  readonly count: number;
}

export interface RootlessFacts {
  readonly uid: number;
  readonly user: string | undefined;
  readonly kernelRelease: string;
  /** Linux ≥ 6.7. */
  readonly perUsernsBinfmt: boolean;
  /** /proc/sys/user/max_user_namespaces; undefined when unreadable. */
  readonly maxUserNamespaces: number | undefined;
  /** Debian/Ubuntu's kernel.unprivileged_userns_clone; undefined when the kernel has no such knob. */
  readonly unprivilegedUsernsClone: boolean | undefined;
  readonly subuid: readonly IdRange[];
  readonly subgid: readonly IdRange[];
  readonly newuidmap: boolean;
  readonly newgidmap: boolean;
  /** Mounting binfmt_misc in a throwaway user namespace (unshare -Urm): undefined when not tried. */
  readonly probe: { readonly ok: true } | { readonly ok: false; readonly error: string } | undefined;
  readonly podman: { readonly present: boolean; readonly unshare?: { readonly ok: true; readonly uidMapLines: number } | { readonly ok: false; readonly error: string } };
  /** The per-user install (fexpod hook install --user). */
  readonly install: {
    readonly hooksDir: string;
    /** The user's hook file exists and its directory is in Podman's hooks_dir. */
    readonly hookInForce: boolean;
    readonly stateFile: string;
    readonly guests: readonly ArchName[];
    readonly missingPrefixes: readonly string[];
    /** $XDG_DATA_HOME/fexpod/prefix, and its SELinux context when it exists and SELinux is on. */
    readonly prefixDir?: string;
    readonly prefixLabel?: string;
    /** The per-user install state, when it parses (doctor checks its staged copies against their sources). */
    readonly state?: InstallState;
  };
}

export interface RootlessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What fixes it (when not ok). */
  readonly fix?: string;
}

export interface RootlessRoute {
  /** Only a normal user has a rootless route; root uses the host's binfmt_misc. */
  readonly applicable: boolean;
  /** Every check passed: `fexpod hook install --user` can work here. */
  readonly available: boolean;
  /** The per-user hook is in force and its emulators are staged. */
  readonly installed: boolean;
  /** Guests the per-user install serves (when installed). */
  readonly guests: readonly ArchName[];
  readonly checks: readonly RootlessCheck[];
}

function rangesText(r: readonly IdRange[]): string {
  return r.map((x) => `${x.start}-${x.start + x.count - 1}`).join(', ');
}

export function rootlessRoute(f: RootlessFacts): RootlessRoute {
  const who = f.user ?? String(f.uid);
  const checks: RootlessCheck[] = [];
  const check = (name: string, ok: boolean, detail: string, fix?: string) => checks.push({ name, ok, detail, ...(ok || !fix ? {} : { fix }) });
  check('kernel', f.perUsernsBinfmt, `${f.kernelRelease}: ${f.perUsernsBinfmt ? 'a user namespace may mount its own binfmt_misc (≥ 6.7)' : 'older than 6.7, so binfmt_misc is the host\'s only'}`,
    'boot Linux ≥ 6.7 (Fedora 40 and later ship newer kernels), or have root set up the host once: sudo fexpod binfmt install && sudo fexpod hook install');
  const usernsOk = f.maxUserNamespaces !== 0 && f.unprivilegedUsernsClone !== false;
  check('user namespaces', usernsOk,
    f.unprivilegedUsernsClone === false ? 'kernel.unprivileged_userns_clone = 0' : f.maxUserNamespaces === 0 ? 'user.max_user_namespaces = 0' : `allowed (max ${f.maxUserNamespaces ?? 'unknown'})`,
    f.unprivilegedUsernsClone === false ? 'sudo sysctl kernel.unprivileged_userns_clone=1 (persist it in /etc/sysctl.d)' : 'sudo sysctl user.max_user_namespaces=28633 (persist it in /etc/sysctl.d)');
  const ids = f.subuid.length > 0 && f.subgid.length > 0;
  check('subordinate ids', ids, ids ? `subuid ${rangesText(f.subuid)}, subgid ${rangesText(f.subgid)}` : `no ${f.subuid.length === 0 ? '/etc/subuid' : '/etc/subgid'} range for ${who}`,
    `sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${who} (pick a range no other user has), then podman system migrate`);
  check('newuidmap/newgidmap', f.newuidmap && f.newgidmap, f.newuidmap && f.newgidmap ? 'present' : 'missing', 'sudo dnf install shadow-utils (Debian: sudo apt-get install uidmap)');
  if (f.probe) {
    check('private binfmt_misc', f.probe.ok, f.probe.ok ? 'a user namespace of yours can mount binfmt_misc and write its register file' : `mounting binfmt_misc in a user namespace failed: ${f.probe.error}`,
      f.perUsernsBinfmt ? 'check the kernel configuration (CONFIG_BINFMT_MISC) and security modules that restrict user namespaces' : 'boot Linux ≥ 6.7');
  }
  if (!f.podman.present) check('podman', false, 'not installed', 'sudo dnf install podman');
  else if (f.podman.unshare) {
    const u = f.podman.unshare;
    check('rootless podman', u.ok && u.uidMapLines > 1,
      u.ok ? (u.uidMapLines > 1 ? `podman unshare works (${u.uidMapLines} uid ranges mapped)` : 'podman unshare maps only your own uid (no subordinate ids in use)') : `podman unshare failed: ${u.error}`,
      u.ok ? 'add subordinate ids (above), then: podman system migrate' : 'fix this user\'s rootless Podman setup (HOME, XDG_RUNTIME_DIR, /etc/subuid, /etc/subgid), then: podman system migrate');
  }
  const available = checks.every((c) => c.ok);
  const installed = f.install.hookInForce && f.install.guests.length > 0 && f.install.missingPrefixes.length === 0;
  return { applicable: f.uid !== 0, available, installed, guests: installed ? f.install.guests : [], checks };
}

export interface RootlessAdviceItem {
  readonly severity: 'error' | 'warning' | 'info';
  readonly blocking: boolean;
  readonly problem: string;
  readonly fix: string;
}

/**
 * Advice for the doctor. `hostServes`: the host's own binfmt_misc already
 * serves the primary guest (then the rootless route is an option, not a need).
 */
export function rootlessAdvice(route: RootlessRoute, f: RootlessFacts, primary: ArchName, hostServes: boolean): RootlessAdviceItem[] {
  if (!route.applicable) return [];
  const out: RootlessAdviceItem[] = [];
  const failed = route.checks.filter((c) => !c.ok);
  for (const p of f.install.missingPrefixes) {
    out.push({ severity: 'error', blocking: !hostServes, problem: `the emulator prefix ${p} of your rootless install is missing`, fix: 'fexpod hook install --user' });
  }
  if (!route.available) {
    const needed = !hostServes && (f.install.hookInForce || f.install.guests.length > 0);
    out.push({
      severity: needed ? 'error' : 'info',
      blocking: needed,
      problem: `the rootless route (private binfmt_misc in Podman's user namespace) is not available: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
      fix: [...new Set(failed.map((c) => c.fix).filter((x): x is string => x !== undefined))].join('; '),
    });
    return out;
  }
  if (route.installed && route.guests.includes(primary)) {
    out.push({ severity: 'info', blocking: false, problem: `rootless route in use: the hook in ${f.install.hooksDir} registers ${route.guests.join(', ')} in Podman's private binfmt_misc`, fix: 'nothing to do ("fexpod binfmt status --user" shows what Podman\'s namespace holds)' });
  } else {
    // When nothing serves the primary guest, the "not writable" advice is the blocking one and names this fix too.
    out.push({ severity: 'info', blocking: false, problem: `the rootless route is available: foreign containers through Podman's private binfmt_misc, no root needed${hostServes ? ' (the host\'s entries serve you already)' : ''}`, fix: 'fexpod hook install --user' });
  }
  return out;
}
