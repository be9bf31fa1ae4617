/**
 * Where FEX looks, from FEX's own rules (Source/Common/Config.cpp,
 * GetDataDirectory / GetConfigDirectory, FEX 2026 sources):
 *
 *   global data    GLOBAL_DATA_DIRECTORY = ${CMAKE_INSTALL_PREFIX}/share/fex-emu/
 *                  (/usr/share/fex-emu/ in Fedora's fex-emu package); its Config.json
 *   user data      $HOME/.fex-emu/ when it exists (it beats everything), else
 *                  $FEX_APP_DATA_LOCATION verbatim, else ${XDG_DATA_HOME:-~/.local/share}/fex-emu/
 *   user config    $HOME/.fex-emu/ when it exists, else $FEX_APP_CONFIG_LOCATION verbatim,
 *                  else ${XDG_CONFIG_HOME:-~/.config}/fex-emu/ — plus "Config.json"
 *
 * A RootFS named by a bare name in Config.json is looked up as DIR/RootFS/NAME
 * in the global then the user data and config directories (the last that
 * exists wins). muvm mounts /usr/share/fex-emu/RootFS/default.erofs and
 * /usr/share/fex-emu/overlays/*.erofs. Pure: the environment and an exists()
 * check come in.
 */
import { join } from 'node:path';

export const GLOBAL_FEX_DIR = '/usr/share/fex-emu/';

export interface FexPathEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly exists: (path: string) => boolean;
  /** FEX's global data directory (default /usr/share/fex-emu/). */
  readonly globalDir?: string;
}

const slash = (p: string) => (p.endsWith('/') ? p : `${p}/`);

export function fexDataDir(scope: 'system' | 'user', e: FexPathEnv): string {
  if (scope === 'system') return slash(e.globalDir ?? GLOBAL_FEX_DIR);
  const legacy = `${e.home}/.fex-emu/`;
  if (e.exists(legacy)) return legacy;
  const override = e.env['FEX_APP_DATA_LOCATION'];
  if (override) return override; // verbatim, as FEX uses it (its docs ask for a trailing /)
  return slash(join(e.env['XDG_DATA_HOME'] || join(e.home, '.local', 'share'), 'fex-emu'));
}

export function fexConfigFile(scope: 'system' | 'user', e: FexPathEnv): string {
  if (scope === 'system') return `${slash(e.globalDir ?? GLOBAL_FEX_DIR)}Config.json`;
  const legacy = `${e.home}/.fex-emu/`;
  if (e.exists(legacy)) return `${legacy}Config.json`;
  const override = e.env['FEX_APP_CONFIG_LOCATION'];
  if (override) return `${override}Config.json`;
  return join(e.env['XDG_CONFIG_HOME'] || join(e.home, '.config'), 'fex-emu', 'Config.json');
}

/** Where an installed file goes: RootFS/ for a RootFS, overlays/ for an overlay (muvm's layout). */
export function installDir(dataDir: string, role: 'rootfs' | 'overlay'): string {
  return `${dataDir}${role === 'rootfs' ? 'RootFS' : 'overlays'}`;
}

/** fexpod's own record of what it installed (not inside FEX's directories). */
export function recordFile(scope: 'system' | 'user', e: Pick<FexPathEnv, 'env' | 'home'>, stateRoot = '/var/lib/fexpod'): string {
  if (scope === 'system') return join(stateRoot, 'rootfs', 'installed.json');
  return join(e.env['XDG_STATE_HOME'] || join(e.home, '.local', 'state'), 'fexpod', 'rootfs-installed.json');
}
