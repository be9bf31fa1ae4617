/**
 * Man pages in roff (man(7) macros), made from the command table and each
 * command's option table and --help text: fexpod(1) and fexpod-CMD(1).
 * Pure: the caller gives the version and the date (SOURCE_DATE_EPOCH), so the
 * same sources give the same pages.
 */
import type { Command, OptionTable } from '../common/command.js';
import { optionLabel } from '../common/command.js';
import { helpSections } from './help-sections.js';

export interface ManMeta {
  readonly version: string;
  /** YYYY-MM-DD, or '' to leave the date out. */
  readonly date: string;
}

export interface ManPage {
  readonly file: string;
  readonly text: string;
}

/** Text safe in roff: backslashes, hyphens (ASCII minus, so options copy and paste), non-ASCII as \[uXXXX], a leading . or '. */
export function roffEscape(s: string): string {
  const t = s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/[^\x00-\x7f]/gu, (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`);
  return /^[.']/.test(t) ? `\\&${t}` : t;
}

function preformatted(lines: readonly string[]): string[] {
  return ['.nf', ...lines.map((l) => (l === '' ? '' : roffEscape(l))), '.fi'];
}

function header(title: string, m: ManMeta): string {
  // .nh/.ad l: no hyphenation, ragged right (paths and URLs stay whole)
  return `.TH ${title.toUpperCase().replace(/-/g, '\\-')} 1 "${m.date}" "fexpod ${m.version}" "User Commands"\n.nh\n.ad l`;
}

function optionItems(options: OptionTable): string[] {
  const rows = Object.entries(options).map(([name, o]) => ({ label: optionLabel(name, o), text: o.help.split('\n').join(' ') }));
  rows.push({ label: '-h, --help', text: 'print the help text and exit' });
  return rows.flatMap((r) => ['.TP', `.B ${roffEscape(r.label)}`, roffEscape(r.text)]);
}

export function commandManPage(c: Command, m: ManMeta): ManPage {
  const s = helpSections(c.name, c.help);
  const lines = [
    header(`fexpod-${c.name}`, m),
    '.SH NAME',
    `fexpod\\-${roffEscape(c.name)} \\- ${roffEscape(c.summary)}`,
    '.SH SYNOPSIS',
    ...preformatted(s.usage.length > 0 ? s.usage : [`fexpod ${c.name} [options]`]),
    '.SH DESCRIPTION',
    ...preformatted(s.description),
    '.SH OPTIONS',
    ...optionItems(c.options),
    ...(s.examples.length > 0 ? ['.SH EXAMPLES', ...preformatted(s.examples)] : []),
    '.SH SEE ALSO',
    `.BR fexpod (1),`,
    `.BR podman (1),`,
    'and the guides in /usr/share/doc/fexpod/docs (user\\-guide.md, troubleshooting.md).',
  ];
  return { file: `fexpod-${c.name}.1`, text: lines.join('\n') + '\n' };
}

export function mainManPage(commands: readonly Command[], usage: string, m: ManMeta): ManPage {
  const description = usage.split('\n').filter((l) => !/^(Usage:|Commands:|  \S)/.test(l) && !l.startsWith('fexpod —'));
  const lines = [
    header('fexpod', m),
    '.SH NAME',
    'fexpod \\- run x86 and x86\\-64 software on AArch64 Fedora with FEX',
    '.SH SYNOPSIS',
    '.B fexpod',
    '.I command',
    '[\\fIoptions\\fR]',
    '.br',
    '.B fexpod \\-\\-version',
    '.SH DESCRIPTION',
    ...preformatted(description.filter((l, i, a) => l !== '' || (i > 0 && a[i - 1] !== ''))),
    '.SH COMMANDS',
    ...commands.flatMap((c) => ['.TP', `.BR fexpod\\-${roffEscape(c.name)} (1)`, roffEscape(c.summary)]),
    '.SH ENVIRONMENT',
    '.TP',
    '.B FEXPOD_DEBUG',
    'when set, errors are printed with their stack trace',
    '.SH EXIT STATUS',
    '0 on success, 2 for a usage error; each command page lists its other codes.',
    '.SH SEE ALSO',
    commands.map((c) => `.BR fexpod\\-${roffEscape(c.name)} (1)`).join(',\n') + ',',
    '.BR podman (1)',
  ];
  return { file: 'fexpod.1', text: lines.join('\n') + '\n' };
}

export function manPages(commands: readonly Command[], usage: string, m: ManMeta): ManPage[] {
  return [mainManPage(commands, usage, m), ...commands.map((c) => commandManPage(c, m))];
}
