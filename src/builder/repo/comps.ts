/**
 * comps.xml, a repository's package groups and environments (Fedora's fedora-comps), read the
 * way libcomps reads it for dnf. Pure: XML text in, values out.
 *
 *   parseComps   groups (id, name, packages with type/requires/basearchonly/arch) and
 *                environments (id, name, grouplist, optionlist)
 *   mergeComps   several repositories' comps into one, as libcomps' union (`+`) does: a later
 *                repository's group replaces the earlier one's fields; package lists are unioned
 *                by name, the later entry replacing the earlier in place
 *   archFilter   drops groups, environments, packages and group ids whose `arch` attribute does
 *                not list the primary arch: what pungi does to the comps it publishes in a
 *                repository, and what dnf asks libcomps' arch_filter for (dnf 4 then drops
 *                that call's result — dnf/base.py read_comps — which only shows with comps
 *                pungi did not process, such as fedora-comps' sources)
 *
 * A packagereq without a type is mandatory (libcomps). `uservisible`, `default`, categories,
 * descriptions and translations do not decide what a group installs, so they are not kept.
 */
import { SaxesParser } from 'saxes';
import { MetadataError, xmlErrorText } from './metadata-error.js';

export type CompsPackageType = 'mandatory' | 'default' | 'optional' | 'conditional' | 'unknown';

export interface CompsPackage {
  readonly name: string;
  readonly type: CompsPackageType;
  /** Conditional packages: installed when this package is. */
  readonly requires: string | undefined;
  /** Only the primary arch's build, even with multilib. */
  readonly basearchonly: boolean;
  /** Comma-separated arch list (pungi's attribute); undefined: every arch. */
  readonly arch: string | undefined;
}

export interface CompsGroup {
  readonly id: string;
  readonly name: string | undefined;
  readonly packages: readonly CompsPackage[];
  readonly arch: string | undefined;
}

export interface CompsGroupRef {
  readonly id: string;
  readonly arch: string | undefined;
}

export interface CompsEnvironment {
  readonly id: string;
  readonly name: string | undefined;
  /** The groups installing the environment installs. */
  readonly groups: readonly CompsGroupRef[];
  /** Optional groups (not installed). */
  readonly options: readonly CompsGroupRef[];
  readonly arch: string | undefined;
}

export interface Comps {
  readonly groups: readonly CompsGroup[];
  readonly environments: readonly CompsEnvironment[];
}

const TYPES: readonly CompsPackageType[] = ['mandatory', 'default', 'optional', 'conditional'];

interface Open {
  kind: 'group' | 'environment';
  id?: string;
  name?: string;
  arch: string | undefined;
  packages: CompsPackage[];
  groups: CompsGroupRef[];
  options: CompsGroupRef[];
  line: number;
}

export function parseComps(xml: string, source: string): Comps {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const groups: CompsGroup[] = [];
  const environments: CompsEnvironment[] = [];
  const problems: string[] = [];
  const stack: string[] = [];
  let cur: Open | undefined;
  let attrs: Record<string, string> = {};
  let text = '';
  let root: string | undefined;

  parser.on('opentag', (tag) => {
    root ??= tag.name;
    stack.push(tag.name);
    text = '';
    attrs = tag.attributes;
    if (stack.length === 2 && (tag.name === 'group' || tag.name === 'environment')) {
      cur = { kind: tag.name, arch: tag.attributes['arch'], packages: [], groups: [], options: [], line: parser.line };
    }
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    const value = text.trim();
    if (cur && stack.length === 2) {
      // Direct children of <group>/<environment>; <name xml:lang="…"> are translations.
      if (tag.name === 'id') cur.id = value;
      if (tag.name === 'name' && attrs['xml:lang'] === undefined) cur.name = value;
    }
    if (cur && tag.name === 'packagereq') {
      const type = attrs['type'] ?? 'mandatory';
      cur.packages.push({
        name: value,
        type: TYPES.find((t) => t === type) ?? 'unknown',
        requires: attrs['requires'] || undefined,
        basearchonly: /^(true|1|yes)$/i.test(attrs['basearchonly'] ?? ''),
        arch: attrs['arch'],
      });
    }
    if (cur?.kind === 'environment' && tag.name === 'groupid') {
      const list = stack[stack.length - 1] === 'optionlist' ? cur.options : cur.groups;
      list.push({ id: value, arch: attrs['arch'] });
    }
    if (cur && stack.length === 1 && (tag.name === 'group' || tag.name === 'environment')) {
      if (!cur.id) problems.push(`<${cur.kind}> at line ${cur.line} has no <id>`);
      else if (cur.kind === 'group') groups.push({ id: cur.id, name: cur.name, packages: cur.packages, arch: cur.arch });
      else environments.push({ id: cur.id, name: cur.name, groups: cur.groups, options: cur.options, arch: cur.arch });
      cur = undefined;
    }
    text = '';
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    throw new MetadataError(`${source} is not valid XML: ${xmlErrorText(err)}`, { cause: err });
  }
  if (root !== 'comps') throw new MetadataError(`${source} is not a comps document (root <${root ?? 'none'}>)`);
  if (problems.length > 0) throw new MetadataError(`${source} is malformed: ${problems.join('; ')}`);
  return { groups, environments };
}

/** libcomps' list union: items of `a` in order, replaced in place by equal items of `b`, then the rest of `b`. */
function unionBy<T>(a: readonly T[], b: readonly T[], key: (x: T) => string, merge: (x: T, y: T) => T): T[] {
  const out = [...a];
  const index = new Map(out.map((x, i) => [key(x), i] as const));
  for (const y of b) {
    const i = index.get(key(y));
    if (i === undefined) {
      index.set(key(y), out.length);
      out.push(y);
    } else {
      out[i] = merge(out[i]!, y);
    }
  }
  return out;
}

const later = <T>(_: T, y: T): T => y;

function mergeGroup(a: CompsGroup, b: CompsGroup): CompsGroup {
  return { id: b.id, name: b.name ?? a.name, arch: b.arch ?? a.arch, packages: unionBy(a.packages, b.packages, (p) => p.name, later) };
}

function mergeEnvironment(a: CompsEnvironment, b: CompsEnvironment): CompsEnvironment {
  return {
    id: b.id,
    name: b.name ?? a.name,
    arch: b.arch ?? a.arch,
    groups: unionBy(a.groups, b.groups, (g) => g.id, later),
    options: unionBy(a.options, b.options, (g) => g.id, later),
  };
}

/** The comps of several repositories, in repository order, as dnf sees them together. */
export function mergeComps(all: readonly Comps[]): Comps {
  return all.reduce<Comps>(
    (acc, c) => ({
      groups: unionBy(acc.groups, c.groups, (g) => g.id, mergeGroup),
      environments: unionBy(acc.environments, c.environments, (e) => e.id, mergeEnvironment),
    }),
    { groups: [], environments: [] },
  );
}

function forArch(arch: string | undefined, basearch: string): boolean {
  return arch === undefined || arch.split(',').map((a) => a.trim()).includes(basearch);
}

/** Keeps what applies to `basearch` (libcomps' arch_filter, as dnf applies it with the base arch). */
export function archFilter(comps: Comps, basearch: string): Comps {
  return {
    groups: comps.groups
      .filter((g) => forArch(g.arch, basearch))
      .map((g) => ({ ...g, packages: g.packages.filter((p) => forArch(p.arch, basearch)) })),
    environments: comps.environments
      .filter((e) => forArch(e.arch, basearch))
      .map((e) => ({ ...e, groups: e.groups.filter((g) => forArch(g.arch, basearch)), options: e.options.filter((g) => forArch(g.arch, basearch)) })),
  };
}
