/**
 * What a build writes and where: the output kinds and their file names, the
 * request the layer and outputs steps work from (the shaped tree and every
 * setting of every output), and what they give back. planOutputs makes the
 * request from a definition and the build's options (pure); tests and
 * benchmarks that start from a tree write a request by hand.
 */
import { Arch } from '../../common/arch.js';
import { muvmOverlayName } from '../../common/muvm-images.js';
import type { Logger } from '../../common/log.js';
import type { CommandRunner } from '../../common/process-runner.js';
import type { ImageDefinition } from '../definition.js';
import type { CompressPool } from '../layer/compress-pool.js';
import type { LayerCompression } from '../layer/layer-compression.js';
import type { TreeEntry } from '../tree/tree.js';
import type { FexIndexSettings } from './fex-index.js';
import type { ImageSettings } from './oci-layout.js';
import type { SbomInput } from './sbom.js';
import { type RpmSettings, rpmFileName, rpmVersionPart } from './rpm-package.js';
import type { ByteProgress } from '../layer/layer-progress.js';

/** FEXRootFSFetcher's index file name. */
export const FEX_INDEX_FILE = 'RootFS_links.json';

export const OUTPUT_KINDS = ['oci', 'oci-archive', 'erofs', 'squashfs', 'dir', 'sbom', 'rpm'] as const;
export type OutputKind = (typeof OUTPUT_KINDS)[number];

export interface OutputNames {
  readonly oci: string;
  readonly 'oci-archive': string;
  readonly erofs: string;
  readonly squashfs: string;
  readonly dir: string;
  readonly sbom: string;
  readonly rpm: string;
}

/** Default file names in the output directory for an image called `name`. */
export function defaultOutputNames(name: string, erofsName?: string): OutputNames {
  return {
    oci: `${name}.oci`,
    'oci-archive': `${name}.oci.tar`,
    erofs: erofsName ?? `${name}.erofs`,
    squashfs: `${name}.sqfs`,
    dir: `${name}.rootfs`,
    sbom: `${name}.spdx.json`,
    rpm: `${name}.noarch.rpm`,
  };
}

/** The OCI layer's compression (default gzip) and level (default per compression). */
export interface LayerSettings {
  readonly compression?: LayerCompression;
  readonly level?: number;
}

export interface OutputsRequest {
  readonly entries: readonly TreeEntry[];
  readonly formats: readonly OutputKind[];
  readonly outDir: string;
  readonly names: OutputNames;
  readonly arch: Arch;
  readonly sourceDateEpoch: number;
  readonly image: Omit<ImageSettings, 'arch' | 'sourceDateEpoch'>;
  /** SBOM data (without the digest and epoch, filled in by the outputs step). */
  readonly sbom?: Omit<SbomInput, 'imageDigest' | 'sourceDateEpoch'>;
  readonly erofs?: { readonly blockSize?: number; readonly compression?: string };
  readonly squashfs?: { readonly compression?: string; readonly blockSize?: number };
  /** Write FEXRootFSFetcher's index (RootFS_links.json) for the EroFS/SquashFS outputs. */
  readonly fexIndex?: FexIndexSettings;
  readonly layer?: LayerSettings;
  /** The RPM output's package (--format rpm; rootfs and overlay profiles); its license is filled in by the outputs step. */
  readonly rpm?: Omit<RpmSettings, 'license'> & { readonly license?: string };
}

/** The effects the layer and outputs steps use. */
export interface OutputsDeps {
  readonly runner: CommandRunner;
  readonly privileged: boolean;
  readonly pageSize: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** Called as each output starts (progress). */
  readonly progress?: (step: string) => void;
  /** Progress through the layer pass, for a layer of `total` content bytes (layer/layer-progress.ts). */
  readonly layerProgress?: (total: number) => ByteProgress;
  /** Compression workers (default: one per core); a pool passed in is shared and not closed here. */
  readonly workers?: number;
  readonly compressPool?: CompressPool;
}

export interface OutputRecord {
  readonly kind: OutputKind;
  readonly path: string;
  /** sha256:… of the file, or the manifest digest for OCI outputs. */
  readonly digest: string;
}

export interface OutputsResult {
  /** Path of RootFS_links.json, when written. */
  readonly fexIndex?: string;
  readonly diffId: string;
  readonly manifestDigest: string;
  /** The image's one layer blob (digest of the compressed bytes). */
  readonly layer?: { readonly mediaType: string; readonly digest: string; readonly size: number };
  readonly outputs: readonly OutputRecord[];
  readonly warnings: readonly string[];
}

export interface PlanInput {
  readonly definition: ImageDefinition;
  readonly outDir: string;
  readonly formats: readonly OutputKind[];
  readonly layer: LayerSettings;
  /** The shaped tree and its SOURCE_DATE_EPOCH. */
  readonly entries: readonly TreeEntry[];
  readonly sourceDateEpoch: number;
}

/** Words wrapped at 79 columns (rpmlint's limit for description lines). */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > 79) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  return [...lines, line].join('\n');
}

/** The outputs of a definition: [outputs] with every default filled in (pure; the SBOM's packages come later). */
export function planOutputs(p: PlanInput): OutputsRequest {
  const def = p.definition;
  const opts = def.outputs.options;
  const profile = def.profile;
  const tag = opts.tag ?? def.release;
  const names = defaultOutputNames(def.name, opts.erofs_name);
  // The RPM: name-<release>-<SOURCE_DATE_EPOCH> (a newer lock sorts newer), the EroFS file at muvm's path;
  // an overlay without erofs_name is installed under the name muvm mounts for its arches (mesa-x86_64.erofs).
  const rpmImage = profile.kind === 'overlay' && opts.erofs_name === undefined ? (muvmOverlayName(def.arches) ?? names.erofs) : names.erofs;
  const rpm = profile.kind === 'rootfs' || profile.kind === 'overlay'
    ? {
        name: def.name,
        version: rpmVersionPart(def.release),
        release: String(p.sourceDateEpoch),
        summary: `FEX ${profile.kind === 'rootfs' ? 'RootFS' : 'overlay'} image ${def.name} for Fedora ${def.release}`,
        description: wrap(`The EroFS ${profile.kind === 'rootfs' ? 'RootFS' : 'overlay'} image ${rpmImage} that "fexpod build" made from the locked packages of ${def.name}, installed where FEX and muvm look for it.`) + `\nDefinition digest:\n${def.digest}`,
        role: profile.kind,
        fileName: rpmImage,
      }
    : undefined;
  return {
    entries: p.entries,
    formats: p.formats,
    outDir: p.outDir,
    names: rpm ? { ...names, rpm: rpmFileName(rpm) } : names,
    arch: Arch.parse(def.basearch),
    sourceDateEpoch: p.sourceDateEpoch,
    image: {
      refName: `${def.name}:${tag}`,
      createdBy: `fexpod build ${def.name} (${profile.kind})`,
      ...(opts.cmd ? { cmd: opts.cmd } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.entrypoint ? { entrypoint: opts.entrypoint } : {}),
      ...(opts.working_dir ? { workingDir: opts.working_dir } : {}),
      ...(opts.labels ? { labels: opts.labels } : {}),
      annotations: {
        'org.opencontainers.image.title': def.name,
        'org.opencontainers.image.version': tag,
        'io.fexpod.profile': profile.kind,
        'io.fexpod.definition-digest': def.digest,
      },
    },
    ...(profile.kind === 'rootfs'
      ? {
          fexIndex: {
            title: opts.fex_index?.title ?? `${def.name} ${def.release}`,
            distroMatch: opts.fex_index?.distro_match ?? 'fedora',
            distroVersion: def.release,
            ...(opts.fex_index?.base_url ? { baseUrl: opts.fex_index.base_url } : {}),
          },
        }
      : {}),
    ...(opts.erofs ? { erofs: { ...(opts.erofs.block_size ? { blockSize: opts.erofs.block_size } : {}), ...(opts.erofs.compression ? { compression: opts.erofs.compression } : {}) } } : {}),
    layer: p.layer,
    ...(rpm ? { rpm } : {}),
    ...(opts.squashfs ? { squashfs: { ...(opts.squashfs.block_size ? { blockSize: opts.squashfs.block_size } : {}), ...(opts.squashfs.compression ? { compression: opts.squashfs.compression } : {}) } } : {}),
  };
}
