/**
 * `fexpod setup [--dry-run] [--undo]`: what a fresh host needs, in one
 * idempotent command, ending with the doctor's verdict. Wires the steps of
 * setup-run.ts to journaled effects (real run), in-memory ones (dry run), or
 * runs the undo of setup-undo.ts.
 */
import { existsSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type CliContext, type Command, type OptionTable, formatOptions, parseOptions, printJson } from '../common/command.js';
import { GUEST_ARCH_WORDS } from '../common/arch.js';
import { FexpodError, UsageError, errorMessage } from '../common/errors.js';
import { type Logger, streamLogger } from '../common/log.js';
import { binfmtDeps, parseGuests } from '../emulator/binfmt/binfmt-command.js';
import { DEFAULT_PERSIST_DIR, VENDOR_BINFMT_D_DIRS } from '../emulator/binfmt/binfmt-persist.js';
import { gatherDoctorInput } from '../emulator/doctor/doctor-command.js';
import { formatVerdict } from '../emulator/doctor/doctor-format.js';
import { type DoctorReport, buildDoctorReport } from '../emulator/doctor/doctor-report.js';
import { nodeDiscoveryDeps } from '../emulator/discovery-deps.js';
import { EMULATOR_IDS } from '../emulator/emulator-catalogue.js';
import { nodeHostDeps } from '../emulator/host/host-deps.js';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME } from '../emulator/binfmt/install-state.js';
import { relabelPrefixes } from '../emulator/prefix/selinux-relabel.js';
import { DEFAULT_BUILD_HOOKS_DIR, DEFAULT_CONF_DIR, DEFAULT_FEXPOD_HOOKS_DIR } from '../runtime-hook/install/hook-files.js';
import { defaultHookScript, hookLayoutFrom } from '../runtime-hook/install/hook-command.js';
import { DEFAULT_HOOK_LOG } from '../runtime-hook/hook/hook-log.js';
import { type Change, ChangeLog } from './change-log.js';
import { recordingBinfmtFs } from './live-journal.js';
import { describePathState } from './path-state.js';
import { nodeSetupFiles } from './setup-files.js';
import { journalPath, readJournal } from './setup-journal.js';
import { type ModeDeps, drySetup, journaledSetup } from './setup-modes.js';
import { installRootfs } from '../rootfs/rootfs-install.js';
import { REGISTRY_CONNECTION_OPTIONS, connect, normalizeFlags, progressMode, registrySettings } from '../publish/registry-flags.js';
import { transferProgress } from '../publish/transfer-progress.js';
import type { SetupOptions, StepReport } from './setup-run.js';
import { type UndoReport, undoSetup } from './setup-undo.js';
import { DEFAULT_UNIT_DIR, UNIT_NAME, VENDOR_UNIT_DIRS } from './systemd-unit.js';

const run = promisify(execFile);

const SETUP_EMULATORS = EMULATOR_IDS.filter((e) => e !== 'muvm' && e !== 'krun');

const OPTIONS = {
  guest: {
    type: 'string',
    multiple: true,
    value: 'ARCH',
    choices: GUEST_ARCH_WORDS,
    help: 'foreign architecture to set up; repeatable (default: every one an\ninstalled emulator serves)',
  },
  emulator: { type: 'string', value: 'NAME', choices: SETUP_EMULATORS, help: `${SETUP_EMULATORS.join(', ')} (default: by precedence, FEX first)` },
  'state-dir': { type: 'string', value: 'DIR', help: `state, journal and prefixes (default ${DEFAULT_STATE_DIR})` },
  'persist-dir': { type: 'string', value: 'DIR', help: `binfmt.d directory (default ${DEFAULT_PERSIST_DIR})` },
  'hooks-dir': { type: 'string', value: 'DIR', help: `precreate hooks directory (default ${DEFAULT_FEXPOD_HOOKS_DIR})` },
  'conf-dir': { type: 'string', value: 'DIR', help: `containers.conf.d directory (default ${DEFAULT_CONF_DIR})` },
  'build-hooks-dir': { type: 'string', value: 'DIR', help: `createRuntime hook directory for podman build (default ${DEFAULT_BUILD_HOOKS_DIR})` },
  'no-build-hook': { type: 'boolean', help: 'no createRuntime hook' },
  'base-conf': { type: 'string', multiple: true, value: 'FILE', help: 'containers.conf read before --conf-dir; repeatable' },
  'unit-dir': { type: 'string', value: 'DIR', help: `where the unit and its enablement link go (default ${DEFAULT_UNIT_DIR})` },
  'no-systemd': { type: 'boolean', help: 'no systemd unit' },
  'hook-log': { type: 'string', value: 'FILE', help: `where the hook logs (default ${DEFAULT_HOOK_LOG})` },
  rootfs: { type: 'string', value: 'REF|FILE', help: 'install this RootFS: a fexpod RootFS artifact in a registry\n(fexpod push / build --push) or a local EroFS/SquashFS file' },
  'rootfs-name': { type: 'string', value: 'NAME', help: "its file name under RootFS/ (default: the artifact's file name)" },
  'fex-dir': { type: 'string', value: 'DIR', help: "FEX's global data directory (default /usr/share/fex-emu)" },
  ...REGISTRY_CONNECTION_OPTIONS,
  undo: { type: 'boolean', help: 'return the host to its state before setup' },
  'dry-run': { type: 'boolean', help: 'change nothing; print what would be done' },
  json: { type: 'boolean', help: 'one JSON document on stdout (progress stays on stderr)' },
} as const satisfies OptionTable;

const HELP = `fexpod setup — everything a fresh host needs for foreign-architecture software, in one step

Usage:
  sudo fexpod setup [--dry-run] [--json] [options]
  sudo fexpod setup --undo [--dry-run] [--json] [--state-dir DIR]

Steps (each builds on the command named, and is safe to run again):
  binfmt   stage the emulators with their libraries, register the binfmt_misc entries
           (FEX-x86_64 and FEX-x86 on AArch64), disable conflicting entries, and write
           binfmt.d files so systemd-binfmt registers them at boot  (fexpod binfmt install --persist)
  hook     the Podman hooks and their containers.conf.d drop-in, unless a package
           already installed them                                  (fexpod hook install)
  systemd  fexpod-binfmt.service, started after systemd-binfmt.service: it runs
           "fexpod binfmt refresh", which registers the entries again after
           systemd-binfmt flushed them and stages an updated emulator again
  rootfs   with --rootfs: the RootFS FEX uses for programs outside containers, put in
           /usr/share/fex-emu/RootFS/ (its digest checked) and named in FEX's
           Config.json, other settings kept                   (fexpod rootfs install)
  doctor   the verdict of "fexpod doctor" (exit status 1 when foreign containers are blocked)

Everything setup changes is recorded in <state-dir>/${'setup-journal.json'} before it is
changed; --undo returns the host to the state before the first setup: binfmt entries
it disabled come back, files it wrote go, files it replaced are restored (FEX's
Config.json byte for byte), the RootFS it installed, prefixes and directories it
created are removed. Running setup again only adds to the record. Setup never
replaces a RootFS file that is already there with another one (it could not put
it back): use --rootfs-name, or "fexpod rootfs install".

--dry-run prints every file, link and binfmt registration setup would make (with
--json, with the files' contents) and changes nothing.

Options:
${formatOptions(OPTIONS, true)}

Examples:
  sudo fexpod setup --dry-run                 # see what it would do
  sudo fexpod setup                           # then: podman run --rm --arch amd64 fedora uname -m
  sudo fexpod setup --guest arm64 --emulator qemu-user     # on an x86-64 host
  sudo fexpod setup --rootfs registry.example.com/fex/rootfs:42-erofs
  sudo fexpod setup --rootfs out/default.erofs --dry-run
  sudo fexpod setup --undo
`;


type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>['values'];

const CLI_SCRIPT = () => fileURLToPath(new URL('../cli.js', import.meta.url));
const UNIT_TEMPLATE = () => fileURLToPath(new URL('../../../systemd/fexpod-binfmt.service.in', import.meta.url));
const systemdRunning = () => existsSync('/run/systemd/system');

function setupOptions(v: Values, stateDir: string): SetupOptions {
  if (v.emulator && !EMULATOR_IDS.some((id) => id === v.emulator)) throw new UsageError(`--emulator ${v.emulator}: unknown`, `use one of ${EMULATOR_IDS.join(', ')}`);
  const guests = parseGuests(v.guest);
  const layout = hookLayoutFrom(v);
  const refresh = [process.execPath, CLI_SCRIPT(), 'binfmt', 'refresh', ...(stateDir === DEFAULT_STATE_DIR ? [] : ['--state-dir', stateDir])];
  return {
    ...(guests ? { guests } : {}),
    ...(v.emulator ? { emulator: v.emulator } : {}),
    stateDir,
    persist: { dir: v['persist-dir'] ?? DEFAULT_PERSIST_DIR, vendorDirs: VENDOR_BINFMT_D_DIRS },
    hook: { layout, paths: { node: process.execPath, hook: defaultHookScript(), state: join(stateDir, STATE_FILE_NAME), log: v['hook-log'] ?? DEFAULT_HOOK_LOG } },
    unit: v['no-systemd'] ? undefined : { dir: v['unit-dir'] ?? DEFAULT_UNIT_DIR, argv: refresh, template: readFileSync(UNIT_TEMPLATE(), 'utf8') },
    ...(v.rootfs ? { rootfs: { source: v.rootfs, ...(v['rootfs-name'] ? { name: v['rootfs-name'] } : {}) } } : {}),
  };
}

/** `fexpod rootfs install` system-wide, for setup's rootfs step (setup-modes.ts journals or plans its writes). */
function rootfsInstaller(v: Values, ctx: CliContext, stateDir: string, log: Logger): ModeDeps['rootfs'] {
  const settings = registrySettings('setup --rootfs', v, ctx.cwd);
  const fexDir = v['fex-dir'] ? resolvePath(ctx.cwd, v['fex-dir']) : undefined;
  const paths = { env: ctx.env, home: ctx.env['HOME'] || homedir(), exists: existsSync, ...(fexDir ? { globalDir: fexDir } : {}) };
  return async (step, how) => {
    const progress = transferProgress(ctx.stderr, progressMode(ctx, v), 'downloading:', Date.now);
    const r = await installRootfs(
      { source: step.source, scope: 'system', ...(step.name ? { name: step.name } : {}), dryRun: how.dryRun, keepOther: true },
      { paths, stateRoot: stateDir, now: Date.now, connect: (ref) => connect(ctx, ref, settings, log), log, progress, writes: how.writes },
    );
    progress.finish();
    return r;
  };
}

const systemdFacts = () => ({
  present: VENDOR_UNIT_DIRS.some((d) => existsSync(join(d, 'systemd-binfmt.service'))),
  vendorUnit: VENDOR_UNIT_DIRS.map((d) => join(d, UNIT_NAME)).find((p) => existsSync(p)),
});

interface SetupOutput {
  readonly dryRun: boolean;
  readonly stateDir: string;
  readonly steps: readonly StepReport[];
  readonly changes: readonly Change[];
  readonly journal?: string;
  readonly doctor?: DoctorReport;
}

async function setup(v: Values, ctx: CliContext, log: Logger): Promise<SetupOutput> {
  const dry = v['dry-run'] === true;
  const stateDir = v['state-dir'] ?? DEFAULT_STATE_DIR;
  const opts = setupOptions(v, stateDir);
  const changes = new ChangeLog();
  const base = await binfmtDeps(stateDir, ctx, (fs) => recordingBinfmtFs(fs, changes, dry));
  const deps: ModeDeps = { base, files: nodeSetupFiles(), systemd: systemdFacts(), changes, log, ...(v.rootfs ? { rootfs: rootfsInstaller(v, ctx, stateDir, log) } : {}) };
  if (dry) return { dryRun: true, stateDir, steps: await drySetup(opts, deps), changes: changes.changes };

  let steps: StepReport[];
  try {
    ({ steps } = await journaledSetup(opts, deps, async (done) => {
      await relabelPrefixes(stateDir, ctx.env, log);
      const unitChanged = changes.changes.some((c) => c.kind === 'file' && c.path.includes('/systemd/'));
      if (done.some((s) => s.step === 'systemd' && s.status === 'done') && unitChanged && systemdRunning()) await daemonReload(changes, log);
    }));
  } catch (err) {
    throw new FexpodError(`setup stopped: ${errorMessage(err)}`, {
      cause: err,
      fix: `${err instanceof FexpodError && err.fix ? `${err.fix}; ` : ''}what it changed so far is undone by "fexpod setup --undo${stateDir === DEFAULT_STATE_DIR ? '' : ` --state-dir ${stateDir}`}"`,
      exitCode: err instanceof FexpodError ? err.exitCode : 1,
    });
  }
  log.info('setup: fexpod doctor');
  const doctor = buildDoctorReport(await gatherDoctorInput(nodeHostDeps(ctx.env), nodeDiscoveryDeps(ctx.env['PATH']), stateDir));
  return { dryRun: false, stateDir, steps, changes: changes.changes, journal: journalPath(stateDir), doctor };
}

async function daemonReload(changes: ChangeLog, log: Logger): Promise<void> {
  changes.add({ kind: 'command', argv: ['systemctl', 'daemon-reload'] });
  try {
    await run('systemctl', ['daemon-reload'], { timeout: 60_000 });
  } catch (err) {
    log.warn(`systemctl daemon-reload failed (${errorMessage(err)}); run it yourself so systemd sees ${UNIT_NAME}`);
  }
}

function stepLines(s: StepReport): string[] {
  if (s.status === 'skipped') return [`${s.step.padEnd(8)} skipped: ${s.reason}`];
  switch (s.step) {
    case 'binfmt':
      return s.result.installed.flatMap((g) => [
        `binfmt   ${g.guest}: ${g.entryName} -> ${g.interpreter} [${g.flags}] ${g.outcome}`,
        ...(g.disabled.length > 0 ? [`         disabled ${g.disabled.join(', ')}`] : []),
        ...(g.persistedFile ? [`         persisted in ${g.persistedFile}${g.masked.length > 0 ? `; masked ${g.masked.join(', ')}` : ''}`] : []),
      ]);
    case 'hook':
      return [`hook     ${s.result.written.join(', ')}`, `         Podman hooks_dir: ${s.result.hooksDirs.join(', ')}`];
    case 'systemd':
      return [`systemd  ${s.unit}, enabled by ${s.wants}`];
    case 'rootfs':
      return [
        `rootfs   ${s.result.path} (${s.result.kind}, ${s.result.digest})${s.result.changed ? '' : ' already installed'}`,
        `         from ${s.result.source}`,
        ...(s.result.config ? [`         ${s.result.config.file}: RootFS = "${s.result.config.rootfs}"`] : []),
      ];
  }
}

function printSetup(ctx: CliContext, out: SetupOutput): void {
  const w = (s: string) => ctx.stdout.write(s + '\n');
  if (out.dryRun) w('dry run: nothing was changed. fexpod setup would:');
  else for (const s of out.steps) for (const l of stepLines(s)) w(l);
  const lines = new ChangeLog();
  for (const c of out.changes) lines.add(c);
  if (!out.dryRun) w(out.changes.length === 0 ? 'changes  none (already set up)' : `changes  ${out.changes.length}:`);
  for (const l of lines.lines()) w(`  ${l}`);
  if (out.dryRun) {
    for (const s of out.steps) if (s.status === 'skipped') w(`  (${s.step} skipped: ${s.reason})`);
    for (const s of out.steps) if (s.step === 'rootfs' && s.status === 'done') w(`  (rootfs: ${s.result.source}, ${s.result.digest}${s.result.changed ? '' : ', already installed'})`);
    return;
  }
  if (out.journal) w(`undo     sudo fexpod setup --undo${out.stateDir === DEFAULT_STATE_DIR ? '' : ` --state-dir ${out.stateDir}`}   (journal ${out.journal})`);
  if (out.doctor) {
    w('');
    for (const l of formatVerdict(out.doctor)) w(l);
  }
}

function printUndo(ctx: CliContext, r: UndoReport): void {
  const w = (s: string) => ctx.stdout.write(s + '\n');
  for (const b of r.binfmt) w(`binfmt entry ${b.name}: ${b.how}`);
  for (const f of r.files) w(`${f.how.padEnd(10)} ${f.path}${f.why ? ` (${f.why})` : ''}`);
  for (const t of r.removedTrees) w(`removed    ${t} (staged prefix)`);
  for (const d of r.removedDirs) w(`removed    ${d}/`);
  w(`the host is back to its state before "fexpod setup"${r.files.some((f) => f.how === 'left-alone') ? ', except the files left alone above' : ''}`);
}

async function undo(v: Values, ctx: CliContext, log: Logger): Promise<number> {
  const stateDir = v['state-dir'] ?? DEFAULT_STATE_DIR;
  const j = readJournal(stateDir);
  if (!j) {
    if (v.json) printJson(ctx, { undone: false, reason: `no ${journalPath(stateDir)}` });
    else ctx.stdout.write(`nothing to undo: no ${journalPath(stateDir)} (setup has not run with this --state-dir)\n`);
    return 0;
  }
  if (v['dry-run']) {
    const plan = {
      undone: false,
      binfmtEntries: j.binfmtTouched ?? 'every entry that differs from the journal (setup was interrupted)',
      files: [...j.files].reverse().map((f) => ({ path: f.path, before: describePathState(f.before) })),
      trees: j.createdTrees,
      dirs: [...j.createdDirs].reverse(),
    };
    if (v.json) printJson(ctx, plan);
    else {
      ctx.stdout.write('dry run: nothing was changed. fexpod setup --undo would:\n');
      ctx.stdout.write(`  restore binfmt entries ${Array.isArray(plan.binfmtEntries) ? plan.binfmtEntries.join(', ') || '(none)' : plan.binfmtEntries}\n`);
      for (const f of plan.files) ctx.stdout.write(f.before === 'absent' ? `  remove   ${f.path}\n` : `  restore  ${f.path} (${f.before})\n`);
      for (const t of plan.trees) ctx.stdout.write(`  remove   ${t} (staged prefix)\n`);
      for (const d of plan.dirs) ctx.stdout.write(`  remove   ${d}/ (created by setup)\n`);
    }
    return 0;
  }
  const deps = await binfmtDeps(stateDir, ctx);
  const r = await deps.lock(() => undoSetup(j, deps.controller, log));
  if (j.systemd && systemdRunning()) await daemonReload(new ChangeLog(), log);
  if (v.json) printJson(ctx, { undone: true, ...r });
  else printUndo(ctx, r);
  return 0;
}

export const command: Command = {
  name: 'setup',
  summary: 'set this host up in one step (emulators, binfmt, Podman hook, systemd), or --undo it',
  help: HELP,
  options: OPTIONS,
  async run(args, ctx) {
    const { values, positionals } = parseOptions('setup', normalizeFlags(args), OPTIONS, false);
    if (positionals.length > 0) throw new UsageError(`setup: unexpected argument "${positionals[0]}"`);
    if (values.undo) {
      const extra = Object.keys(values).filter((k) => !['undo', 'dry-run', 'json', 'state-dir'].includes(k));
      if (extra.length > 0) throw new UsageError(`setup --undo takes only --state-dir, --dry-run and --json (got --${extra[0]})`, 'undo reads everything else from the journal');
    }
    if (values['no-build-hook'] && values['build-hooks-dir']) throw new UsageError('--no-build-hook and --build-hooks-dir exclude each other');
    if (values['no-systemd'] && values['unit-dir']) throw new UsageError('--no-systemd and --unit-dir exclude each other');
    const rootfsOnly = (['rootfs-name', 'fex-dir', 'tls-verify', 'cert-dir', 'authfile'] as const).find((k) => values[k] !== undefined);
    if (rootfsOnly && !values.rootfs) throw new UsageError(`setup: --${rootfsOnly} goes with --rootfs`, 'sudo fexpod setup --rootfs REF|FILE');
    const log = streamLogger(ctx.stderr);
    if (values.undo) return undo(values, ctx, log);
    const out = await setup(values, ctx, log);
    if (values.json) printJson(ctx, out);
    else printSetup(ctx, out);
    return out.doctor && !out.doctor.healthy ? 1 : 0;
  },
};
