/**
 * The two ways setup runs its steps: for real, with every effect recorded in
 * the journal before it happens, or dry, with every write kept in memory.
 * Both log the same changes. (The command wires the host's effects into these;
 * the tests wire fakes.)
 */
import { join } from 'node:path';
import type { Logger } from '../common/log.js';
import type { BinfmtDeps } from '../emulator/binfmt/binfmt-install.js';
import { LOCK_FILE_NAME } from '../emulator/binfmt/binfmt-lock.js';
import { snapshotBinfmt } from './binfmt-snapshot.js';
import type { ChangeLog } from './change-log.js';
import { Overlay, dryEmulators, dryFiles, dryPersistFs, dryStore } from './dry-run.js';
import { LiveJournal, journaledEmulators, journaledMicroVm, journaledFiles, journaledPersistFs, journaledStore } from './live-journal.js';
import type { SetupFiles } from './setup-files.js';
import { emptyJournal, readJournal } from './setup-journal.js';
import type { InstallResult as RootfsResult, RootfsWrites } from '../rootfs/rootfs-install.js';
import { type RootfsStep, type SetupOptions, type StepReport, type SystemdFacts, runSetup } from './setup-run.js';

export interface ModeDeps {
  /** The binfmt effects, with binfmt_misc writes already going through recordingBinfmtFs. */
  readonly base: BinfmtDeps;
  readonly files: SetupFiles;
  readonly systemd: SystemdFacts;
  readonly changes: ChangeLog;
  readonly log: Logger;
  /** `fexpod rootfs install` system-wide, its writes announced to `writes`, none made when `dryRun`. */
  readonly rootfs?: (step: RootfsStep, how: { readonly dryRun: boolean; readonly writes: RootfsWrites }) => Promise<RootfsResult>;
}

export async function drySetup(o: SetupOptions, d: ModeDeps): Promise<StepReport[]> {
  const overlay = new Overlay();
  const binfmt: BinfmtDeps = {
    ...d.base,
    persistFs: dryPersistFs(d.base.persistFs, overlay, d.changes),
    store: dryStore(d.base.store, d.changes),
    lock: (fn) => fn(),
    emulators: async (g) => dryEmulators(await d.base.emulators(g), (p) => d.base.persistFs.exists(p), d.changes),
    // Non-4k hosts: a dry run does not stage FEX for the krun microVM (fexpod doctor shows that route).
    microvm: undefined,
  };
  const rootfs = d.rootfs;
  const writes: RootfsWrites = { file: (path, text) => d.changes.add({ kind: 'file', action: 'write', path, ...(text !== undefined ? { text } : {}) }) };
  return runSetup(o, {
    binfmt, files: dryFiles(d.files, overlay, d.changes), systemd: d.systemd, log: d.log,
    ...(rootfs ? { rootfs: (step: RootfsStep) => rootfs(step, { dryRun: true, writes }) } : {}),
  });
}

/**
 * A real run. `after` runs once the steps succeeded, before the journal is
 * closed (relabelling, daemon-reload: effects that are not file writes).
 * On failure the journal stays as it is, so --undo can undo the part that ran.
 */
export async function journaledSetup(o: SetupOptions, d: ModeDeps, after?: (steps: StepReport[], journal: LiveJournal) => Promise<void>): Promise<{ steps: StepReport[]; journal: LiveJournal }> {
  const runStart = await snapshotBinfmt(d.base.controller);
  const journal = new LiveJournal(readJournal(o.stateDir) ?? emptyJournal(o.stateDir, runStart));
  journal.touchDir(o.stateDir);
  journal.save();
  const binfmt: BinfmtDeps = {
    ...d.base,
    persistFs: journaledPersistFs(d.base.persistFs, journal, d.changes),
    store: journaledStore(d.base.store, journal, d.changes),
    lock: (fn) => {
      journal.touch(join(o.stateDir, LOCK_FILE_NAME));
      return d.base.lock(fn);
    },
    emulators: async (g) => journaledEmulators(await d.base.emulators(g), join(o.stateDir, 'prefix'), journal, d.changes),
    ...(d.base.microvm ? { microvm: journaledMicroVm(d.base.microvm, join(o.stateDir, 'prefix'), journal, d.changes) } : {}),
  };
  const rootfs = d.rootfs;
  // Each path is recorded (its state before, the directories its write creates) before it is written.
  const writes: RootfsWrites = {
    file(path, text) {
      journal.touch(path);
      d.changes.add({ kind: 'file', action: 'write', path, ...(text !== undefined ? { text } : {}) });
    },
  };
  const steps = await runSetup(o, {
    binfmt, files: journaledFiles(d.files, journal, d.changes), systemd: d.systemd, log: d.log,
    ...(rootfs ? { rootfs: (step: RootfsStep) => rootfs(step, { dryRun: false, writes }) } : {}),
  });
  if (steps.some((s) => s.step === 'systemd' && s.status === 'done')) journal.update((j) => ({ ...j, systemd: true }));
  await after?.(steps, journal);
  journal.finish(runStart, await snapshotBinfmt(d.base.controller));
  return { steps, journal };
}
