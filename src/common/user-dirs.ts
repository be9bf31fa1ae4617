/**
 * The current user's base directories (XDG Base Directory spec): where the
 * rootless install puts its configuration, data and logs. Pure: the
 * environment is passed in. Relative XDG_* values are ignored, as the spec says.
 */
import { FexpodError } from './errors.js';

export interface UserDirs {
  readonly home: string;
  /** $XDG_CONFIG_HOME or ~/.config */
  readonly configHome: string;
  /** $XDG_DATA_HOME or ~/.local/share */
  readonly dataHome: string;
  /** $XDG_STATE_HOME or ~/.local/state */
  readonly stateHome: string;
}

function strip(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export function userDirs(env: Readonly<Record<string, string | undefined>>): UserDirs {
  const home = env['HOME'];
  if (!home || !home.startsWith('/') || home === '/') {
    throw new FexpodError(`HOME is ${home ? `"${home}"` : 'not set'}: the per-user install needs a home directory of its own`, {
      fix: 'run it from a login session of that user (HOME set to an absolute path, e.g. /home/you)',
    });
  }
  const xdg = (name: string, fallback: string) => {
    const v = env[name];
    return v && v.startsWith('/') ? strip(v) : `${strip(home)}/${fallback}`;
  };
  return {
    home: strip(home),
    configHome: xdg('XDG_CONFIG_HOME', '.config'),
    dataHome: xdg('XDG_DATA_HOME', '.local/share'),
    stateHome: xdg('XDG_STATE_HOME', '.local/state'),
  };
}
