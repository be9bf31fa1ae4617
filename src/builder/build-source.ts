/**
 * Where `fexpod build` gets its packages: the lock (read, checked with
 * --locked, or resolved and written) and the verified package cache, from the
 * repository code (issue 4), plus the ld.so.cache generator from the RPM code.
 * This file only adapts their APIs to BuildDeps.
 */
import { FexpodError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { ImageDefinition } from './definition.js';
import type { ResolvedSet } from './build.js';
import type { TreeEntry } from './tree.js';

export interface PackageSourceOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number | undefined;
  readonly lockFile?: string;
  readonly locked: boolean;
  readonly cacheDir?: string;
  readonly log: Logger;
}

export interface PackageSource {
  resolve(def: ImageDefinition): Promise<ResolvedSet>;
  fetch(def: ImageDefinition, set: ResolvedSet): Promise<readonly string[]>;
  readonly ldSoCache?: (entries: readonly TreeEntry[], def: ImageDefinition) => Uint8Array | Promise<Uint8Array>;
}

export function packageSource(_opts: PackageSourceOptions): PackageSource {
  const missing = () =>
    new FexpodError('resolving and fetching packages is not available in this build of fexpod', {
      fix: 'this needs the lock/fetch code of issue 4',
    });
  return {
    resolve: async () => {
      throw missing();
    },
    fetch: async () => {
      throw missing();
    },
  };
}
