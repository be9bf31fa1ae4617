/**
 * The bash completion script for fexpod, made from the command table and the
 * option tables: commands, each command's subcommands and options, and the
 * values an option takes (directories, files, a fixed list).
 */
import type { Command } from '../common/command.js';
import { optionWords, valueCompletion } from './option-value.js';

/** A word list inside single quotes (the words are fexpod's own: no quotes in them). */
function words(list: readonly string[]): string {
  return `'${list.join(' ')}'`;
}

function commandCase(c: Command): string[] {
  const byKind = new Map<string, string[]>();
  const add = (key: string, w: string[]) => byKind.set(key, [...(byKind.get(key) ?? []), ...w]);
  for (const [name, o] of Object.entries(c.options)) {
    const v = valueCompletion(o);
    if (v.kind === 'flag') continue;
    add(v.kind === 'words' ? `words:${v.words.join(' ')}` : v.kind, optionWords(name, o));
  }
  const valueCases = [...byKind].map(([key, opts]) => {
    const action =
      key === 'dir' ? '_fexpod_dirs'
      : key === 'file' ? '_fexpod_files'
      : key === 'none' ? 'COMPREPLY=()'
      : `COMPREPLY=($(compgen -W ${words(key.slice('words:'.length).split(' '))} -- "$cur"))`;
    return `                ${opts.join('|')}) ${action}; return 0 ;;`;
  });
  const opts = [...Object.entries(c.options).flatMap(([name, o]) => optionWords(name, o)), '--help', '-h'];
  return [
    `        ${c.name})`,
    `            opts=${words(opts)}`,
    `            subs=${words(c.subcommands ?? [])}`,
    ...(valueCases.length > 0 ? ['            case $prev in', ...valueCases, '            esac'] : []),
    '            ;;',
  ];
}

export function bashCompletion(commands: readonly Command[]): string {
  return `# bash completion for fexpod
# Generated from fexpod's option tables by "fexpod completion bash"; do not edit.

# one name a line, so names with spaces stay whole
_fexpod_dirs() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
}

_fexpod_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_fexpod() {
    local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
    local cmd=\${COMP_WORDS[1]} opts='' subs=''
    COMPREPLY=()
    # "--flag=value": bash splits at "=" (COMP_WORDBREAKS)
    if [[ $cur == '=' ]]; then
        cur=''
    elif [[ $prev == '=' ]] && (( COMP_CWORD >= 2 )); then
        prev=\${COMP_WORDS[COMP_CWORD-2]}
    fi
    if (( COMP_CWORD == 1 )); then
        COMPREPLY=($(compgen -W ${words([...commands.map((c) => c.name), '--help', '--version'])} -- "$cur"))
        return 0
    fi
    case $cmd in
${commands.flatMap(commandCase).join('\n')}
        *)
            return 0
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [[ -n $subs ]] && (( COMP_CWORD == 2 )); then
        COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    else
        _fexpod_files
    fi
    return 0
}

complete -F _fexpod fexpod
`;
}
