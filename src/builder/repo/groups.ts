/**
 * `@group` entries of a definition's `packages`, expanded the way `dnf install @group` does
 * (dnf 4 Base._install_groups / comps Solver._group_install / Base._finalize_comps_trans):
 *
 *   - `@pattern` names groups and environments by exact id or name, else by a case-insensitive
 *     glob over ids and names; an environment installs its <grouplist> groups (not its options)
 *   - a group installs its mandatory, default and conditional packages (dnf's default
 *     group_package_types), not its optional ones
 *   - each package is looked up by name only (no provides); a name no repository has is
 *     skipped with a warning ("No match for group package"), as dnf does; basearchonly means
 *     the primary arch's build only
 *   - a conditional package is installed only together with the package it names
 *     (`(name if requires)`, handed to libsolv as a rich dependency)
 *
 * Pure: merged, arch-filtered comps in, solver jobs and the record of which group gave which
 * package out.
 */
import { FexpodError } from '../../common/errors.js';
import type { Comps, CompsGroup, CompsPackageType } from './comps.js';

/** What `dnf install @group` installs (dnf's group_package_types default). */
export const GROUP_PACKAGE_TYPES: readonly CompsPackageType[] = ['mandatory', 'default', 'conditional'];

export interface GroupPackageJob {
  readonly name: string;
  readonly basearchonly: boolean;
}

export interface ConditionalJob {
  readonly name: string;
  readonly requires: string;
}

export interface ExpandedGroup {
  /** The definition's entry ("@core"). */
  readonly spec: string;
  /** Group ids it named (environments give their groups). */
  readonly groups: readonly string[];
  /** Package names the groups ask for (before the solver). */
  readonly packages: readonly string[];
}

export interface GroupExpansion {
  /** The definition's entries that are not groups, unchanged. */
  readonly specs: readonly string[];
  readonly packages: readonly GroupPackageJob[];
  readonly conditional: readonly ConditionalJob[];
  readonly groups: readonly ExpandedGroup[];
}

export function isGroupSpec(spec: string): boolean {
  return spec.startsWith('@');
}

export class UnknownGroupError extends FexpodError {
  constructor(spec: string, repos: readonly string[], withoutComps: readonly string[]) {
    const searched = repos.length === 0 ? 'no repository' : `repositor${repos.length === 1 ? 'y' : 'ies'} ${repos.join(', ')}`;
    const none = withoutComps.length > 0 ? ` (${withoutComps.join(', ')} ${withoutComps.length === 1 ? 'has' : 'have'} no group metadata)` : '';
    super(`no group or environment matches "${spec}" in the comps of ${searched}${none}`, {
      fix: 'use a group id or name from the repositories\' comps (dnf group list --ids shows them), or drop the "@" for a package',
      exitCode: 3,
    });
  }
}

function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}

/** dnf's _by_pattern: exact id or name first, else a case-insensitive glob over ids and names. */
function byPattern<T extends { readonly id: string; readonly name: string | undefined }>(pattern: string, items: readonly T[]): T[] {
  const exact = items.filter((x) => x.id === pattern || x.name === pattern);
  if (exact.length > 0) return exact;
  const re = globRegExp(pattern);
  return items.filter((x) => re.test(x.id) || (x.name !== undefined && re.test(x.name)));
}

/**
 * Expands the `@` entries of `specs` over the merged, arch-filtered comps. `repos` and
 * `withoutComps` are only for the error that names where a group was looked for.
 */
export function expandGroups(specs: readonly string[], comps: Comps, repos: readonly string[], withoutComps: readonly string[]): GroupExpansion {
  const plain = specs.filter((s) => !isGroupSpec(s));
  const packages = new Map<string, GroupPackageJob>();
  const conditional = new Map<string, ConditionalJob>();
  const groups: ExpandedGroup[] = [];
  const byId = new Map(comps.groups.map((g) => [g.id, g] as const));
  for (const spec of specs.filter(isGroupSpec)) {
    const pattern = spec.slice(1);
    const direct = byPattern(pattern, comps.groups);
    const envs = byPattern(pattern, comps.environments);
    const chosen: CompsGroup[] = [...direct];
    for (const e of envs) {
      for (const ref of e.groups) {
        const g = byId.get(ref.id);
        if (g && !chosen.includes(g)) chosen.push(g);
      }
    }
    if (direct.length === 0 && envs.length === 0) throw new UnknownGroupError(spec, repos, withoutComps);
    const names: string[] = [];
    for (const g of chosen) {
      for (const p of g.packages) {
        if (!GROUP_PACKAGE_TYPES.includes(p.type)) continue;
        names.push(p.name);
        if (p.requires) {
          conditional.set(`${p.name}\0${p.requires}`, { name: p.name, requires: p.requires });
        } else {
          const prev = packages.get(p.name);
          // Listed twice, once without basearchonly: dnf installs every arch.
          packages.set(p.name, { name: p.name, basearchonly: (prev?.basearchonly ?? true) && p.basearchonly });
        }
      }
    }
    groups.push({ spec, groups: chosen.map((g) => g.id), packages: [...new Set(names)].sort() });
  }
  return { specs: plain, packages: [...packages.values()], conditional: [...conditional.values()], groups };
}
