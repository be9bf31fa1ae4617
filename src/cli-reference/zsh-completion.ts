/**
 * The zsh completion function (_fexpod, for a site-functions directory), made
 * from the command table and the option tables: _arguments specs with each
 * option's first help line as its description.
 */
import type { Command, OptionSpec } from '../common/command.js';
import { valueCompletion } from './option-value.js';

/** Inside single quotes in the script. */
function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const DESCRIPTION_MAX = 80;

/** A description for _arguments/_describe: one line, at most 80 characters, no brackets or colons (they delimit fields). */
function describe(text: string): string {
  let d = text.split('\n').join(' ').replace(/[[\]]/g, '').replace(/:/g, ' -').replace(/\\/g, '');
  if (d.length > DESCRIPTION_MAX) d = `${d.slice(0, d.lastIndexOf(' ', DESCRIPTION_MAX - 3))}...`;
  return d;
}

function action(o: OptionSpec): string {
  const v = valueCompletion(o);
  switch (v.kind) {
    case 'dir':
      return '_files -/';
    case 'file':
      return '_files';
    case 'words':
      return `(${v.words.map((w) => w.replace(/:/g, '\\:')).join(' ')})`;
    default:
      return ' ';
  }
}

function optionSpec(name: string, o: OptionSpec): string {
  const star = o.multiple ? '*' : '';
  const desc = `[${describe(o.help)}]`;
  const arg = o.type === 'string' ? `:${(o.value ?? 'value').replace(/^=/, '').replace(/:/g, ' ')}:${action(o)}` : '';
  if (o.short) {
    const long = `--${name}${o.type === 'string' ? '=' : ''}`;
    const short = `-${o.short}${o.type === 'string' ? '+' : ''}`;
    const excl = o.multiple ? '' : quote(`(-${o.short} --${name})`);
    return `${excl}${star ? quote('*') : ''}{${short},${long}}${quote(desc + arg)}`;
  }
  return quote(`${star}--${name}${o.type === 'string' ? '=' : ''}${desc}${arg}`);
}

function commandCase(c: Command): string[] {
  const specs = [
    ...Object.entries(c.options).map(([name, o]) => optionSpec(name, o)),
    `${quote('(- *)')}{-h,--help}${quote('[print the help text]')}`,
    ...(c.subcommands && c.subcommands.length > 0 ? [quote(`1:subcommand:(${c.subcommands.join(' ')})`)] : []),
    quote('*:file:_files'),
  ];
  return [`    (${c.name})`, '      _arguments -s -S \\', ...specs.map((s, i) => `        ${s}${i < specs.length - 1 ? ' \\' : ''}`), '      ;;'];
}

export function zshCompletion(commands: readonly Command[]): string {
  return `#compdef fexpod
# zsh completion for fexpod
# Generated from fexpod's option tables by "fexpod completion zsh"; do not edit.

_fexpod() {
  local -a commands
  commands=(
${commands.map((c) => `    ${quote(`${c.name}:${describe(c.summary)}`)}`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'fexpod command' commands
    return
  fi
  local cmd=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
${commands.flatMap(commandCase).join('\n')}
  esac
}

_fexpod "$@"
`;
}
