/**
 * Image definitions (images/*.toml): parse → normalize → check, once, at the boundary.
 *
 * definition-schema.ts describes what users write (one zod schema, a discriminated union on
 * `profile`); `ImageDefinition` is the normalized value with every default filled in — the
 * profile options and output options included — and DNF variables expanded in the repository
 * URLs. `fexpod lock` and `fexpod build` both start here, so both refuse the same inputs before
 * anything is fetched. Errors are ConfigErrors naming the file, the key path and the fix. The
 * format is documented in images/README.md.
 */
import { createHash } from 'node:crypto';
import TOML from '@iarna/toml';
import { z } from 'zod';
import { Arch } from '../common/arch.js';
import { configIssueError } from '../common/config-issue.js';
import { ConfigError } from '../common/errors.js';
import { definitionSchema, REPO_ID, VAR_NAME, type DefinitionInput, type OutputFormat, type OutputOptionsInput, type RepoInput } from './definition-schema.js';
import { BUILTIN_VARS, builtinVars, expandDnfVars, VarSyntaxError } from './repo/dnf-vars.js';
import { normalizeProfile, type ProfileSpec } from './profile/profile.js';

export { definitionSchema, OUTPUT_FORMATS, PROFILES, type DefinitionInput, type OutputFormat, type Profile } from './definition-schema.js';

export type RepoSourceKind = 'metalink' | 'mirrorlist' | 'baseurl';

export interface RepoSource {
  readonly kind: RepoSourceKind;
  /** metalink/mirrorlist: one URL; baseurl: one or more mirrors, tried in order. */
  readonly urls: readonly string[];
}

export interface RepoDefinition {
  readonly id: string;
  readonly name: string;
  readonly source: RepoSource;
  /** Key locations (file:// or https://), expanded. Default with gpgcheck: Fedora's primary key for the release. */
  readonly gpgkeys: readonly string[];
  readonly gpgcheck: boolean;
  /** Verify repomd.xml's detached signature (repodata/repomd.xml.asc) against gpgkeys before trusting it. */
  readonly repoGpgcheck: boolean;
}

/** The options of the output steps ([outputs] without `formats`). */
export type OutputOptions = Omit<OutputOptionsInput, 'formats'>;

export interface ImageDefinition {
  /** The file it came from (for messages). */
  readonly file: string;
  readonly name: string;
  /** $releasever: "42", "rawhide". */
  readonly release: string;
  /** RPM arch names; the first is the primary ($basearch), the rest are multilib. */
  readonly arches: readonly string[];
  readonly basearch: string;
  /** DNF variables: the built-in ones ($releasever, $basearch, …) and the definition's [vars]. */
  readonly vars: Readonly<Record<string, string>>;
  readonly repos: readonly RepoDefinition[];
  /** Package specs: names, `name.arch`, or `@group` (expanded from the repositories' comps). */
  readonly packages: readonly string[];
  /** Package name globs hidden from resolution (dnf excludepkgs). */
  readonly excludes: readonly string[];
  /** Install weak dependencies (Recommends/Supplements). */
  readonly weakDeps: boolean;
  /** The profile with its options, every default filled in. */
  readonly profile: ProfileSpec;
  /** Overlays: the definition (path, relative to this file) or image reference they sit on. */
  readonly base: string | undefined;
  readonly outputs: {
    readonly formats: readonly OutputFormat[];
    readonly options: OutputOptions;
  };
  /** sha256 over the resolution inputs (release, arches, repo ids + keys, packages, excludes, weak deps). */
  readonly digest: string;
}

export const FEDORA_METALINK = 'https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch';
export const FEDORA_UPDATES_METALINK =
  'https://mirrors.fedoraproject.org/metalink?repo=updates-released-f$releasever&arch=$basearch';
export const FEDORA_GPGKEY = 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-primary';

/** Parses TOML text into the checked input (ConfigError on syntax or schema errors). */
export function parseDefinitionInput(file: string, text: string): DefinitionInput {
  let raw: unknown;
  try {
    raw = TOML.parse(text);
  } catch (err) {
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? err.message).replace(/:$/, '') : String(err);
    throw new ConfigError(file, '', `not valid TOML: ${first}`, 'fix the TOML syntax at the position shown', err);
  }
  const parsed = z.safeParse(definitionSchema, raw, { reportInput: true });
  if (!parsed.success) throw configIssueError(file, definitionSchema, raw, parsed.error, 'see images/README.md for the definition format');
  return parsed.data;
}

/** Expands DNF variables in the value of `keyPath` (ConfigError names an undefined variable). */
export function expandVars(file: string, keyPath: string, text: string, vars: Readonly<Record<string, string>>): string {
  try {
    return expandDnfVars(text, vars);
  } catch (err) {
    if (!(err instanceof VarSyntaxError)) throw err;
    const fix =
      err.undefinedVar !== undefined
        ? `define it in the definition's [vars] table (${err.undefinedVar} = "…"), or write \\$ for a literal "$"`
        : 'see images/README.md "Variables" for the forms dnf knows';
    throw new ConfigError(file, keyPath, err.message, fix, err);
  }
}

function list(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

/** Fedora's own repositories for a release, used when a definition lists none. */
export function defaultRepos(): Record<string, RepoInput> {
  return {
    fedora: { name: 'Fedora $releasever - $basearch', metalink: FEDORA_METALINK },
    updates: { name: 'Fedora $releasever - $basearch - Updates', metalink: FEDORA_UPDATES_METALINK },
  };
}

function normalizeRepo(file: string, keyPath: string, id: string, r: RepoInput, vars: Readonly<Record<string, string>>): RepoDefinition {
  const sources = (['metalink', 'mirrorlist', 'baseurl'] as const).filter((k) => r[k] !== undefined);
  if (sources.length !== 1) {
    throw new ConfigError(
      file,
      keyPath,
      sources.length === 0 ? 'no metalink, mirrorlist or baseurl' : `both ${sources.join(' and ')} are set`,
      'give each repository exactly one of metalink, mirrorlist or baseurl',
    );
  }
  const kind = sources[0]!;
  const given = list(r[kind]);
  const urls = given.map((u, i) => {
    const key = `${keyPath}.${kind}${kind === 'baseurl' && given.length > 1 ? `[${i}]` : ''}`;
    const url = expandVars(file, key, u, vars);
    checkUrl(file, key, url);
    return url;
  });
  const gpgcheck = r.gpgcheck ?? true;
  const repoGpgcheck = r.repo_gpgcheck ?? false;
  // No key given: Fedora's primary key for the release (a bundled copy stands in where the
  // builder is not Fedora; see keys.ts).
  const keys = list(r.gpgkey);
  const gpgkeys = (keys.length === 0 && (gpgcheck || repoGpgcheck) ? [FEDORA_GPGKEY] : keys).map((u, i) => {
    const key = `${keyPath}.gpgkey${keys.length === 0 ? '' : `[${i}]`}`;
    const url = expandVars(file, key, u, vars);
    checkUrl(file, key, url);
    return url;
  });
  return {
    id,
    name: expandVars(file, `${keyPath}.name`, r.name ?? id, vars),
    source: { kind, urls },
    gpgkeys,
    gpgcheck,
    repoGpgcheck,
  };
}

function checkUrl(file: string, keyPath: string, u: string): void {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw new ConfigError(file, keyPath, `"${u}" is not a URL`, 'use an absolute http://, https:// or file:// URL');
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new ConfigError(file, keyPath, `unsupported URL scheme ${url.protocol}`, 'use http://, https:// or file://');
  }
}

function rpmArch(file: string, keyPath: string, a: string): string {
  const parsed = Arch.tryParse(a);
  if (!parsed) {
    throw new ConfigError(file, keyPath, `unknown architecture "${a}"`, 'use x86_64, i686, aarch64 or armv7hl');
  }
  return parsed.rpm;
}

/** Multilib pairs Fedora ships: primary → secondary arches it can carry. */
const MULTILIB: Readonly<Record<string, readonly string[]>> = { x86_64: ['i686'] };

function normalizeArches(file: string, input: DefinitionInput): string[] {
  if (input.arch !== undefined && input.arches !== undefined) {
    throw new ConfigError(file, 'arch', 'both arch and arches are set', 'keep only arches = [...]');
  }
  const archInputs = input.arches ?? [input.arch ?? 'x86_64'];
  const arches = archInputs.map((a, i) => rpmArch(file, input.arches ? `arches[${i}]` : 'arch', a));
  const basearch = arches[0]!;
  for (const [i, a] of arches.entries()) {
    if (i === 0) continue;
    if (!(MULTILIB[basearch] ?? []).includes(a)) {
      throw new ConfigError(
        file,
        `arches[${i}]`,
        `${a} is not a multilib architecture of ${basearch}`,
        `multilib pairs: ${Object.entries(MULTILIB).map(([p, s]) => `${p} + ${s.join(', ')}`).join('; ')}`,
      );
    }
    if (arches.indexOf(a) !== i) throw new ConfigError(file, `arches[${i}]`, `${a} is listed twice`, 'list each arch once');
  }
  return arches;
}

function normalizeVars(file: string, input: DefinitionInput, release: string, basearch: string): Record<string, string> {
  const vars = builtinVars(release, basearch);
  for (const [name, value] of Object.entries(input.vars ?? {})) {
    if (!VAR_NAME.test(name)) {
      throw new ConfigError(file, `vars.${name}`, `"${name}" is not a variable name`, 'use letters, digits and "_" (dnf\'s variable names)');
    }
    if (BUILTIN_VARS.some((b) => b === name)) {
      throw new ConfigError(file, `vars.${name}`, `$${name} is built in (from release and arches)`, 'remove it from [vars]; set release = … or arches = [...] instead');
    }
    vars[name] = value;
  }
  return vars;
}

function normalizeRepos(file: string, input: DefinitionInput, vars: Readonly<Record<string, string>>): RepoDefinition[] {
  const repoEntries: [string, string, RepoInput][] = [];
  const reposIn = input.repos ?? defaultRepos();
  if (Array.isArray(reposIn)) {
    for (const [i, r] of reposIn.entries()) {
      if (!r.id) throw new ConfigError(file, `repos[${i}].id`, 'missing', 'give each [[repos]] entry an id = "name"');
      repoEntries.push([`repos[${i}]`, r.id, r]);
    }
  } else {
    for (const [id, r] of Object.entries(reposIn)) {
      if (!REPO_ID.test(id)) throw new ConfigError(file, `repos.${id}`, 'invalid repository id', 'use letters, digits, ".", "_", ":" and "-"');
      repoEntries.push([`repos.${id}`, r.id ?? id, r]);
    }
  }
  const repos = repoEntries.filter(([, , r]) => r.enabled !== false).map(([kp, id, r]) => normalizeRepo(file, kp, id, r, vars));
  const seen = new Set<string>();
  for (const r of repos) {
    if (seen.has(r.id)) throw new ConfigError(file, 'repos', `repository id "${r.id}" is used twice`, 'give each repository a unique id');
    seen.add(r.id);
  }
  if (repos.length === 0) throw new ConfigError(file, 'repos', 'no enabled repository', 'enable at least one repository');
  return repos;
}

function profileOf(input: DefinitionInput): { profile: ProfileSpec; base: string | undefined } {
  switch (input.profile) {
    case undefined:
    case 'rootfs':
      return { profile: normalizeProfile({ kind: 'rootfs', options: input.profile_options }), base: undefined };
    case 'sysroot':
      return { profile: normalizeProfile({ kind: 'sysroot', options: input.profile_options }), base: undefined };
    case 'overlay':
      return { profile: normalizeProfile({ kind: 'overlay', options: input.profile_options }), base: input.base };
  }
}

/** Input → normalized definition (pure). */
export function normalizeDefinition(file: string, input: DefinitionInput): ImageDefinition {
  const release = String(input.release);
  const arches = normalizeArches(file, input);
  const basearch = arches[0]!;
  const vars = normalizeVars(file, input, release, basearch);
  const repos = normalizeRepos(file, input, vars);
  const { profile, base } = profileOf(input);
  const { formats, ...outputOptions } = input.outputs ?? {};
  const packages = [...new Set(input.packages)];
  const excludes = [...new Set(input.excludes ?? [])];
  const weakDeps = input.weak_deps ?? false;
  const digest = createHash('sha256')
    .update(
      JSON.stringify({
        release,
        arches,
        // repo_gpgcheck joins the digest only when on, so existing locks stay valid.
        repos: repos.map((r) => ({ id: r.id, gpgcheck: r.gpgcheck, gpgkeys: r.gpgkeys, ...(r.repoGpgcheck ? { repoGpgcheck: true } : {}) })),
        packages: [...packages].sort(),
        excludes: [...excludes].sort(),
        weakDeps,
      }),
    )
    .digest('hex');
  return {
    file,
    name: input.name,
    release,
    arches,
    basearch,
    vars,
    repos,
    packages,
    excludes,
    weakDeps,
    profile,
    base,
    outputs: { formats: formats ?? ['oci'], options: outputOptions },
    digest: `sha256:${digest}`,
  };
}

/** TOML text → normalized definition. */
export function parseDefinition(file: string, text: string): ImageDefinition {
  return normalizeDefinition(file, parseDefinitionInput(file, text));
}

/** A command-line repository override: `ID=URL` (baseurl), `ID=metalink:URL`, `ID=mirrorlist:URL`. */
export interface RepoOverride {
  readonly id: string;
  readonly source: RepoSource;
}

export function parseRepoOverride(arg: string): RepoOverride {
  const eq = arg.indexOf('=');
  const id = arg.slice(0, eq);
  let value = arg.slice(eq + 1);
  if (eq <= 0 || value === '') {
    throw new ConfigError('--repo', arg, 'expected ID=URL', 'e.g. --repo fedora=http://127.0.0.1:8080/fedora/ or --repo fedora=metalink:https://…');
  }
  let kind: RepoSourceKind = 'baseurl';
  for (const k of ['metalink', 'mirrorlist', 'baseurl'] as const) {
    if (value.startsWith(`${k}:`) && !value.startsWith(`${k}://`)) {
      kind = k;
      value = value.slice(k.length + 1);
    }
  }
  // The URL is checked once its variables are expanded (applyRepoOverrides).
  return { id, source: { kind, urls: [value] } };
}

/** Applies --repo overrides; an unknown id is an error naming the known ones. */
export function applyRepoOverrides(def: ImageDefinition, overrides: readonly RepoOverride[]): ImageDefinition {
  if (overrides.length === 0) return def;
  const byId = new Map(overrides.map((o) => [o.id, o]));
  for (const o of overrides) {
    if (!def.repos.some((r) => r.id === o.id)) {
      throw new ConfigError('--repo', o.id, `${def.file} has no repository "${o.id}"`, `use one of: ${def.repos.map((r) => r.id).join(', ')}`);
    }
  }
  return {
    ...def,
    repos: def.repos.map((r) => {
      const o = byId.get(r.id);
      if (!o) return r;
      const urls = o.source.urls.map((u) => {
        const url = expandVars('--repo', o.id, u, def.vars);
        checkUrl('--repo', o.id, url);
        return url;
      });
      return { ...r, source: { kind: o.source.kind, urls } };
    }),
  };
}

/** Reads and parses a definition file (the only effect here: reading it). */
export async function loadDefinition(
  path: string,
  readFile: (p: string) => Promise<string>,
): Promise<ImageDefinition> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (err) {
    throw new ConfigError(path, '', `cannot read the definition: ${err instanceof Error ? err.message : String(err)}`, 'check the path', err);
  }
  return parseDefinition(path, text);
}
