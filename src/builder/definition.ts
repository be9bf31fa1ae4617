/**
 * Image definitions (images/*.toml): parse → normalize → check.
 *
 * Zod describes what users write; `ImageDefinition` is the normalized value with every default
 * filled in and `$releasever`/`$basearch` expanded. Errors are ConfigErrors naming the file, the
 * key path and the fix. The format is documented in images/README.md.
 */
import { createHash } from 'node:crypto';
import TOML from '@iarna/toml';
import { z } from 'zod';
import { Arch } from '../common/arch.js';
import { ConfigError } from '../common/errors.js';

export const PROFILES = ['rootfs', 'sysroot', 'overlay'] as const;
export type Profile = (typeof PROFILES)[number];

export const OUTPUT_FORMATS = ['oci', 'oci-archive', 'erofs', 'squashfs', 'dir', 'sbom'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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
}

export interface ImageDefinition {
  /** The file it came from (for messages). */
  readonly file: string;
  readonly name: string;
  /** $releasever: "42", "rawhide". */
  readonly release: string;
  /** RPM arch names; the first is the primary ($basearch), the rest are multilib. */
  readonly arches: readonly string[];
  readonly basearch: string;
  readonly repos: readonly RepoDefinition[];
  /** Package specs: names, globs-free; `name.arch` pins one arch. */
  readonly packages: readonly string[];
  /** Package name globs hidden from resolution (dnf excludepkgs). */
  readonly excludes: readonly string[];
  /** Install weak dependencies (Recommends/Supplements). */
  readonly weakDeps: boolean;
  readonly profile: Profile;
  /** Overlays: the definition (path, relative to this file) or image reference they sit on. */
  readonly base: string | undefined;
  /** Free-form per-profile options, validated by the profile step (see images/README.md). */
  readonly profileOptions: Readonly<Record<string, unknown>>;
  readonly outputs: {
    readonly formats: readonly OutputFormat[];
    /** Every other key of [outputs], validated by the output steps. */
    readonly options: Readonly<Record<string, unknown>>;
  };
  /** sha256 over the resolution inputs (release, arches, repo ids + keys, packages, excludes, weak deps). */
  readonly digest: string;
}

export const FEDORA_METALINK = 'https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch';
export const FEDORA_UPDATES_METALINK =
  'https://mirrors.fedoraproject.org/metalink?repo=updates-released-f$releasever&arch=$basearch';
export const FEDORA_GPGKEY = 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-primary';

const stringList = z.union([z.string().min(1), z.array(z.string().min(1))]);

const REPO_ID = /^[A-Za-z0-9._:-]+$/;

const repoSchema = z.strictObject({
  id: z.string().regex(REPO_ID).optional(),
  name: z.string().optional(),
  metalink: z.string().min(1).optional(),
  mirrorlist: z.string().min(1).optional(),
  baseurl: stringList.optional(),
  gpgkey: stringList.optional(),
  gpgcheck: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
type RepoInput = z.infer<typeof repoSchema>;

const pkgName = z.string().regex(/^[A-Za-z0-9_.+:~^*?\[\]-]+$/, 'a package name (optionally name.arch)');

export const definitionSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" and "-"'),
  release: z.union([z.number().int().positive(), z.string().regex(/^[A-Za-z0-9._-]+$/)]),
  arches: z.array(z.string()).min(1).optional(),
  arch: z.string().optional(),
  repos: z.union([z.record(z.string(), repoSchema), z.array(repoSchema)]).optional(),
  packages: z.array(pkgName).min(1),
  excludes: z.array(pkgName).optional(),
  weak_deps: z.boolean().optional(),
  profile: z.enum(PROFILES).optional(),
  base: z.string().min(1).optional(),
  profile_options: z.record(z.string(), z.unknown()).optional(),
  outputs: z
    .looseObject({
      formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).optional(),
    })
    .optional(),
});
export type DefinitionInput = z.infer<typeof definitionSchema>;

const FIXES: readonly { readonly key: RegExp; readonly fix: string }[] = [
  { key: /^name$/, fix: 'set name = "my-image" (lower-case, used for output names)' },
  { key: /^release$/, fix: 'set release = 42 (the Fedora release, $releasever)' },
  { key: /^arches/, fix: 'set arches = ["x86_64", "i686"] (first is primary; the rest are multilib)' },
  { key: /^repos/, fix: 'each repository needs exactly one of metalink, mirrorlist or baseurl; see images/README.md' },
  { key: /^packages/, fix: 'set packages = ["glibc", "bash"] (at least one package name)' },
  { key: /^profile$/, fix: `set profile to one of ${PROFILES.join(', ')}` },
  { key: /^outputs/, fix: `set outputs.formats to a list of ${OUTPUT_FORMATS.join(', ')}` },
  { key: /^weak_deps$/, fix: 'set weak_deps = true or false' },
];

function fixFor(keyPath: string): string {
  return FIXES.find((f) => f.key.test(keyPath))?.fix ?? 'see images/README.md for the definition format';
}

function keyPathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Parses TOML text into the raw input (ConfigError on syntax or schema errors). */
export function parseDefinitionInput(file: string, text: string): DefinitionInput {
  let raw: unknown;
  try {
    raw = TOML.parse(text);
  } catch (err) {
    const first = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
    throw new ConfigError(file, '', `not valid TOML: ${first}`, 'fix the TOML syntax at the position shown', err);
  }
  const parsed = definitionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keyPath = issue ? keyPathOf(issue.path) : '';
    let message = issue?.message ?? 'invalid';
    if (issue?.code === 'unrecognized_keys') {
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
    throw new ConfigError(file, keyPath, message + more, fixFor(keyPath), parsed.error);
  }
  return parsed.data;
}

export function expandVars(s: string, release: string, basearch: string): string {
  return s.replaceAll('$releasever', release).replaceAll('$basearch', basearch);
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

function normalizeRepo(
  file: string,
  keyPath: string,
  id: string,
  r: RepoInput,
  release: string,
  basearch: string,
): RepoDefinition {
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
  const urls = list(r[kind]).map((u) => expandVars(u, release, basearch));
  for (const [i, u] of urls.entries()) checkUrl(file, `${keyPath}.${kind}${kind === 'baseurl' && urls.length > 1 ? `[${i}]` : ''}`, u);
  const gpgcheck = r.gpgcheck ?? true;
  // No key given: Fedora's primary key for the release (a bundled copy stands in where the
  // builder is not Fedora; see keys.ts).
  const given = list(r.gpgkey);
  const gpgkeys = (given.length === 0 && gpgcheck ? [FEDORA_GPGKEY] : given).map((u) => expandVars(u, release, basearch));
  for (const [i, u] of gpgkeys.entries()) checkUrl(file, `${keyPath}.gpgkey[${i}]`, u);
  return {
    id,
    name: expandVars(r.name ?? id, release, basearch),
    source: { kind, urls },
    gpgkeys,
    gpgcheck,
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

/** Input → normalized definition (pure). */
export function normalizeDefinition(file: string, input: DefinitionInput): ImageDefinition {
  const release = String(input.release);
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
  const repos = repoEntries
    .filter(([, , r]) => r.enabled !== false)
    .map(([kp, id, r]) => normalizeRepo(file, kp, id, r, release, basearch));
  const seen = new Set<string>();
  for (const r of repos) {
    if (seen.has(r.id)) throw new ConfigError(file, 'repos', `repository id "${r.id}" is used twice`, 'give each repository a unique id');
    seen.add(r.id);
  }
  if (repos.length === 0) throw new ConfigError(file, 'repos', 'no enabled repository', 'enable at least one repository');

  const profile = input.profile ?? 'rootfs';
  if (profile === 'overlay' && input.base === undefined) {
    throw new ConfigError(file, 'base', 'an overlay needs a base', 'set base = "fedora-rootfs.toml" (a definition next to this one) or an image reference');
  }
  const { formats, ...outputOptions } = input.outputs ?? {};
  const packages = [...new Set(input.packages)];
  const excludes = [...new Set(input.excludes ?? [])];
  const weakDeps = input.weak_deps ?? false;
  const digest = createHash('sha256')
    .update(
      JSON.stringify({
        release,
        arches,
        repos: repos.map((r) => ({ id: r.id, gpgcheck: r.gpgcheck, gpgkeys: r.gpgkeys })),
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
    repos,
    packages,
    excludes,
    weakDeps,
    profile,
    base: input.base,
    profileOptions: input.profile_options ?? {},
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
  checkUrl('--repo', id, value);
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
      return o ? { ...r, source: { kind: o.source.kind, urls: o.source.urls.map((u) => expandVars(u, def.release, def.basearch)) } } : r;
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
