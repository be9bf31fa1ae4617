/**
 * What binfmt_misc looks like from here: mounted, enabled, writable by this
 * user, mountable, and the entries it holds (read with the rule model in
 * binfmt-entry.ts, so each entry says which architectures it catches).
 * Read-only: registering and removing entries is the controller's job.
 */
import type { ArchName } from '../../common/arch.js';
import { errorMessage } from '../../common/errors.js';
import { BINFMT_MISC_DIR } from './binfmt-controller.js';
import { parseEntryFile, entryRegistration } from './binfmt-entry.js';
import { archesMatched } from './binfmt-magic.js';

export interface BinfmtEntrySummary {
  readonly name: string;
  readonly enabled: boolean;
  readonly interpreter: string;
  readonly flags: string;
  /** Architectures whose ELF binaries this entry catches. */
  readonly arches: readonly ArchName[];
  /** The registration line that recreates it. */
  readonly registration: string;
}

export interface BinfmtStatus {
  readonly dir: string;
  /** The register file exists (binfmt_misc is mounted, or automounted on access). */
  readonly mounted: boolean;
  /** The global status file says "enabled" (undefined when not mounted). */
  readonly enabled: boolean | undefined;
  /** This user may write the register file. */
  readonly writable: boolean;
  /** /proc/filesystems lists binfmt_misc (undefined when unknown: it may be a module). */
  readonly kernelSupports: boolean | undefined;
  readonly entries: readonly BinfmtEntrySummary[];
  /** Entry files that could not be read or parsed. */
  readonly unreadable: readonly { readonly name: string; readonly message: string }[];
}

export interface BinfmtStatusDeps {
  readText(path: string): Promise<string | undefined>;
  listDir(path: string): Promise<string[] | undefined>;
  exists(path: string): Promise<boolean>;
  canWrite(path: string): Promise<boolean>;
}

/** Whether a /proc/filesystems text lists binfmt_misc. */
export function filesystemsListBinfmt(text: string): boolean {
  return text.split('\n').some((l) => l.trim().split(/\s+/).pop() === 'binfmt_misc');
}

export async function readBinfmtStatus(deps: BinfmtStatusDeps, dir = BINFMT_MISC_DIR): Promise<BinfmtStatus> {
  const fsText = await deps.readText('/proc/filesystems');
  const kernelSupports = fsText === undefined ? undefined : filesystemsListBinfmt(fsText) ? true : undefined;
  const mounted = await deps.exists(`${dir}/register`);
  if (!mounted) return { dir, mounted, enabled: undefined, writable: false, kernelSupports, entries: [], unreadable: [] };
  const status = (await deps.readText(`${dir}/status`))?.trim();
  const entries: BinfmtEntrySummary[] = [];
  const unreadable: { name: string; message: string }[] = [];
  for (const name of ((await deps.listDir(dir)) ?? []).sort()) {
    if (name === 'register' || name === 'status') continue;
    const text = await deps.readText(`${dir}/${name}`);
    if (text === undefined) {
      unreadable.push({ name, message: 'cannot read the entry file' });
      continue;
    }
    try {
      const e = parseEntryFile(name, text);
      entries.push({
        name,
        enabled: e.enabled,
        interpreter: e.rule.interpreter,
        flags: e.rule.flags,
        arches: archesMatched(e.rule).map((a) => a.name),
        registration: entryRegistration(e),
      });
    } catch (err) {
      unreadable.push({ name, message: errorMessage(err) });
    }
  }
  return {
    dir,
    mounted,
    enabled: status === undefined ? undefined : status === 'enabled',
    writable: await deps.canWrite(`${dir}/register`),
    kernelSupports,
    entries,
    unreadable,
  };
}
