/**
 * `fexpod cdi generate`: writes (or prints) a CDI spec with the emulator
 * mounts recorded by `fexpod binfmt install`.
 */
import { readFileSync } from 'node:fs';
import { type CliContext, type Command, type OptionTable, formatOptions, parseOptions, printJson } from '../../common/command.js';
import { FexpodError, UsageError, errnoCode, errorMessage } from '../../common/errors.js';
import { streamLogger } from '../../common/log.js';
import { DEFAULT_STATE_DIR, STATE_FILE_NAME, parseInstallState } from '../../emulator/binfmt/install-state.js';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { CDI_KIND, DEFAULT_CDI_OUTPUT, cdiSpec } from './cdi-spec.js';

const OPTIONS = {
  output: {
    type: 'string',
    short: 'o',
    value: 'FILE',
    help: `write the spec there atomically (e.g. ${DEFAULT_CDI_OUTPUT}, or a\nfile under /var/run/cdi); without it the spec goes to stdout`,
  },
  state: { type: 'string', value: 'FILE', help: `install state (default ${DEFAULT_STATE_DIR}/${STATE_FILE_NAME})` },
  json: { type: 'boolean', help: 'print one JSON document on stdout (the spec, or where it was written)' },
} as const satisfies OptionTable;

const HELP = `fexpod cdi — a CDI spec with the emulator mounts, for engines without precreate hooks

Usage:
  fexpod cdi generate [--output FILE] [--state FILE] [--json]

Reads the install state of "fexpod binfmt install" and produces a CDI spec
(cdiVersion 0.5.0, kind ${CDI_KIND}) with one device per guest architecture and
one named "all". Each device bind-mounts the emulator prefix read-only, nosuid,
nodev at its host path and sets the emulator's environment. CDI cannot look at
the container's binaries, so the device is requested explicitly, and CDI does
not re-register a vanished binfmt entry: the Podman hook does both by itself.

Options:
${formatOptions(OPTIONS, true)}

Examples:
  sudo fexpod cdi generate --output ${DEFAULT_CDI_OUTPUT}
  podman run --rm --arch arm64 --device ${CDI_KIND}=aarch64 docker.io/library/debian uname -m
`;


export const command: Command = {
  name: 'cdi',
  summary: 'generate a CDI spec with the emulator mounts, for engines without precreate hooks',
  help: HELP,
  options: OPTIONS,
  subcommands: ['generate'],
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions('cdi', args, OPTIONS);
    if (positionals.length !== 1 || positionals[0] !== 'generate') {
      throw new UsageError('cdi: the only subcommand is "generate"', 'run "fexpod cdi --help"');
    }
    const stateFile = values.state ?? `${DEFAULT_STATE_DIR}/${STATE_FILE_NAME}`;
    let text: string;
    try {
      text = readFileSync(stateFile, 'utf8');
    } catch (err) {
      throw new FexpodError(`cdi generate: cannot read ${stateFile}: ${errorMessage(err)}`, {
        cause: err,
        fix: errnoCode(err) === 'ENOENT' ? 'run "sudo fexpod binfmt install" first' : 'check the file and its permissions',
      });
    }
    let spec;
    try {
      spec = cdiSpec(parseInstallState(text, stateFile));
    } catch (err) {
      throw new FexpodError(`cdi generate: ${errorMessage(err)}`, { cause: err, fix: 'run "sudo fexpod binfmt install" again' });
    }
    const log = streamLogger(ctx.stderr);
    if (spec.devices.length === 0) log.warn('no emulator needs a mount or environment (static emulators only): the spec has no devices');
    const out = JSON.stringify(spec, null, 2) + '\n';
    if (values.output === undefined) {
      ctx.stdout.write(out);
      return 0;
    }
    try {
      writeFileAtomic(values.output, out);
    } catch (err) {
      throw new FexpodError(`cdi generate: writing ${values.output}: ${errorMessage(err)}`, { cause: err, fix: 'run as root or choose another --output' });
    }
    if (values.json) printJson(ctx, { written: values.output, devices: spec.devices.map((d) => `${CDI_KIND}=${d.name}`) });
    else log.info(`wrote ${values.output}: devices ${spec.devices.map((d) => `${CDI_KIND}=${d.name}`).join(', ')}`);
    return 0;
  },
};
