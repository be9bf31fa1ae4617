/**
 * Step "resolve": the definition → its lock (lock/). The lock policy is cargo's
 * and npm's:
 *
 *   when-stale  (fexpod build) an existing lock that matches the definition is
 *               used as is, without a metadata download; otherwise the
 *               definition is resolved with libsolv and the lock (re)written
 *   always      (fexpod lock) resolved and written every time
 *   never       (--locked) the lock must exist and match, and no locked
 *               package may have vanished from the repositories; nothing is
 *               rewritten
 *
 * A lock whose digest matches but whose lines a resolution could not have
 * written (lock/lock-check.ts) is refused, never used nor silently rewritten.
 */
import { writeFileAtomic } from '../../common/atomic-write.js';
import { FexpodError, inContext } from '../../common/errors.js';
import { readTextIfExists } from '../../common/read-text.js';
import type { PackagesContext } from '../build-context.js';
import type { ImageDefinition } from '../definition.js';
import { checkLockContent } from '../lock/lock-check.js';
import { checkLockMatches, parseLock, serializeLock, type Lock } from '../lock/lock.js';

export interface Resolved {
  readonly lock: Lock;
  /** Whether libsolv ran (the lock was written), or an existing lock was used. */
  readonly resolved: boolean;
}

export async function resolve<C extends PackagesContext>(ctx: C): Promise<C & Resolved> {
  const def = ctx.definition;
  ctx.deps.progress?.(`resolve ${def.name}`);
  return { ...ctx, ...(await inContext(`resolving ${def.file}`, () => lockFor(ctx))) };
}

async function lockFor(ctx: PackagesContext): Promise<Resolved> {
  const { definition: def, options: o, deps } = ctx;
  // fexpod lock replaces whatever is there (even a lock that does not parse).
  const existing = o.resolve === 'always' ? undefined : readLockIfAny(o.lockFile);
  if (o.resolve === 'never') {
    if (!existing) {
      throw new FexpodError(`--locked: there is no lock file ${o.lockFile}`, { fix: `run "fexpod lock ${def.file}" and commit the lock`, exitCode: 3 });
    }
    await deps.repos.check(o.lockFile, existing, def, !o.offline);
    return { lock: existing, resolved: false };
  }
  if (o.resolve === 'when-stale') {
    if (existing && matches(o.lockFile, existing, def)) {
      // The digest says this lock is for this definition; its lines must say so too.
      checkLockContent(o.lockFile, existing, def);
      deps.log.info(`using ${o.lockFile} (${existing.packages.length} packages)`);
      return { lock: existing, resolved: false };
    }
    deps.log.info(`resolving ${def.name} (${existing ? 'the lock is stale' : 'no lock yet'})`);
  }
  const lock = await deps.repos.lock(def);
  writeFileAtomic(o.lockFile, serializeLock(lock));
  if (o.resolve === 'when-stale') deps.log.info(`wrote ${o.lockFile}`);
  return { lock, resolved: true };
}

function readLockIfAny(path: string): Lock | undefined {
  const text = readTextIfExists(path);
  return text === undefined ? undefined : parseLock(path, text);
}

function matches(lockFile: string, lock: Lock, def: ImageDefinition): boolean {
  try {
    checkLockMatches(lockFile, lock, def);
    return true;
  } catch {
    return false;
  }
}
