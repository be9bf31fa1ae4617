/**
 * `fexpod build DEF.toml`: the CLI edge of build.ts. Reads the environment
 * (SOURCE_DATE_EPOCH, uid) here and only here, makes the build context (the
 * real effects from build-deps.ts), prints progress on stderr and, with
 * --json, one summary on stdout.
 */
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { CliContext, Command } from '../common/command.js';
import { type OptionTable, formatOptions, parseEpochSeconds, parseOptions, printJson } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { streamLogger } from '../common/log.js';
import { normalizeFlags, REGISTRY_CONNECTION_OPTIONS } from '../publish/registry-flags.js';
import { build } from './build.js';
import { buildContext } from './build-context.js';
import { nodeBuildDeps } from './build-deps.js';
import { applyRepoOverrides, parseDefinition, parseRepoOverride } from './definition.js';
import { defaultCacheDir } from './fetch/cache.js';
import { LAYER_COMPRESSIONS, type LayerCompression } from './layer/layer-compression.js';
import { OUTPUT_KINDS, type OutputKind } from './outputs/output-plan.js';

const BUILD_OPTIONS = {
  lock: {
    type: 'string',
    value: 'FILE',
    help: 'lock file to use/write (default: DEF.lock.json next to DEF.toml);\na lock that matches the definition is used as is, otherwise the\ndefinition is resolved again and the lock rewritten',
  },
  locked: {
    type: 'boolean',
    help: 'never re-resolve: the lock must exist and match the definition,\nand no locked package may have vanished from the repositories (CI)',
  },
  output: { type: 'string', short: 'o', value: 'DIR', help: 'where outputs go (default: ./out); each output is replaced atomically' },
  format: {
    type: 'string',
    value: 'LIST',
    choices: OUTPUT_KINDS,
    help: `comma list of ${OUTPUT_KINDS.join(',')}\n(default: the definition's [outputs] formats); rpm: an RPM\ninstalling the EroFS image at /usr/share/fex-emu/RootFS/ (or\noverlays/ for an overlay), NAME-RELEASE-SOURCE_DATE_EPOCH.noarch.rpm`,
  },
  repo: {
    type: 'string',
    multiple: true,
    value: 'ID=URL',
    help: 'point repository ID elsewhere (a baseurl; ID=metalink:URL,\nID=mirrorlist:URL); repeatable. Keys and gpgcheck stay.',
  },
  'source-date-epoch': {
    type: 'string',
    value: 'N',
    help: 'timestamps for every output (default: $SOURCE_DATE_EPOCH, else\nthe newest build time among the packages)',
  },
  compression: {
    type: 'string',
    value: 'KIND',
    choices: LAYER_COMPRESSIONS,
    help: 'the OCI layer: gzip (default; parallel, identical bytes on any\nnumber of cores), zstd, or zstd:chunked (Podman pulls only the\nfiles it lacks); also [outputs.layer] compression in the definition',
  },
  level: { type: 'string', value: 'N', help: 'compression level (gzip 1-9, default 4; zstd 1-19, default 3)' },
  rebuild: {
    type: 'boolean',
    help: 'build even when the outputs of an identical earlier build are\nthere (by default they are re-hashed and, if intact, reused)',
  },
  'cache-dir': {
    type: 'string',
    value: 'DIR',
    help: 'package and extraction cache (default: $XDG_CACHE_HOME/fexpod,\n/var/cache/fexpod as root); a rebuild after a change to one\npackage extracts only that package',
  },
  verbose: { type: 'boolean', short: 'v', help: 'more detail on stderr (which EroFS path, cache reuse;\nwith --push, every registry request)' },
  load: {
    type: 'boolean',
    help: "then load the image into the local engine (Docker Engine or\nPodman's API service) as localhost/NAME:TAG; the engine is found\nfrom DOCKER_HOST, CONTAINER_HOST, /run/podman/podman.sock,\n/var/run/docker.sock, $XDG_RUNTIME_DIR/podman/podman.sock\n(exit code 5 when none answers; see docs/ci.md)",
  },
  'load-as': { type: 'string', value: 'REF', help: 'load under this reference instead (implies --load)' },
  json: { type: 'boolean', help: 'print one JSON summary (outputs, digests) on stdout' },
  push: {
    type: 'string',
    value: 'REF',
    help: 'then publish: the image to REF, EroFS/SquashFS files as artifacts\nto REF-erofs / REF-squashfs, the SBOM as their referrer\n(see fexpod push --help, and the registry options below)',
  },
} as const satisfies OptionTable;

const OPTIONS = { ...BUILD_OPTIONS, ...REGISTRY_CONNECTION_OPTIONS } as const;

const HELP = `fexpod build — build an image definition into OCI, EroFS, SquashFS and an SBOM

Usage: fexpod build DEF.toml [options]

Steps: resolve (lock) → fetch (verified cache) → extract (scriptless RPM install)
→ profile (rootfs | sysroot | overlay) → layer → outputs. Same lock + same
SOURCE_DATE_EPOCH → byte-identical outputs, whatever the directory, umask or TZ.

Options:
${formatOptions(BUILD_OPTIONS, true)}
Registry options for --push (as skopeo and podman):
${formatOptions(REGISTRY_CONNECTION_OPTIONS)}

Outputs (in --output DIR, NAME = the definition's name):
  oci          NAME.oci/            OCI image layout   (skopeo copy oci:DIR/NAME.oci:NAME:TAG …)
  oci-archive  NAME.oci.tar         the layout as a tar (podman load -i NAME.oci.tar)
  erofs        NAME.erofs           lz4hc, 4096-byte blocks (rootfs: outputs.erofs_name = "default.erofs")
  squashfs     NAME.sqfs            zstd
  dir          NAME.rootfs/         plain directory (debugging; owners need root)
  sbom         NAME.spdx.json       SPDX 2.3, one package per RPM
  (rootfs)     RootFS_links.json    FEXRootFSFetcher index (XXH3-64) of the EroFS/SquashFS files

Examples:
  fexpod build images/fex-rootfs-fedora.toml -o out/
  fexpod build images/demo.toml --repo demo=http://127.0.0.1:8080/ --format oci-archive,sbom
  SOURCE_DATE_EPOCH=1700000000 fexpod build images/thunks-sysroot-fedora.toml --locked --json
  fexpod build images/fex-rootfs-fedora.toml --push registry.example.com/fex/rootfs:42
  fexpod build images/fex-rootfs-fedora.toml --compression zstd:chunked --format oci
  fexpod build images/fex-rootfs-fedora.toml --locked --format rpm        # out/*.noarch.rpm + the EroFS
  fexpod build images/thunks-sysroot-fedora.toml --locked --load && podman run --rm localhost/thunks-sysroot-fedora:latest ls /usr/lib64

As a non-root user everything works; EroFS and SquashFS need fakeroot on PATH
when the tree has non-root owners, and file capabilities (xattrs) are only
kept in EroFS when building as root (see docs/build.md).
`;

function parseFormats(s: string | undefined): OutputKind[] | undefined {
  if (s === undefined) return undefined;
  const out: OutputKind[] = [];
  for (const f of s.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const k = OUTPUT_KINDS.find((o) => o === f);
    if (!k) throw new UsageError(`build: unknown format "${f}"`, `use a comma list of ${OUTPUT_KINDS.join(', ')}`);
    out.push(k);
  }
  if (out.length === 0) throw new UsageError('build: --format is empty', `use a comma list of ${OUTPUT_KINDS.join(', ')}`);
  return out;
}

function parseCompression(s: string | undefined): LayerCompression | undefined {
  if (s === undefined) return undefined;
  const k = LAYER_COMPRESSIONS.find((c) => c === s);
  if (!k) throw new UsageError(`build: unknown --compression "${s}"`, `use one of ${LAYER_COMPRESSIONS.join(', ')}`);
  return k;
}

function parseLevel(s: string): number {
  if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 19) throw new UsageError(`build: --level must be a whole number from 1 to 19, got "${s}"`);
  return Number(s);
}



export const command: Command = {
  name: 'build',
  summary: 'build an image definition into OCI, EroFS, SquashFS and an SBOM',
  help: HELP,
  options: OPTIONS,
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions('build', normalizeFlags(args), OPTIONS);
    if (positionals.length !== 1) throw new UsageError('build: give exactly one definition file', 'fexpod build images/demo.toml');
    const defFile = resolvePath(ctx.cwd, positionals[0] ?? '');
    const formats = parseFormats(values.format);
    const sourceDateEpoch = parseEpochSeconds('build', '--source-date-epoch', values['source-date-epoch']) ?? parseEpochSeconds('build', 'SOURCE_DATE_EPOCH', ctx.env['SOURCE_DATE_EPOCH']);
    const overrides = (values.repo ?? []).map(parseRepoOverride);
    const compression = parseCompression(values.compression);
    const level = values.level === undefined ? undefined : parseLevel(values.level);
    const log = streamLogger(ctx.stderr, values.verbose ? 'debug' : 'info');
    const started = Date.now();
    const step = (name: string) => {
      const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
      if (values.json) ctx.stderr.write(JSON.stringify({ event: 'step', step: name, seconds: Number(t) }) + '\n');
      else ctx.stderr.write(`[${t}s] ${name}\n`);
    };
    const uid = process.getuid?.();
    const push = values.push;
    const load = values.load === true || values['load-as'] !== undefined;
    const loadAs = values['load-as'];
    const deps = nodeBuildDeps({
      env: ctx.env,
      uid,
      cacheDir: values['cache-dir'] ? resolvePath(ctx.cwd, values['cache-dir']) : defaultCacheDir(ctx.env, uid),
      log,
      step,
      progress: { stream: ctx.stderr, mode: values.json ? 'json' : ctx.interactive ? 'tty' : 'lines', now: Date.now },
      // --push: the registry client loads only when asked for
      ...(push
        ? { push: async (built, profile) => (await import('../publish/build-push-command.js')).pushBuilt(ctx, push, values, built, profile) }
        : {}),
      // --load: dockerode loads only when asked for
      ...(load
        ? { load: async (built) => (await import('../engine/load-command.js')).loadBuiltImage(built, { ...(loadAs !== undefined ? { reference: loadAs } : {}), env: ctx.env, uid, log }) }
        : {}),
    });
    const loadDefinition = async (file: string) =>
      applyRepoOverrides(parseDefinition(file, await readFile(file, 'utf8').catch((err: unknown) => {
        throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, 'give the path of an image definition (.toml)');
      })), overrides);
    const { result, pushed, loaded } = await build(await buildContext({
      definitionFile: defFile,
      outDir: resolvePath(ctx.cwd, values.output ?? 'out'),
      ...(values.lock ? { lockFile: resolvePath(ctx.cwd, values.lock) } : {}),
      locked: values.locked ?? false,
      ...(formats ? { formats } : {}),
      ...(sourceDateEpoch !== undefined ? { sourceDateEpoch } : {}),
      ...(compression || level !== undefined ? { layer: { ...(compression ? { compression } : {}), ...(level !== undefined ? { level } : {}) } } : {}),
      rebuild: values.rebuild ?? false,
      ociLayout: load,
    }, loadDefinition, deps));
    if (values.json) {
      printJson(ctx, { ...result, ...(pushed ? { pushed } : {}), ...(loaded ? { loaded } : {}) });
    } else {
      ctx.stderr.write(`${result.reused ? 'reused' : 'built'} ${result.name} (${result.arch}, ${result.packages} packages, ${result.entries} entries, SOURCE_DATE_EPOCH=${result.sourceDateEpoch})\n`);
      ctx.stderr.write(`  manifest ${result.manifestDigest}\n  diff_id  ${result.diffId}\n`);
      for (const o of result.outputs) ctx.stderr.write(`  ${o.kind.padEnd(11)} ${o.path}  ${o.digest}\n`);
      if (pushed) {
        const { printPushResult } = await import('../publish/build-push-command.js');
        for (const p of pushed) printPushResult(ctx, p);
      }
      if (loaded) ctx.stderr.write(`  loaded     ${loaded.reference} into ${loaded.engine} (${loaded.address})\n`);
    }
    return 0;
  },
};
