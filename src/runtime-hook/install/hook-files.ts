/**
 * The files `fexpod hook install` writes, as pure values: the rendered hook
 * JSON documents and the containers.conf.d drop-in. Rendering checks its own
 * output, because an invalid hook JSON breaks every container.
 */

/** Podman's built-in hook directory (the only one Podman 4.3 reads by default). */
export const PODMAN_DEFAULT_HOOKS_DIR = '/usr/share/containers/oci/hooks.d';
/** Where `fexpod hook install` puts the precreate hook: a directory only Podman is told about. */
export const DEFAULT_FEXPOD_HOOKS_DIR = '/etc/fexpod/hooks.d';
/** buildah (podman build) reads createRuntime hooks from here (as root); Podman 4.3 does not. */
export const DEFAULT_BUILD_HOOKS_DIR = '/etc/containers/oci/hooks.d';
export const DEFAULT_CONF_DIR = '/etc/containers/containers.conf.d';

export const PRECREATE_HOOK_FILE = 'fexpod-precreate.json';
export const CREATE_RUNTIME_HOOK_FILE = 'fexpod-createruntime.json';
/** Sorts after the usual drop-ins, so that its hooks_dir (which repeats theirs) is the one in force. */
export const DROP_IN_FILE = '90-fexpod-hooks.conf';

export interface HookPaths {
  /** Absolute path of the node binary (hooks run with no PATH). */
  readonly node: string;
  /** Absolute path of the hook entry (dist/hook/runtime-hook/hook-main.js). */
  readonly hook: string;
  readonly state: string;
  readonly log: string;
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

function requireAbsolute(name: string, p: string): void {
  if (!p.startsWith('/')) throw new TemplateError(`${name} must be an absolute path (hooks run without PATH): ${p}`);
}

/** Renders a hook JSON template and checks the result is a valid 1.0.0 hook. */
export function renderHook(template: string, paths: HookPaths, stage: 'precreate' | 'createRuntime'): string {
  for (const [k, v] of Object.entries(paths)) requireAbsolute(k, v);
  const text = template
    .replaceAll('@NODE@', jsonInner(paths.node))
    .replaceAll('@HOOK@', jsonInner(paths.hook))
    .replaceAll('@STATE@', jsonInner(paths.state))
    .replaceAll('@LOG@', jsonInner(paths.log));
  checkHookJson(text, stage);
  return text;
}

/** Checks the fields Podman's 1.0.0 hook schema requires; throws TemplateError. Returns the command it runs. */
export function checkHookJson(text: string, stage: string): { readonly path: string; readonly args: readonly string[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TemplateError(`hook JSON does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TemplateError('hook JSON is not an object');
  const d: Record<string, unknown> = { ...doc };
  if (d['version'] !== '1.0.0') throw new TemplateError('hook JSON version must be "1.0.0"');
  const hook = d['hook'];
  if (typeof hook !== 'object' || hook === null) throw new TemplateError('hook JSON has no "hook" object');
  const h: Record<string, unknown> = { ...hook };
  if (typeof h['path'] !== 'string' || !h['path'].startsWith('/')) throw new TemplateError('hook.path must be absolute');
  if (h['path'].includes('@')) throw new TemplateError(`hook.path still holds a placeholder: ${h['path']}`);
  const args = h['args'];
  const argStrings = Array.isArray(args) ? args.filter((a): a is string => typeof a === 'string' && !a.includes('@')) : [];
  if (!Array.isArray(args) || argStrings.length !== args.length) {
    throw new TemplateError('hook.args must be strings with every placeholder replaced');
  }
  const stages = d['stages'];
  if (!Array.isArray(stages) || stages.length !== 1 || stages[0] !== stage) throw new TemplateError(`stages must be ["${stage}"]`);
  const when = d['when'];
  if (typeof when !== 'object' || when === null || !('always' in when) || when.always !== true) {
    throw new TemplateError('when must be {"always": true}');
  }
  return { path: h['path'], args: argStrings };
}

/**
 * The hooks_dir list to write: what was in force before our drop-in (or
 * Podman's default when nothing set it), plus our directory, without duplicates.
 */
export function hooksDirsWith(before: readonly string[] | undefined, ours: string): string[] {
  const base = before && before.length > 0 ? [...before] : [PODMAN_DEFAULT_HOOKS_DIR];
  const out: string[] = [];
  for (const d of [...base, ours]) if (!out.includes(d)) out.push(d);
  return out;
}

export function renderDropIn(template: string, dirs: readonly string[]): string {
  for (const d of dirs) requireAbsolute('hooks_dir entry', d);
  return template.replaceAll('@HOOKS_DIRS@', dirs.map((d) => JSON.stringify(d)).join(', '));
}
