/**
 * fexpod-binfmt.service: runs `fexpod binfmt refresh` after systemd-binfmt
 * (template systemd/fexpod-binfmt.service.in). A package ships it in
 * /usr/lib/systemd/system with ExecStart=/usr/bin/fexpod; `fexpod setup` from a
 * checkout renders it for this node and this checkout into /etc/systemd/system.
 * Enabling it is the symlink `systemctl enable` would make for
 * WantedBy=systemd-binfmt.service, so it also works where systemd is not
 * running (image builds, this test machine). Pure: text and paths only.
 */
import { join } from 'node:path';
import { FexpodError } from '../common/errors.js';

export const UNIT_NAME = 'fexpod-binfmt.service';
export const WANTED_BY = 'systemd-binfmt.service';
export const DEFAULT_UNIT_DIR = '/etc/systemd/system';
/** Where packages put units (a merged /usr has both). */
export const VENDOR_UNIT_DIRS: readonly string[] = ['/usr/lib/systemd/system', '/lib/systemd/system'];

/** One ExecStart= argument, quoted the way systemd splits command lines; % and $ escaped. */
export function systemdArg(arg: string): string {
  const escaped = arg.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function execStart(argv: readonly string[]): string {
  const [cmd] = argv;
  if (cmd === undefined || !cmd.startsWith('/')) throw new FexpodError(`ExecStart needs an absolute program path, got "${cmd ?? ''}"`);
  return argv.map(systemdArg).join(' ');
}

export interface UnitValues {
  /** The refresh command: [node, cli.js, 'binfmt', 'refresh', …] or ['/usr/bin/fexpod', 'binfmt', 'refresh']. */
  readonly argv: readonly string[];
  readonly stateDir: string;
  readonly stateFile: string;
}

export function renderUnit(template: string, v: UnitValues): string {
  for (const p of [v.stateDir, v.stateFile]) {
    if (!p.startsWith('/') || /\s/.test(p)) throw new FexpodError(`unit paths must be absolute and without spaces: "${p}"`, { fix: 'use a --state-dir without spaces' });
  }
  const text = template
    .replaceAll('@EXEC_START@', execStart(v.argv))
    .replaceAll('@STATE_FILE@', v.stateFile.replaceAll('%', '%%'))
    .replaceAll('@STATE_DIR@', v.stateDir.replaceAll('%', '%%'));
  const left = /@[A-Z_]+@/.exec(text);
  if (left) throw new FexpodError(`the unit template still holds ${left[0]}`);
  return text;
}

export interface UnitPlan {
  /** The unit file to write, or undefined when a package ships it. */
  readonly write: { readonly path: string; readonly text: string } | undefined;
  /** The enablement link and what it points at. */
  readonly wants: { readonly path: string; readonly target: string };
}

/**
 * What to install: the packaged unit is only enabled; otherwise the rendered
 * one is written to `unitDir` and enabled.
 */
export function planUnit(o: { readonly vendorUnit: string | undefined; readonly unitDir: string; readonly text: string }): UnitPlan {
  const unitPath = o.vendorUnit ?? join(o.unitDir, UNIT_NAME);
  return {
    write: o.vendorUnit ? undefined : { path: unitPath, text: o.text },
    wants: { path: join(o.unitDir, `${WANTED_BY}.wants`, UNIT_NAME), target: unitPath },
  };
}
