/**
 * Reading and writing the install state file (<stateDir>/binfmt-state.json),
 * which the Podman hook reads too: written atomically (temp file in the same
 * directory, fsync, rename), so a reader never sees half a file.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { errnoCode, inContext } from '../../common/errors.js';
import { type InstallState, STATE_FILE_NAME, emptyInstallState, formatInstallState, parseInstallState } from './install-state.js';

export interface StateStore {
  readonly path: string;
  /** The state, or undefined when no file exists. */
  read(): Promise<InstallState | undefined>;
  write(state: InstallState): Promise<void>;
  remove(): Promise<void>;
}

export function isEmptyState(s: InstallState): boolean {
  return s.registrations.length === 0 && s.disabled.length === 0 && s.persisted.length === 0 && (s.masks?.length ?? 0) === 0 && (s.microvm?.length ?? 0) === 0;
}

export function fileStateStore(stateDir: string): StateStore {
  const path = join(stateDir, STATE_FILE_NAME);
  return {
    path,
    async read() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return undefined;
        throw err;
      }
      return parseInstallState(text, path);
    },
    async write(state) {
      await inContext(`writing ${path}`, async () => writeFileAtomic(path, formatInstallState(state), 0o644));
    },
    async remove() {
      await rm(path, { force: true });
    },
  };
}

export { emptyInstallState };
