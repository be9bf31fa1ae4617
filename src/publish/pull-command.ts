/**
 * `fexpod pull REF [-o DIR]`: the CLI edge of pull.ts.
 */
import { resolve as resolvePath } from 'node:path';
import type { CliContext, Command } from '../common/command.js';
import { type OptionTable, formatOptions, parseOptions, printJson } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { parsePlatform } from '../registry/oci.js';
import { parseReference } from '../registry/reference.js';
import { pull } from './pull.js';
import { commandLogger, connect, normalizeFlags, progressMode, REGISTRY_HELP, REGISTRY_OPTIONS, registrySettings } from './registry-flags.js';
import { mib, transferProgress } from './transfer-progress.js';

const PULL_OPTIONS = {
  output: { type: 'string', short: 'o', value: 'DIR', help: 'where to write (an image layout replaces DIR atomically;\nartifact files are added to DIR)' },
  platform: { type: 'string', value: 'OS/ARCH[/V]', help: 'of an image index, only this platform (default: all)' },
} as const satisfies OptionTable;

const OPTIONS = { ...REGISTRY_OPTIONS, ...PULL_OPTIONS } as const;

const HELP = `fexpod pull — download an image or an artifact from a registry, verified

Usage: fexpod pull REF [-o DIR] [options]

Every blob is checked against its digest before it is kept; a mismatch keeps
nothing. What lands in DIR (default: the repository's last name component):
  an image or image index  an OCI image layout (for skopeo copy oci:DIR:TAG …,
                           podman, or fexpod extract DIR OUT)
  an artifact              its files, by their org.opencontainers.image.title
                           (an EroFS/SquashFS RootFS pushed by fexpod push)

Options:
${formatOptions(PULL_OPTIONS, true)}
${REGISTRY_HELP}

Examples:
  fexpod pull localhost:5000/fex/rootfs:42-erofs -o rootfs/
  fexpod pull --tls-verify=false localhost:5000/fex/sysroot:42 -o sysroot.oci --platform linux/amd64
`;

export const command: Command = {
  name: 'pull',
  summary: 'download an image (as an OCI layout) or an artifact\'s files from a registry, verified',
  help: HELP,
  options: OPTIONS,
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions('pull', normalizeFlags(args), OPTIONS);
    if (positionals.length !== 1) throw new UsageError('pull: give exactly one reference', 'fexpod pull localhost:5000/NAME:TAG -o DIR');
    const ref = parseReference(positionals[0] ?? '');
    const out = resolvePath(ctx.cwd, values.output ?? ref.repository.split('/').pop() ?? 'image');
    const log = commandLogger(ctx, values);
    const client = await connect(ctx, ref, registrySettings('pull', values, ctx.cwd), log);
    const progress = transferProgress(ctx.stderr, progressMode(ctx, values), `pulling ${positionals[0]}:`, Date.now);
    try {
      const r = await pull(client, ref, out, { progress, ...(values.platform ? { platform: parsePlatform(values.platform) } : {}) });
      progress.finish();
      if (values.json) printJson(ctx, r);
      else {
        ctx.stderr.write(`pulled ${r.reference} ${r.digest} (${r.kind}) → ${r.output}\n`);
        for (const f of r.files ?? []) ctx.stderr.write(`  ${f.name} ${mib(f.size)} ${f.digest}\n`);
        if (r.platforms) ctx.stderr.write(`  platforms: ${r.platforms.join(', ')}\n`);
      }
      return 0;
    } finally {
      client.close();
    }
  },
};
