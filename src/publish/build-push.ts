/**
 * `fexpod build … --push REF`: publishes what the build wrote, reading only
 * the files named in its result (the OCI layout or archive, EroFS/SquashFS
 * files, the SBOM), never the builder's internals:
 *
 *   REF              the OCI image (layout, else oci-archive), SBOM attached
 *   REF-erofs        the EroFS file as a RootFS/overlay artifact, SBOM attached
 *   REF-squashfs     the SquashFS file, likewise
 *
 * With a FEXRootFSFetcher index in the output, RootFS_links.registry.json is
 * written next to it with the files' blob URLs.
 */
import { dirname, join } from 'node:path';
import { FexpodError } from '../common/errors.js';
import { withTag, type ImageReference } from '../registry/reference.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { openLayout } from './oci-source.js';
import { publish, type PublishResult } from './publish.js';
import type { PushOptions } from './push.js';

export interface BuiltOutputs {
  readonly outputs: readonly { readonly kind: string; readonly path: string }[];
  readonly fexIndex?: string;
  readonly profile: string;
  readonly arch: string;
  readonly sourceDateEpoch: number;
}

export const REGISTRY_FEX_INDEX = 'RootFS_links.registry.json';

export async function pushBuildOutputs(client: RegistryClient, ref: ImageReference, built: BuiltOutputs, opts: PushOptions): Promise<PublishResult[]> {
  if (ref.digest) throw new FexpodError('build --push: give a tag, not a digest', { fix: 'fexpod build DEF --push REGISTRY/NAME:TAG' });
  const tag = ref.tag ?? 'latest';
  const out = (k: string) => built.outputs.find((o) => o.kind === k)?.path;
  const sbom = out('sbom');
  const epoch = built.sourceDateEpoch;
  const results: PublishResult[] = [];
  const image = out('oci') ?? out('oci-archive');
  if (image) {
    const layout = await openLayout(image, dirname(image));
    try {
      results.push(await publish(client, { ref: { ...ref, tag }, layouts: [layout], ...(sbom ? { sbom } : {}), sourceDateEpoch: epoch }, opts));
    } finally {
      await layout.close();
    }
  }
  for (const kind of ['erofs', 'squashfs'] as const) {
    const path = out(kind);
    if (!path) continue;
    results.push(
      await publish(client, {
        ref: withTag(ref, `${tag}-${kind}`),
        file: { path, role: built.profile === 'overlay' ? 'overlay' : 'rootfs', sourceDateEpoch: epoch, arch: built.arch },
        ...(sbom ? { sbom } : {}),
        sourceDateEpoch: epoch,
        ...(built.fexIndex ? { fexIndex: join(dirname(built.fexIndex), REGISTRY_FEX_INDEX) } : {}),
      }, opts),
    );
  }
  if (results.length === 0) throw new FexpodError('build --push: the build wrote nothing to push', { fix: 'add oci, oci-archive, erofs or squashfs to --format' });
  return results;
}
