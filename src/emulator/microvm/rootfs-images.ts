/**
 * Which EroFS images the dispatcher hands to muvm with -f: the RootFS FEX is
 * configured to use, then the overlays, in the places `fexpod rootfs install`
 * (and Fedora's packages) put them. Follows FEX's own rules (FEX-Emu/FEX
 * Source/Common/Config.cpp GetDataDirectory/GetConfigDirectory,
 * FEXCore/Source/Interface/Config/Config.cpp ReloadMetaLayer):
 *
 *  - RootFS comes from FEX_ROOTFS, else the user's Config.json, else the
 *    global /usr/share/fex-emu/Config.json ({"Config":{"RootFS":…}}).
 *  - An absolute value is a path; a bare name is looked up as RootFS/<name>
 *    in the global data dir, then the user's data dir, then the user's config
 *    dir, and the last one that exists wins.
 *  - The user's dirs: an existing ~/.fex-emu/ wins; else FEX_APP_DATA_LOCATION
 *    / FEX_APP_CONFIG_LOCATION (used verbatim), else $XDG_DATA_HOME/fex-emu/
 *    (~/.local/share) and $XDG_CONFIG_HOME/fex-emu/ (~/.config).
 *
 * muvm mounts only EroFS images (muvm.rs add_ro_disk; guest/mount.rs), and
 * without -f it uses /usr/share/fex-emu/RootFS/default.erofs and the Mesa
 * overlays. So: the configured RootFS when it is an .erofs file, else
 * default.erofs; then every overlays/*.erofs, sorted (mesa-i386 before
 * mesa-x86_64, as muvm lists them). Pure over a small lookup.
 */
import { FEX_SHARE_DIR, MUVM_DEFAULT_ROOTFS } from '../../common/muvm-images.js';
import type { Blocker } from './muvm.js';

export interface ImageLookup {
  /** A regular file (following symlinks) exists at this path. */
  isFile(path: string): boolean;
  isDir(path: string): boolean;
  readText(path: string): string | undefined;
  list(dir: string): readonly string[] | undefined;
}

export interface MicroVmImages {
  /** RootFS first, then overlays: the -f arguments in order. */
  readonly images: readonly string[];
  /** Where the RootFS choice came from ("FEX_ROOTFS", a Config.json path, or muvm's default). */
  readonly source: string;
  /** Set when no usable RootFS image exists. */
  readonly blocker?: Blocker;
  /** Notes for the user (a configured RootFS muvm cannot mount, …). */
  readonly notes: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const withSlash = (d: string) => (d.endsWith('/') ? d : `${d}/`);

/** FEX's per-user data and config directories, with trailing slashes. */
export function fexUserDirs(env: Env, look: ImageLookup): { readonly data: string; readonly config: string } | undefined {
  const home = env['HOME'];
  if (!home) return undefined;
  const legacy = `${home.replace(/\/+$/, '')}/.fex-emu/`;
  if (look.isDir(legacy)) return { data: legacy, config: legacy };
  const data = env['FEX_APP_DATA_LOCATION'] ? env['FEX_APP_DATA_LOCATION'] : `${env['XDG_DATA_HOME'] || `${home}/.local/share`}/fex-emu/`;
  const config = env['FEX_APP_CONFIG_LOCATION'] ? env['FEX_APP_CONFIG_LOCATION'] : `${env['XDG_CONFIG_HOME'] || `${home}/.config`}/fex-emu/`;
  return { data: withSlash(data), config: withSlash(config) };
}

/** The RootFS value of a Config.json text, if it sets one. */
export function configuredRootfs(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null || !('Config' in doc)) return undefined;
    const config: unknown = doc.Config;
    if (typeof config !== 'object' || config === null || !('RootFS' in config)) return undefined;
    const v: unknown = config.RootFS;
    return typeof v === 'string' && v !== '' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The RootFS FEX is configured for: the value, where it came from, and the path it names (undefined: nothing there). */
export interface RootfsSetting {
  readonly value: string | undefined;
  /** "FEX_ROOTFS", a Config.json path, or muvm's default when nothing sets it. */
  readonly source: string;
  readonly resolved: string | undefined;
}

/** FEX's own choice of RootFS (the rules above), pure over the lookup. */
export function fexRootfsSetting(env: Env, look: ImageLookup): RootfsSetting {
  const global = `${FEX_SHARE_DIR}/`;
  const user = fexUserDirs(env, look);
  let value: string | undefined;
  let source = `muvm's default (${MUVM_DEFAULT_ROOTFS})`;
  const fromEnv = env['FEX_ROOTFS'];
  const userConfig = user ? `${user.config}Config.json` : undefined;
  const userValue = userConfig ? configuredRootfs(look.readText(userConfig)) : undefined;
  const globalValue = configuredRootfs(look.readText(`${global}Config.json`));
  if (fromEnv) [value, source] = [fromEnv, 'FEX_ROOTFS'];
  else if (userValue && userConfig) [value, source] = [userValue, userConfig];
  else if (globalValue) [value, source] = [globalValue, `${global}Config.json`];
  if (value === undefined) return { value, source, resolved: undefined };
  const exists = (p: string) => look.isFile(p) || look.isDir(p);
  let resolved: string | undefined;
  if (value.startsWith('/')) resolved = exists(value) ? value : undefined;
  else {
    // FEX's order: global data, user data, user config; the last that exists wins.
    for (const dir of [global, ...(user ? [user.data, user.config] : [])]) {
      if (exists(`${dir}RootFS/${value}`)) resolved = `${dir}RootFS/${value}`;
    }
  }
  return { value, source, resolved };
}

export function microVmImages(env: Env, look: ImageLookup): MicroVmImages {
  const global = `${FEX_SHARE_DIR}/`;
  const notes: string[] = [];
  const setting = fexRootfsSetting(env, look);
  const { value, resolved } = setting;
  let source = setting.source;
  let rootfs: string | undefined;
  if (value !== undefined) {
    if (resolved === undefined) notes.push(`the RootFS "${value}" named by ${source} does not exist`);
    else if (!resolved.endsWith('.erofs') || !look.isFile(resolved)) notes.push(`the RootFS ${resolved} named by ${source} is not an EroFS image, which is all muvm can mount`);
    else rootfs = resolved;
  }
  if (rootfs === undefined && look.isFile(MUVM_DEFAULT_ROOTFS)) {
    if (value !== undefined) {
      notes.push(`using ${MUVM_DEFAULT_ROOTFS} instead`);
      source = `muvm's default (${MUVM_DEFAULT_ROOTFS})`;
    }
    rootfs = MUVM_DEFAULT_ROOTFS;
  }
  if (rootfs === undefined) {
    return {
      images: [],
      source,
      notes,
      blocker: {
        reason: `no FEX RootFS image: muvm needs an EroFS RootFS (${MUVM_DEFAULT_ROOTFS}, or the one named in FEX's Config.json)`,
        fix: 'install one: sudo fexpod rootfs install <image> (or your distribution\'s FEX RootFS package)',
      },
    };
  }
  const overlayDir = `${global}overlays`;
  const overlays = [...(look.list(overlayDir) ?? [])].filter((n) => n.endsWith('.erofs')).sort().map((n) => `${overlayDir}/${n}`).filter((p) => look.isFile(p));
  return { images: [rootfs, ...overlays], source, notes };
}
