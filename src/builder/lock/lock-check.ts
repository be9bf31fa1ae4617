/**
 * A lock checked against the definition it claims to belong to, whenever one is loaded (pure).
 *
 * The definition digest says the lock was resolved for this definition; it does not cover the
 * lock's own lines, which anyone can edit. Fetching trusts the lock's repositories (gpgcheck,
 * keys) and installs its packages, so each must be what a resolution of this definition could
 * give: the definition's repositories with its gpgcheck and keys; binary packages of an
 * architecture the definition allows (never a source package, whose spec and sources would land
 * in /); sizes an RPM can have. Anything else is refused with the lock file, the key path and
 * the fix.
 */
import { ConfigError } from '../../common/errors.js';
import type { ImageDefinition } from '../definition.js';
import type { Lock } from './lock.js';
import { formatNevra, RPM_LEAD_SIZE } from '../rpm/rpm-header.js';

/**
 * RPM arches each definition arch accepts besides noarch: the same families the solver uses
 * (src/builder/solv/resolve.py ARCH_FAMILY; a unit test keeps the two equal).
 */
export const RPM_ARCH_FAMILY: Readonly<Record<string, readonly string[]>> = {
  x86_64: ['x86_64', 'amd64', 'ia32e'],
  i686: ['i686', 'i586', 'i486', 'i386', 'athlon', 'geode'],
  aarch64: ['aarch64'],
  armv7hl: ['armv7hl', 'armv7hnl', 'armv7l', 'armv6hl', 'armv6l', 'armv5tel'],
};

/** The RPM arches a package of this definition may have. */
export function allowedRpmArches(arches: readonly string[]): Set<string> {
  const allowed = new Set(['noarch']);
  for (const a of arches) for (const x of RPM_ARCH_FAMILY[a] ?? [a]) allowed.add(x);
  return allowed;
}

/** The smallest RPM: a lead and two empty headers. */
const MIN_RPM_SIZE = RPM_LEAD_SIZE + 2 * 16;

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Throws a ConfigError naming the lock file, the key path and the fix for the first inconsistency. */
export function checkLockContent(lockFile: string, lock: Lock, def: ImageDefinition): void {
  const fix = `this lock was edited by hand or made for another definition: regenerate it with "fexpod lock ${def.file}"`;
  const refuse = (key: string, problem: string): never => {
    throw new ConfigError(lockFile, key, problem, fix);
  };
  if (!sameList(lock.definition.arches, def.arches)) {
    refuse('definition.arches', `says ${JSON.stringify(lock.definition.arches)}, the definition ${def.file} ${JSON.stringify(def.arches)}`);
  }
  for (const [i, r] of lock.repos.entries()) {
    const d = def.repos.find((x) => x.id === r.id);
    if (!d) refuse(`repos.${i}.id`, `repository ${r.id} is not in the definition ${def.file}`);
    else if (r.gpgcheck !== d.gpgcheck) refuse(`repos.${i}.gpgcheck`, `repository ${r.id} has gpgcheck ${r.gpgcheck}, the definition says ${d.gpgcheck}`);
    else if (!sameList(r.gpgkeys, d.gpgkeys)) refuse(`repos.${i}.gpgkeys`, `repository ${r.id} trusts other keys than the definition names`);
  }
  const allowed = allowedRpmArches(def.arches);
  for (const [i, p] of lock.packages.entries()) {
    const nevra = formatNevra(p);
    if (p.arch === 'src' || p.arch === 'nosrc' || /\.(no)?src\.rpm$/.test(p.location)) {
      refuse(`packages.${i}`, `${nevra} is a source package (${p.location}): it cannot be installed into an image`);
    }
    if (!allowed.has(p.arch)) {
      refuse(`packages.${i}.arch`, `${nevra} is built for ${p.arch}, which the definition's arches (${def.arches.join(', ')}) do not allow`);
    }
    if (!p.location.endsWith('.rpm')) refuse(`packages.${i}.location`, `${nevra}: ${p.location} is not an .rpm file`);
    if (p.size < MIN_RPM_SIZE) refuse(`packages.${i}.size`, `${nevra} is ${p.size} bytes: too small to be an RPM`);
  }
}
