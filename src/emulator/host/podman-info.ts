/**
 * Where Podman looks for OCI hooks. `hooks_dir` in the [engine] table of
 * containers.conf; the files are read in order and a later file's value
 * replaces an earlier one (Podman ≥ 5 also accepts a trailing
 * `{append=true}` table to append instead). Without any setting Podman 4.3
 * reads only /usr/share/containers/oci/hooks.d.
 *
 * File order (containers.conf(5)): /usr/share/containers/containers.conf,
 * /etc/containers/containers.conf, /etc/containers/containers.conf.d/*.conf,
 * and for rootless users $XDG_CONFIG_HOME/containers/containers.conf(.d).
 * Podman ≥ 4.7 adds /usr/share/containers/containers.conf.d and the
 * containers.rootful/rootless.conf(.d) variants. $CONTAINERS_CONF replaces
 * the list. Pure, except loadHooksDirs which reads through deps.
 */
import TOML from '@iarna/toml';
import { errorMessage } from '../../common/errors.js';

export const DEFAULT_HOOKS_DIRS: readonly string[] = ['/usr/share/containers/oci/hooks.d'];

export interface PodmanVersion {
  readonly raw: string;
  readonly major: number;
  readonly minor: number;
}

/** "podman version 4.3.1" → 4.3. */
export function parsePodmanVersion(text: string): PodmanVersion | undefined {
  const m = /podman version (\d+)\.(\d+)(\S*)/.exec(text);
  if (!m) return undefined;
  return { raw: `${m[1]}.${m[2]}${m[3] ?? ''}`, major: Number(m[1]), minor: Number(m[2]) };
}

export interface ConfigLocation {
  /** A file, or a drop-in directory whose *.conf files are read in sorted order. */
  readonly path: string;
  readonly dropIn: boolean;
}

export interface ConfigContext {
  readonly uid: number;
  readonly home: string | undefined;
  readonly xdgConfigHome: string | undefined;
  readonly containersConf: string | undefined;
  readonly podman: PodmanVersion | undefined;
}

/** The containers.conf files and drop-in directories this user's Podman reads, in order. */
export function containersConfLocations(ctx: ConfigContext): ConfigLocation[] {
  if (ctx.containersConf) return [{ path: ctx.containersConf, dropIn: false }];
  const newer = ctx.podman !== undefined && (ctx.podman.major > 4 || (ctx.podman.major === 4 && ctx.podman.minor >= 7));
  const rootless = ctx.uid !== 0;
  const out: ConfigLocation[] = [{ path: '/usr/share/containers/containers.conf', dropIn: false }];
  if (newer) out.push({ path: '/usr/share/containers/containers.conf.d', dropIn: true });
  out.push({ path: '/etc/containers/containers.conf', dropIn: false }, { path: '/etc/containers/containers.conf.d', dropIn: true });
  if (newer) {
    const kind = rootless ? 'rootless' : 'rootful';
    out.push({ path: `/etc/containers/containers.${kind}.conf`, dropIn: false }, { path: `/etc/containers/containers.${kind}.conf.d`, dropIn: true });
    if (rootless) out.push({ path: `/etc/containers/containers.rootless.conf.d/${ctx.uid}`, dropIn: true });
  }
  if (rootless) {
    const base = ctx.xdgConfigHome ?? (ctx.home ? `${ctx.home}/.config` : undefined);
    if (base) out.push({ path: `${base}/containers/containers.conf`, dropIn: false }, { path: `${base}/containers/containers.conf.d`, dropIn: true });
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export type HooksDirSetting = { readonly dirs: readonly string[]; readonly append: boolean } | undefined;

/** The [engine] hooks_dir of one containers.conf text; undefined when it does not set one. */
export function parseHooksDir(text: string): HooksDirSetting {
  const doc: unknown = TOML.parse(text);
  const engine = isRecord(doc) ? doc['engine'] : undefined;
  if (!isRecord(engine)) return undefined;
  const value = engine['hooks_dir'];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new Error('engine.hooks_dir must be an array of paths');
  const dirs: string[] = [];
  let append = false;
  for (const v of value) {
    if (typeof v === 'string') dirs.push(v);
    else if (isRecord(v) && v['append'] === true) append = true;
    else throw new Error('engine.hooks_dir must be an array of paths');
  }
  return { dirs, append };
}

export interface HooksDirs {
  readonly dirs: readonly string[];
  /** Files that were read, in order. */
  readonly files: readonly string[];
  /** The file that last set hooks_dir, undefined when the built-in default applies. */
  readonly setBy: string | undefined;
  /** Files that could not be parsed (Podman would refuse them too). */
  readonly errors: readonly { readonly file: string; readonly message: string }[];
}

export interface ConfigReadDeps {
  readText(path: string): Promise<string | undefined>;
  listDir(path: string): Promise<string[] | undefined>;
}

/** Reads the containers.conf chain and works out the effective hooks directories. */
export async function loadHooksDirs(locations: readonly ConfigLocation[], deps: ConfigReadDeps): Promise<HooksDirs> {
  let dirs: string[] = [...DEFAULT_HOOKS_DIRS];
  let setBy: string | undefined;
  const files: string[] = [];
  const errors: { file: string; message: string }[] = [];
  const paths: string[] = [];
  for (const loc of locations) {
    if (!loc.dropIn) paths.push(loc.path);
    else for (const n of ((await deps.listDir(loc.path)) ?? []).filter((n) => n.endsWith('.conf')).sort()) paths.push(`${loc.path}/${n}`);
  }
  for (const file of paths) {
    const text = await deps.readText(file);
    if (text === undefined) continue;
    files.push(file);
    try {
      const setting = parseHooksDir(text);
      if (!setting) continue;
      dirs = setting.append && setBy !== undefined ? [...dirs, ...setting.dirs] : setting.append ? [...DEFAULT_HOOKS_DIRS, ...setting.dirs] : [...setting.dirs];
      setBy = file;
    } catch (err) {
      errors.push({ file, message: errorMessage(err) });
    }
  }
  return { dirs, files, setBy, errors };
}
