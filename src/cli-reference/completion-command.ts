/**
 * `fexpod completion bash|zsh`: prints the completion script, made from the
 * same option tables that parse the arguments and write --help.
 */
import { type Command, type OptionTable, formatOptions, parseOptions } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { loadCommands } from '../commands.js';
import { bashCompletion } from './bash-completion.js';
import { zshCompletion } from './zsh-completion.js';

const SHELLS = ['bash', 'zsh'] as const;

const OPTIONS = {} as const satisfies OptionTable;

const HELP = `fexpod completion — print the bash or zsh completion script

Usage: fexpod completion bash|zsh

The script completes commands, subcommands, options and their values
(directories, files, the words an option accepts). It is made from the same
option tables that parse fexpod's arguments and write its --help, so it never
offers an option fexpod does not take. The RPM installs both scripts; from a
git checkout, load one by hand.

Options:
${formatOptions(OPTIONS, true)}

Examples:
  source <(fexpod completion bash)                                # this bash session
  fexpod completion bash > ~/.local/share/bash-completion/completions/fexpod
  fexpod completion zsh > ~/.zfunc/_fexpod    # with fpath+=(~/.zfunc) before compinit in ~/.zshrc
`;

export const command: Command = {
  name: 'completion',
  summary: 'print the bash or zsh completion script (made from the option tables)',
  help: HELP,
  options: OPTIONS,
  subcommands: SHELLS,
  async run(args, ctx) {
    const { positionals } = parseOptions('completion', args, OPTIONS);
    const shell = SHELLS.find((s) => s === positionals[0]);
    if (positionals.length !== 1 || !shell) throw new UsageError('completion: name one shell, bash or zsh', 'fexpod completion bash');
    const commands = await loadCommands();
    ctx.stdout.write(shell === 'bash' ? bashCompletion(commands) : zshCompletion(commands));
    return 0;
  },
};
