/**
 * `fexpod push SOURCE... REF`: the CLI edge of publish.ts. Opens the sources
 * (OCI layouts, oci-archives, an EroFS/SquashFS file), connects to REF's
 * registry, prints progress on stderr and, with --json, one result on stdout.
 */
import { statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import type { CliContext, Command } from '../common/command.js';
import { type OptionTable, formatOptions, parseOptions, printJson, parseEpochSeconds } from '../common/command.js';
import { UsageError } from '../common/errors.js';
import { parseReference } from '../registry/reference.js';
import type { ArtifactRole } from './artifact.js';
import { openLayout, type LayoutSource } from './oci-source.js';
import { publish, type PublishResult } from './publish.js';
import { commandLogger, connect, normalizeFlags, positiveInt, progressMode, REGISTRY_HELP, REGISTRY_OPTIONS, registrySettings } from './registry-flags.js';
import { mib, transferProgress } from './transfer-progress.js';

const PUSH_OPTIONS = {
  sbom: {
    type: 'string',
    value: 'FILE',
    help: 'attach this SPDX SBOM as a referrer of what is pushed (the\nreferrers API where the registry has it, else the tag sha256-HEX)',
  },
  'artifact-type': { type: 'string', value: 'TYPE', choices: ['rootfs', 'overlay'], help: 'rootfs (default) or overlay, for an EroFS/SquashFS SOURCE' },
  'fex-index': {
    type: 'string',
    value: 'FILE',
    help: "write/merge a FEXRootFSFetcher index (RootFS_links.json) whose\nURL is the pushed file's blob URL (needs the build's\nRootFS_links.json next to the file)",
  },
  'mount-from': { type: 'string', multiple: true, value: 'REPO', help: 'repository on the same registry to mount blobs from (repeatable)' },
  jobs: { type: 'string', value: 'N', help: 'blobs uploaded in parallel (default 4)' },
  'chunk-size': {
    type: 'string',
    value: 'MIB',
    help: 'send blobs bigger than this in chunks of this size (default: each\nblob in one request, as skopeo does; chunks help on links that\ndrop and behind proxies that cap request bodies)',
  },
  'source-date-epoch': { type: 'string', value: 'N', help: 'created annotation of artifacts and SBOM referrers\n(default: $SOURCE_DATE_EPOCH; none when unset)' },
} as const satisfies OptionTable;

const OPTIONS = { ...REGISTRY_OPTIONS, ...PUSH_OPTIONS } as const;

const HELP = `fexpod push — publish OCI images, EroFS/SquashFS files and SBOMs to a registry

Usage: fexpod push SOURCE... REF [options]

SOURCE is what fexpod build wrote:
  NAME.oci                 an OCI image layout (directory)
  NAME.oci.tar             an oci-archive
  NAME.erofs, NAME.sqfs    a RootFS or overlay file, pushed as an OCI artifact
                           (artifactType application/vnd.fexpod.rootfs.v1 or …overlay.v1)
Several layouts (one per platform) are pushed as one image index.
REF is REGISTRY[:PORT]/REPOSITORY[:TAG] (default tag "latest").

Blobs the registry has are not sent again (a re-push of an unchanged image is
one HEAD request); big blobs go up in chunks that resume after a dropped
connection; failed requests are retried with backoff.

Options:
${formatOptions(PUSH_OPTIONS, true)}
${REGISTRY_HELP}

Examples:
  fexpod push out/fex-rootfs-fedora.oci localhost:5000/fex/rootfs:42 --sbom out/fex-rootfs-fedora.spdx.json
  fexpod push out/default.erofs registry.example.com/fex/rootfs:42-erofs --fex-index out/RootFS_links.registry.json
  fexpod push amd64/sysroot.oci arm64/sysroot.oci quay.io/me/sysroot:42 --json
  skopeo inspect --tls-verify=false docker://localhost:5000/fex/rootfs:42     # check it
`;

export function printPushResult(ctx: CliContext, r: PublishResult): void {
  const b = r.blobs;
  ctx.stderr.write(
    `${r.changed ? 'pushed' : 'unchanged'} ${r.reference} ${r.digest} (${r.kind}; blobs: ${b.uploaded} uploaded ${mib(b.uploadedBytes)}, ${b.existing} already there, ${b.mounted} mounted)\n`,
  );
  if (r.manifests.length > 1) for (const m of r.manifests) ctx.stderr.write(`  ${m.platform.padEnd(16)} ${m.digest}\n`);
  for (const x of r.referrers) ctx.stderr.write(`  referrer ${x.artifactType} ${x.digest} (${x.via === 'api' ? 'referrers API' : x.via === 'tag' ? 'fallback tag' : 'already attached'})\n`);
  if (r.artifact) ctx.stderr.write(`  ${r.artifact.kind} ${r.artifact.file} ${r.artifact.digest}\n  blob URL ${r.artifact.url}\n`);
  if (r.fexIndex) ctx.stderr.write(`  FEX index ${r.fexIndex}\n`);
}

export const command: Command = {
  name: 'push',
  summary: 'publish OCI images, EroFS/SquashFS artifacts and SBOMs to a registry',
  help: HELP,
  options: OPTIONS,
  async run(args: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = parseOptions('push', normalizeFlags(args), OPTIONS);
    if (positionals.length < 2) throw new UsageError('push: give one or more sources and a destination reference', 'fexpod push out/NAME.oci localhost:5000/NAME:TAG');
    const ref = parseReference(positionals[positionals.length - 1] ?? '');
    const sources = positionals.slice(0, -1).map((p) => resolvePath(ctx.cwd, p));
    const role = values['artifact-type'] ?? 'rootfs';
    if (role !== 'rootfs' && role !== 'overlay') throw new UsageError(`push: --artifact-type must be rootfs or overlay, not "${role}"`);
    const epoch = parseEpochSeconds('push', 'SOURCE_DATE_EPOCH', values['source-date-epoch']) ?? parseEpochSeconds('push', 'SOURCE_DATE_EPOCH', ctx.env['SOURCE_DATE_EPOCH']);
    const settings = registrySettings('push', values, ctx.cwd);
    const log = commandLogger(ctx, values);

    const files: string[] = [];
    for (const s of sources) {
      let st;
      try {
        st = statSync(s);
      } catch {
        throw new UsageError(`push: ${s} does not exist`, 'give an OCI layout, an oci-archive or an EroFS/SquashFS file');
      }
      if (st.isFile() && (await (await import('./artifact.js')).detectFsKind(s))) files.push(s);
    }
    if (files.length > 0 && sources.length > 1) throw new UsageError('push: an EroFS/SquashFS file is pushed on its own', 'run one fexpod push per file');
    if (files.length === 0 && values['fex-index']) throw new UsageError('push: --fex-index is for EroFS/SquashFS files');
    const layouts: LayoutSource[] = [];
    const client = await connect(ctx, ref, settings, log);
    const progress = transferProgress(ctx.stderr, progressMode(ctx, values), `pushing ${positionals[positionals.length - 1]}:`, Date.now);
    try {
      for (const s of files.length > 0 ? [] : sources) layouts.push(await openLayout(s, dirname(s)));
      const result = await publish(
        client,
        {
          ref,
          ...(files[0] ? { file: { path: files[0], role: role as ArtifactRole, ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}) } } : { layouts }),
          ...(values.sbom ? { sbom: resolvePath(ctx.cwd, values.sbom) } : {}),
          ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
          ...(values['fex-index'] ? { fexIndex: resolvePath(ctx.cwd, values['fex-index']) } : {}),
        },
        {
          jobs: positiveInt('push', '--jobs', values.jobs, 4),
          ...(values['chunk-size'] === undefined ? {} : { chunkSize: positiveInt('push', '--chunk-size', values['chunk-size'], 1) * (1 << 20) }),
          ...(values['mount-from'] ? { mountFrom: values['mount-from'] } : {}),
          progress,
          now: Date.now,
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          random: Math.random,
        },
      );
      progress.finish();
      if (values.json) printJson(ctx, result);
      else printPushResult(ctx, result);
      return 0;
    } finally {
      for (const l of layouts) await l.close();
      client.close();
    }
  },
};
