/**
 * The record `fexpod setup` keeps of what it changed (<stateDir>/setup-journal.json),
 * so `fexpod setup --undo` can return the host to exactly the state before the
 * first setup: the binfmt_misc entries as they were, every file it wrote or
 * replaced, every directory and prefix it created.
 *
 * It is written before each change (a setup that is interrupted can still be
 * undone) and extended, never reset, by a later setup: the "before" of a path
 * is the state before the first setup that touched it.
 */
import { z } from 'zod';
import { join } from 'node:path';
import { ConfigError } from '../common/errors.js';
import { readTextIfExists } from '../common/read-text.js';
import { writeFileAtomic } from '../common/atomic-write.js';
import type { PathState } from './path-state.js';

export const JOURNAL_VERSION = 1;
export const JOURNAL_FILE = 'setup-journal.json';

export interface BinfmtEntrySnapshot {
  readonly name: string;
  readonly enabled: boolean;
  /** The registration line that recreates it (rebuilt from /proc). */
  readonly registration: string;
}

export interface BinfmtSnapshot {
  readonly mounted: boolean;
  readonly entries: readonly BinfmtEntrySnapshot[];
}

export interface JournalFile {
  readonly path: string;
  /** The path's state before the first setup that touched it. */
  readonly before: PathState;
  /** Its state when the last setup finished (absent when that setup was interrupted). */
  readonly after?: PathState;
}

export interface SetupJournal {
  readonly version: typeof JOURNAL_VERSION;
  readonly stateDir: string;
  /** binfmt_misc before the first setup. */
  readonly binfmtBefore: BinfmtSnapshot;
  /** Entries setup changed (absent while a setup is running or was interrupted: undo then compares with now). */
  readonly binfmtTouched?: readonly string[];
  /** Every path setup wrote, replaced, renamed or removed, in the order it first touched them. */
  readonly files: readonly JournalFile[];
  /** Directories setup created, outermost first (removed by undo when empty; under the state dir: with everything in them). */
  readonly createdDirs: readonly string[];
  /** Prefix directories setup staged (removed by undo with their contents). */
  readonly createdTrees: readonly string[];
  /** Whether systemd units were written or enabled (undo reloads systemd). */
  readonly systemd: boolean;
}

const pathState = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('absent') }),
  z.strictObject({ kind: z.literal('file'), mode: z.number().int().min(0).max(0o7777), base64: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.strictObject({ kind: z.literal('symlink'), target: z.string().min(1) }),
  z.strictObject({ kind: z.literal('dir') }),
  z.strictObject({ kind: z.literal('blob'), mode: z.number().int().min(0).max(0o7777), size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
]);
const absolute = z.string().regex(/^\//, 'must be an absolute path');

const journalSchema = z.strictObject({
  version: z.literal(JOURNAL_VERSION),
  stateDir: absolute,
  binfmtBefore: z.strictObject({
    mounted: z.boolean(),
    entries: z.array(z.strictObject({ name: z.string().min(1), enabled: z.boolean(), registration: z.string().min(1) })),
  }),
  binfmtTouched: z.array(z.string().min(1)).optional(),
  files: z.array(z.strictObject({ path: absolute, before: pathState, after: pathState.optional() })),
  createdDirs: z.array(absolute),
  createdTrees: z.array(absolute),
  systemd: z.boolean(),
});

export function journalPath(stateDir: string): string {
  return join(stateDir, JOURNAL_FILE);
}

export function emptyJournal(stateDir: string, binfmtBefore: BinfmtSnapshot): SetupJournal {
  return { version: JOURNAL_VERSION, stateDir, binfmtBefore, files: [], createdDirs: [], createdTrees: [], systemd: false };
}

/** Parses a journal's text; errors name the file, the key and the fix. */
export function parseJournal(text: string, file: string): SetupJournal {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, '', `not valid JSON (${err instanceof Error ? err.message : String(err)})`, fixFor(file), err);
  }
  const r = journalSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError(file, issue?.path.join('.') ?? '', issue?.message ?? 'invalid', fixFor(file));
  }
  const j = r.data;
  return {
    version: JOURNAL_VERSION,
    stateDir: j.stateDir,
    binfmtBefore: j.binfmtBefore,
    ...(j.binfmtTouched ? { binfmtTouched: j.binfmtTouched } : {}),
    files: j.files.map((f) => ({ path: f.path, before: f.before, ...(f.after ? { after: f.after } : {}) })),
    createdDirs: j.createdDirs,
    createdTrees: j.createdTrees,
    systemd: j.systemd,
  };
}

function fixFor(file: string): string {
  return `the journal is written only by "fexpod setup"; if it was edited, restore it from a backup. Without it, undo by hand: "fexpod hook uninstall", "fexpod binfmt uninstall", then remove ${file}`;
}

export function readJournal(stateDir: string): SetupJournal | undefined {
  const file = journalPath(stateDir);
  const text = readTextIfExists(file);
  return text === undefined ? undefined : parseJournal(text, file);
}

export function writeJournal(j: SetupJournal): void {
  writeFileAtomic(journalPath(j.stateDir), JSON.stringify(j, null, 2) + '\n', 0o600);
}
