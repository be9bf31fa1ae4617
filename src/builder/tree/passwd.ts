/**
 * User and group names → numeric ids, from the tree's own /etc/passwd and
 * /etc/group (shipped by Fedora's `setup` package in the same install), the
 * way rpm resolves FILEUSERNAME/FILEGROUPNAME inside the target root. Pure.
 */

export interface IdMap {
  readonly users: ReadonlyMap<string, number>;
  readonly groups: ReadonlyMap<string, number>;
}

/** Parses passwd ("name:pw:uid:gid:…") or group ("name:pw:gid:members") text: name → third field. */
export function parseIdFile(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const name = f[0];
    const id = f[2];
    if (!name || id === undefined || !/^\d+$/.test(id)) continue;
    if (!out.has(name)) out.set(name, Number(id));
  }
  return out;
}

export function idMap(passwd: string | undefined, group: string | undefined): IdMap {
  const users = parseIdFile(passwd ?? '');
  const groups = parseIdFile(group ?? '');
  // rpm's fallback: root is always 0, even in a tree without passwd yet.
  if (!users.has('root')) users.set('root', 0);
  if (!groups.has('root')) groups.set('root', 0);
  return { users, groups };
}

/**
 * Users and groups with fixed ids declared in sysusers.d files
 * (`u name 59 "gecos" /home /shell`, `u name 59:59`, `g name 59`): Fedora
 * creates these in scriptlets / rpm's sysusers support, which a scriptless
 * install does not run, yet files are owned by them. Entries with "-" or a
 * path as id get no fixed id and stay unknown. Earlier declarations win.
 */
export function sysusersIds(texts: readonly string[]): IdMap {
  const users = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const text of texts) {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const m = /^([ug])\s+(\S+)\s+(\S+)/.exec(line);
      if (!m) continue;
      const [, kind, name = '', id = ''] = m;
      const ids = /^(\d+)(?::(\d+))?$/.exec(id);
      if (!ids) continue;
      const first = Number(ids[1]);
      if (kind === 'u') {
        if (!users.has(name)) users.set(name, first);
        if (!groups.has(name)) groups.set(name, ids[2] !== undefined ? Number(ids[2]) : first);
      } else if (!groups.has(name)) {
        groups.set(name, first);
      }
    }
  }
  return { users, groups };
}
