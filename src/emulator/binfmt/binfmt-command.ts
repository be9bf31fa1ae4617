/**
 * `fexpod binfmt status|install|uninstall`: argument parsing, wiring of the
 * real effects, and output. The flows live in binfmt-install.ts,
 * binfmt-uninstall.ts and binfmt-status-report.ts.
 */
import { readTextOrUndefined } from '../../common/read-text.js';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Arch, GUEST_ARCH_WORDS } from '../../common/arch.js';
import { type CliContext, type Command, type OptionTable, formatOptions, parseOptions, printJson } from '../../common/command.js';
import { UsageError } from '../../common/errors.js';
import { streamLogger } from '../../common/log.js';
import { BINFMT_MISC_DIR, type BinfmtFs, BinfmtController } from './binfmt-controller.js';
import { catalogueEmulators } from './binfmt-emulators.js';
import { type BinfmtDeps, type InstallResult, installBinfmt } from './binfmt-install.js';
import { type StatusResult, binfmtStatus } from './binfmt-status-report.js';
import { type UninstallResult, uninstallBinfmt } from './binfmt-uninstall.js';
import { flockLocker, withStateLock } from './binfmt-lock.js';
import { type RefreshResult, refreshBinfmt, refreshError } from './binfmt-refresh.js';
import { nodeBinfmtFs, nodePersistFs } from './binfmt-node.js';
import { DEFAULT_PERSIST_DIR, VENDOR_BINFMT_D_DIRS } from './binfmt-persist.js';
import { fileStateStore } from './binfmt-state-file.js';
import { nodeDiscoveryDeps } from '../discovery-deps.js';
import { EMULATOR_IDS } from '../emulator-catalogue.js';
import { readPageSize } from '../host/host-facts.js';
import { nodeHostDeps } from '../host/host-deps.js';
import { loadHostOverride, overrideNotice } from '../host/host-override.js';
import { DEFAULT_STATE_DIR, type InstallState } from './install-state.js';
import { guestInitCandidates } from '../microvm/guest-init.js';
import { nodePrefixDeps } from '../prefix/prefix-deps.js';
import { nodePruneDeps, prunePrefixes, statePrefixes } from '../prefix/prefix-prune.js';
import { DEFAULT_CDI_OUTPUT, cdiSpecUpdate } from '../../runtime-hook/cdi/cdi-spec.js';
import { relabelPrefixes } from '../prefix/selinux-relabel.js';

const run = promisify(execFile);

const BINFMT_EMULATORS = EMULATOR_IDS.filter((e) => e !== 'krun');

const OPTIONS = {
  guest: { type: 'string', multiple: true, value: 'ARCH', choices: GUEST_ARCH_WORDS, help: 'x86_64 (amd64), i386 (i686), aarch64 (arm64), arm (armhf); repeatable' },
  emulator: { type: 'string', value: 'NAME', choices: BINFMT_EMULATORS, help: `${BINFMT_EMULATORS.join(', ')} (muvm: non-4k hosts only)` },
  persist: {
    type: 'boolean',
    help: 'also write binfmt.d files so the setup survives reboots (a staged\nemulator is named through the stable link <state-dir>/prefix/<entry>)',
  },
  'persist-dir': { type: 'string', value: 'DIR', help: `where to write them (default ${DEFAULT_PERSIST_DIR})` },
  'state-dir': { type: 'string', value: 'DIR', help: `state, lock and staged prefixes (default ${DEFAULT_STATE_DIR};\nwith --user $XDG_DATA_HOME/fexpod)` },
  user: { type: 'boolean', help: 'the per-user (rootless Podman) registrations described above' },
  json: { type: 'boolean', help: 'print one JSON document on stdout (logs stay on stderr)' },
} as const satisfies OptionTable;

const HELP = `fexpod binfmt — show, install or remove the binfmt_misc registrations that let
this host run foreign-architecture programs (x86/x86-64 on AArch64 through FEX;
arm64/armhf through QEMU on x86-64), also inside containers.

Usage:
  fexpod binfmt status    [--user] [--state-dir DIR] [--json]
  fexpod binfmt install   [--guest ARCH]... [--emulator NAME] [--persist [--persist-dir DIR]]
                          [--state-dir DIR] [--json]
  fexpod binfmt install   --user [--guest ARCH]... [--emulator NAME] [--json]
  fexpod binfmt uninstall [--user] [--guest ARCH]... [--state-dir DIR] [--json]
  fexpod binfmt refresh   [--state-dir DIR] [--json]

install, for each guest architecture (default: every foreign one an installed
emulator serves):
  1. picks the emulator by precedence (FEX, then box64 for x86-64, then
     qemu-user-static, then qemu-user) or the one named with --emulator; on a
     host whose page size is not 4 KiB (Apple Silicon) FEX cannot run directly:
     muvm comes first, registered through fexpod's dispatcher
     (<state-dir>/dispatch/fexpod-dispatch, flags PF), which runs each x86
     program in a 4 KiB microVM; and FEX is staged for containers that crun's
     krun handler runs in such a microVM;
  2. stages a dynamically linked emulator with its libraries into
     <state-dir>/prefix/<sha256> (the F flag pins the emulator binary, not its
     loader; the Podman hook bind-mounts that prefix into foreign containers);
  3. disables other entries that catch the same binaries (e.g. Debian's or
     Fedora's qemu-aarch64), recording them so uninstall restores them exactly;
  4. registers FEX-x86_64 / FEX-x86 (FEX looks for these names) or
     fexpod-<emulator>-<arch>, with flags F (+POC for FEX, +PO for QEMU);
  5. with --persist, writes <persist-dir>/fexpod-<entry>.conf for
     systemd-binfmt and masks the binfmt.d files of the disabled conflicts
     (same file name in <persist-dir>, symlinked to /dev/null);
  6. writes <state-dir>/binfmt-state.json (read by the Podman hook).
Running it again is safe: identical entries are left alone; concurrent runs
take turns on <state-dir>/binfmt.lock.

uninstall removes fexpod's entries and binfmt.d files, puts every disabled
conflict back as it was (re-registering it if it vanished meanwhile) and
removes the state file. --guest limits it to some architectures.

refresh registers again everything the state file records, with the same
emulators: what fexpod-binfmt.service runs after systemd-binfmt flushed every
entry (it re-registers binfmt.d files only) and after an emulator update (a
changed emulator is staged into a new prefix; the F flag pins the old file, so
the entry is registered again), and after a fexpod update: on non-4 KiB hosts
what krun containers get (FEX with this fexpod's fexpod-guest-init) is staged
again, so a changed fexpod-guest-init moves them to a new prefix.

install and refresh then remove old prefixes under <state-dir>/prefix that
neither the state before nor after them names, unless a binfmt_misc entry, a
mount (a running container) or a process still uses them; the prefix a run
replaces stays until the next run.

--user (a normal user with rootless Podman, Linux >= 6.7; no root, no sudo):
install chooses and stages the emulators like above, into
$XDG_DATA_HOME/fexpod/prefix/<sha256>, and records the registrations in
$XDG_DATA_HOME/fexpod/binfmt-state.json without touching the host's
binfmt_misc; the hook installed by "fexpod hook install --user" (which runs
this step itself) registers them in the private binfmt_misc instance of
Podman's user namespace. status shows them and whether Podman's namespace
has them now; uninstall removes them from that namespace, the staged
prefixes and the state (see docs/rootless.md).

status lists every binfmt_misc entry: enabled or not, interpreter, flags,
which architecture's binaries it catches, and whether fexpod registered it or
disabled it. Entries fexpod installed but the kernel lost (systemd-binfmt
restarts flush everything) are listed as missing: run install again.

Options:
${formatOptions(OPTIONS, true)}

Examples:
  sudo fexpod binfmt install --persist                 # everything this host can emulate
  sudo fexpod binfmt install --guest arm64 --emulator qemu-user
  fexpod binfmt status --json | jq '.entries[] | select(.enabled)'
  sudo fexpod binfmt uninstall --guest arm64
  sudo fexpod binfmt refresh                           # after "systemctl restart systemd-binfmt"
  fexpod binfmt status --user                          # rootless: what the hook registers for you
`;


async function firstLine(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 5000, env: {} });
    return stdout.split('\n')[0];
  } catch {
    return undefined;
  }
}


/** What the root and the --user flows share: the state, its lock, and the emulators this host has (staging into <stateDir>/prefix). */
export async function sharedBinfmtDeps(stateDir: string, ctx: CliContext): Promise<Pick<BinfmtDeps, 'store' | 'lock' | 'emulators' | 'servedGuests' | 'microvm' | 'host' | 'kernelRelease'>> {
  const override = loadHostOverride(ctx.env, readTextOrUndefined);
  if (override) ctx.stderr.write(`${overrideNotice(override)}\n`);
  const host = override?.arch ? Arch.of(override.arch) : Arch.fromNode(process.arch);
  const hostDeps = nodeHostDeps(ctx.env);
  const pageSize = override?.pageSize ?? (await readPageSize(hostDeps, host)).bytes ?? 4096;
  const kvmPresent = override?.kvm ? override.kvm !== 'absent' : await hostDeps.exists('/dev/kvm');
  const dist = fileURLToPath(new URL('../../../', import.meta.url));
  const source = catalogueEmulators({
    // Registrations serve every user: judge muvm for a regular user who may use /dev/kvm
    // (the dispatcher checks the real user's access when a program starts).
    host: { arch: host, pageSize, uid: 65534, kvm: { present: kvmPresent, accessible: kvmPresent }, crunFeatures: undefined },
    discovery: nodeDiscoveryDeps(ctx.env['PATH']),
    prefixDeps: nodePrefixDeps(),
    stateDir,
    version: firstLine,
    microvm: {
      node: process.execPath,
      dispatchEntry: join(dist, 'hook', 'emulator', 'microvm', 'dispatch-main.js'),
      guestInit: guestInitCandidates(dist).find((p) => existsSync(p)),
      writeFileAtomic: async (path, text, mode) => writeFileAtomic(path, text, mode),
    },
  });
  return {
    store: fileStateStore(stateDir),
    lock: (fn) => withStateLock(stateDir, flockLocker('flock', { PATH: ctx.env['PATH'] }), fn),
    emulators: (g) => source.emulators(g),
    servedGuests: () => source.servedGuests(),
    microvm: (g) => source.microvm(g),
    host,
    kernelRelease: hostDeps.kernelRelease,
  };
}

/**
 * The real effects behind `fexpod binfmt` (root). `fexpod setup` wires them too,
 * passing `adaptFs` to record (or, in a dry run, hold back) binfmt_misc writes.
 */
export async function binfmtDeps(stateDir: string, ctx: CliContext, adaptFs: (fs: BinfmtFs) => BinfmtFs = (fs) => fs): Promise<BinfmtDeps> {
  const log = streamLogger(ctx.stderr);
  const path = ctx.env['PATH'];
  return {
    ...(await sharedBinfmtDeps(stateDir, ctx)),
    controller: new BinfmtController({ fs: adaptFs(nodeBinfmtFs(path ? { path } : {})), log, dir: BINFMT_MISC_DIR }),
    persistFs: nodePersistFs(),
    log,
  };
}

/** `--guest` values (repeatable, comma-separated) as architectures; undefined when none were given. */
export function parseGuests(values: readonly string[] | undefined): Arch[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.flatMap((v) => v.split(',')).map((v) => {
    const a = Arch.tryParse(v);
    if (!a) throw new UsageError(`--guest ${v}: unknown architecture`, 'use x86_64 (amd64), i386 (i686), aarch64 (arm64) or arm (armhf)');
    return a;
  });
}

function printStatus(ctx: CliContext, s: StatusResult): void {
  if (!s.mounted) {
    ctx.stdout.write(`binfmt_misc is not mounted at ${BINFMT_MISC_DIR} (fexpod binfmt install mounts it)\n`);
    return;
  }
  if (!s.globallyEnabled) ctx.stdout.write(`binfmt_misc is switched off globally (echo 1 > ${BINFMT_MISC_DIR}/status to switch it on)\n`);
  const rows = s.entries.map((e) => [e.name, e.enabled ? 'enabled' : 'disabled', e.arches.join(',') || (e.type === 'E' ? 'extension' : '-'), e.flags || '-', e.role, e.interpreter]);
  const head = ['ENTRY', 'STATE', 'CATCHES', 'FLAGS', 'ROLE', 'INTERPRETER'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [head, ...rows]) ctx.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ') + '\n');
  for (const m of s.missing) ctx.stdout.write(`missing: ${m.entryName} (${m.guest}) is installed according to ${s.stateFile} but not registered; run "fexpod binfmt install"\n`);
}

function printInstall(ctx: CliContext, r: InstallResult): void {
  for (const e of r.microvm) {
    ctx.stdout.write(`${e.guest}: containers in the krun microVM run ${e.interpreter} (prefix ${e.prefix})${e.guestInit ? ', registered in the guest by fexpod-guest-init' : ', directly (no fexpod-guest-init)'}\n`);
  }
  for (const g of r.installed) {
    ctx.stdout.write(`${g.guest}: ${g.entryName} -> ${g.interpreter} [${g.flags}] ${g.outcome}${g.prefix ? ` (prefix ${g.prefix})` : ''}\n`);
    if (g.disabled.length > 0) ctx.stdout.write(`  disabled: ${g.disabled.join(', ')} (restored by "fexpod binfmt uninstall")\n`);
    if (g.persistedFile) ctx.stdout.write(`  persisted: ${g.persistedFile}${g.masked.length ? `; masked ${g.masked.join(', ')}` : ''}\n`);
  }
}

/**
 * The CDI spec `fexpod cdi generate --output` wrote at the default place is made from the
 * default state: when what it would mount or set changed (a fexpod update changing the mounts, an
 * emulator's environment), it is written again from the new state. Returns the path when it did.
 */
function refreshCdiSpec(stateDir: string, state: InstallState | undefined): string | undefined {
  if (stateDir !== DEFAULT_STATE_DIR) return undefined;
  const next = cdiSpecUpdate(readTextOrUndefined(DEFAULT_CDI_OUTPUT), state);
  if (next === undefined) return undefined;
  writeFileAtomic(DEFAULT_CDI_OUTPUT, next);
  return DEFAULT_CDI_OUTPUT;
}

/**
 * What install and refresh do once they staged, with their lines and JSON fields: SELinux labels;
 * then, under the state lock and from one read of the state, the CDI spec and the old prefixes —
 * those that neither the state before the run (`before`) nor after it names go once nothing uses
 * them (prefix/prefix-prune.ts); the one this run replaced stays until the next (a container may
 * be starting with it right now).
 */
async function afterStaging(stateDir: string, ctx: CliContext, deps: BinfmtDeps, before: readonly string[]): Promise<{ fields: Record<string, unknown>; print: () => void }> {
  await relabelPrefixes(stateDir, ctx.env, deps.log);
  const { cdi, pruned } = await deps.lock(async () => {
    const state = await deps.store.read();
    const keep = new Set([...before, ...statePrefixes(state)]);
    return { cdi: refreshCdiSpec(stateDir, state), pruned: await prunePrefixes(join(stateDir, 'prefix'), keep, nodePruneDeps) };
  });
  return {
    fields: { prefixesRemoved: pruned.remove, prefixesInUse: pruned.inUse, ...(cdi ? { cdiSpecUpdated: cdi } : {}) },
    print: () => {
      if (cdi) ctx.stdout.write(`updated ${cdi} (the CDI spec, from the install state)\n`);
      for (const p of pruned.remove) ctx.stdout.write(`removed old prefix ${p} (nothing uses it)\n`);
      for (const u of pruned.inUse) ctx.stdout.write(`kept old prefix ${u.prefix}: ${u.by}; a later refresh removes it\n`);
    },
  };
}

function printRefresh(ctx: CliContext, r: RefreshResult): void {
  printInstall(ctx, { installed: r.refreshed, microvm: r.microvm, stateFile: r.stateFile });
  for (const k of r.kept) ctx.stdout.write(`${k.guest}: ${k.entryName} registered from the recorded line (${k.because})\n`);
  if (r.refreshed.length + r.microvm.length + r.kept.length + r.failed.length === 0) ctx.stdout.write(`nothing to refresh: ${r.stateFile} records no registration\n`);
}

function printUninstall(ctx: CliContext, r: UninstallResult): void {
  ctx.stdout.write(`removed: ${r.removed.join(', ') || 'nothing'}\n`);
  for (const x of r.restored) ctx.stdout.write(`restored: ${x.entryName} (${x.how})\n`);
  for (const f of [...r.filesRemoved, ...r.unmasked]) ctx.stdout.write(`file: ${f} removed or restored\n`);
  for (const s of r.skipped) ctx.stdout.write(`left alone: ${s} (changed by someone else)\n`);
}

export const command: Command = {
  name: 'binfmt',
  summary: 'show, install or remove the binfmt_misc registrations for foreign architectures',
  help: HELP,
  options: OPTIONS,
  subcommands: ['status', 'install', 'uninstall', 'refresh'],
  async run(args, ctx) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseOptions(`binfmt ${sub ?? ''}`.trim(), rest, OPTIONS, true);
    if (positionals.length > 0) throw new UsageError(`binfmt ${sub}: unexpected argument "${positionals[0]}"`);
    if (values.user) {
      if (values.persist || values['persist-dir']) throw new UsageError('--persist is for the host (root); a --user registration lives in Podman\'s user namespace', 'drop --persist');
      if (values.emulator && !EMULATOR_IDS.some((id) => id === values.emulator)) {
        throw new UsageError(`--emulator ${values.emulator}: unknown`, `use one of ${EMULATOR_IDS.join(', ')}`);
      }
      const { runUserBinfmt } = await import('../rootless/binfmt-user-command.js');
      const opts = { guests: parseGuests(values.guest), emulator: values.emulator, stateDir: values['state-dir'], json: values.json === true };
      return runUserBinfmt(sub, opts, ctx, process.getuid?.() ?? 0);
    }
    const stateDir = values['state-dir'] ?? DEFAULT_STATE_DIR;
    const deps = await binfmtDeps(stateDir, ctx);
    const json = values.json === true;
    switch (sub) {
      case undefined:
      case 'status': {
        const s = await binfmtStatus(deps);
        if (json) printJson(ctx, s);
        else printStatus(ctx, s);
        return 0;
      }
      case 'install': {
        if (values['persist-dir'] && !values.persist) throw new UsageError('--persist-dir needs --persist');
        if (values.emulator && !EMULATOR_IDS.some((id) => id === values.emulator)) {
          throw new UsageError(`--emulator ${values.emulator}: unknown`, `use one of ${EMULATOR_IDS.join(', ')}`);
        }
        const guests = parseGuests(values.guest);
        const before = statePrefixes(await deps.store.read().catch(() => undefined));
        const r = await installBinfmt(
          {
            ...(guests ? { guests } : {}),
            ...(values.emulator ? { emulator: values.emulator } : {}),
            ...(values.persist ? { persist: { dir: values['persist-dir'] ?? DEFAULT_PERSIST_DIR, vendorDirs: VENDOR_BINFMT_D_DIRS } } : {}),
          },
          deps,
        );
        const after = await afterStaging(stateDir, ctx, deps, before);
        if (json) printJson(ctx, { ...r, ...after.fields });
        else {
          printInstall(ctx, r);
          after.print();
        }
        return 0;
      }
      case 'refresh': {
        if (values.guest || values.emulator || values.persist || values['persist-dir']) throw new UsageError('refresh takes only --state-dir and --json', 'it redoes what the state file records');
        const before = statePrefixes(await deps.store.read().catch(() => undefined));
        const r = await refreshBinfmt(deps, VENDOR_BINFMT_D_DIRS);
        const after = await afterStaging(stateDir, ctx, deps, before);
        if (json) printJson(ctx, { ...r, ...after.fields });
        else {
          printRefresh(ctx, r);
          after.print();
        }
        const err = refreshError(r);
        if (err) throw err;
        return 0;
      }
      case 'uninstall': {
        if (values.emulator || values.persist || values['persist-dir']) throw new UsageError('uninstall takes only --guest, --state-dir and --json');
        const r = await uninstallBinfmt(parseGuests(values.guest), deps);
        if (json) printJson(ctx, r);
        else printUninstall(ctx, r);
        return 0;
      }
      default:
        throw new UsageError(`binfmt: unknown subcommand "${sub}"`, 'use status, install, uninstall or refresh (see fexpod binfmt --help)');
    }
  },
};
