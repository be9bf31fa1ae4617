/**
 * `fexpod extract REF|LAYOUT DIR`: the CLI edge of extract.ts.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import type { CliContext, Command } from '../common/command.js';
import { type OptionTable, formatOptions, parseOptions, printJson } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { parsePlatform } from '../registry/oci.js';
import { parseReference } from '../registry/reference.js';
import { extract, layoutImage, registryImage, type ExtractResult } from './extract.js';
import { openLayout } from './oci-source.js';
import { commandLogger, connect, normalizeFlags, progressMode, REGISTRY_HELP, REGISTRY_OPTIONS, registrySettings } from './registry-flags.js';
import { transferProgress } from './transfer-progress.js';

const EXTRACT_OPTIONS = {
  platform: { type: 'string', value: 'OS/ARCH[/V]', help: 'the platform to extract from an image index' },
} as const satisfies OptionTable;

const OPTIONS = { ...REGISTRY_OPTIONS, ...EXTRACT_OPTIONS } as const;

const HELP = `fexpod extract — unpack an image's layers into a directory, without root or podman

Usage: fexpod extract REF|LAYOUT[:NAME] DIR [options]

REF is a registry reference; LAYOUT an OCI layout directory or oci-archive
(fexpod build --format oci / oci-archive, or fexpod pull), NAME its ref.name
when it holds several images. DIR must be new or empty; it appears only when
everything is in place.

Layers are applied in order with their whiteouts; every layer is verified
against its digest; entry names that climb out with "..", and symlinks that
point outside, can never make a write land outside DIR. Device nodes and FIFOs
are skipped; file owners are kept only when run as root.

Options:
${formatOptions(EXTRACT_OPTIONS, true)}
${REGISTRY_HELP}

Examples:
  fexpod extract --tls-verify=false localhost:5000/fex/sysroot:42 sysroot/
  fexpod extract out/thunks-sysroot-fedora.oci sysroot/
  fexpod extract quay.io/me/sysroot:42 /tmp/sysroot --platform linux/amd64 --json
`;

export const command: Command = {
  name: 'extract',
  summary: 'unpack an image\'s layers into a directory (no root, no podman), whiteouts applied',
  help: HELP,
  options: OPTIONS,
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions('extract', normalizeFlags(args), OPTIONS);
    if (positionals.length !== 2) throw new UsageError('extract: give a source (reference or layout) and a directory', 'fexpod extract out/NAME.oci DIR');
    const [source = '', dirArg = ''] = positionals;
    const dest = resolvePath(ctx.cwd, dirArg);
    const platform = values.platform ? parsePlatform(values.platform) : undefined;
    const privileged = process.getuid?.() === 0;
    // A local layout (optionally LAYOUT:NAME) wins over a reference of the same spelling.
    const colon = source.lastIndexOf(':');
    const candidates = [{ path: source, name: undefined as string | undefined }, ...(colon > 0 ? [{ path: source.slice(0, colon), name: source.slice(colon + 1) }] : [])];
    let local: { path: string; name: string | undefined } | undefined;
    for (const c of candidates) {
      if (await stat(resolvePath(ctx.cwd, c.path)).catch(() => undefined)) {
        local = { path: resolvePath(ctx.cwd, c.path), name: c.name };
        break;
      }
    }
    let result: ExtractResult;
    if (local) {
      const layout = await openLayout(local.path, dirname(dest));
      try {
        result = await extract(layoutImage(layout, local.name), dest, { privileged, ...(platform ? { platform } : {}) });
      } finally {
        await layout.close();
      }
    } else {
      const ref = parseReference(source);
      const log = commandLogger(ctx, values);
      const client = await connect(ctx, ref, registrySettings('extract', values, ctx.cwd), log);
      const progress = transferProgress(ctx.stderr, progressMode(ctx, values), `extracting ${source}:`, Date.now);
      try {
        result = await extract(registryImage(client, ref, progress), dest, { privileged, ...(platform ? { platform } : {}) });
        progress.finish();
      } finally {
        client.close();
      }
    }
    if (values.json) printJson(ctx, result);
    else {
      const s = result.stats;
      ctx.stderr.write(`extracted ${result.image} (${result.digest}, ${result.layers} layers, ${s.entries} entries, ${s.whiteouts} whiteouts) → ${result.output}\n`);
      if (s.skippedDevices > 0) ctx.stderr.write(`  skipped ${s.skippedDevices} device nodes/FIFOs\n`);
      if (s.skippedOwners > 0) ctx.stderr.write(`  ${s.skippedOwners} entries keep your ownership (owners need root)\n`);
    }
    return 0;
  },
};
