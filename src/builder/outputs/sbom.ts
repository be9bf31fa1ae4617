/**
 * SPDX 2.3 SBOM (JSON) of an image: one package per RPM that went into it,
 * with its EVR, the sha256 of the .rpm file, where it came from and a purl.
 * Pure and deterministic: created = SOURCE_DATE_EPOCH, the document namespace
 * is derived from the image digest, packages sorted by NEVRA.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, rfc3339 } from '../../common/canonical-json.js';
import { formatNevra } from '../rpm/rpm-header.js';

export interface SbomPackage {
  readonly name: string;
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  /** sha256 hex of the .rpm file. */
  readonly sha256: string;
  /** Where the .rpm was downloaded from (NOASSERTION when unknown). */
  readonly location?: string;
  readonly license?: string;
  readonly vendor?: string;
  readonly sourceRpm?: string;
  readonly summary?: string;
}

export interface SbomInput {
  readonly imageName: string;
  /** Digest the namespace is derived from (manifest digest or layer diff_id). */
  readonly imageDigest: string;
  readonly sourceDateEpoch: number;
  /** Distribution for purls: "fedora" + release ("42"). */
  readonly distro: { readonly id: string; readonly release: string };
  readonly packages: readonly SbomPackage[];
  readonly toolVersion: string;
}

export function evr(p: Pick<SbomPackage, 'epoch' | 'version' | 'release'>): string {
  return `${p.epoch > 0 ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
}

/** purl spec, type rpm: pkg:rpm/fedora/NAME@VERSION-RELEASE?arch=ARCH&epoch=E&distro=fedora-NN */
export function rpmPurl(p: SbomPackage, distro: SbomInput['distro']): string {
  const q = [`arch=${encodeURIComponent(p.arch)}`];
  if (p.epoch > 0) q.push(`epoch=${p.epoch}`);
  q.push(`distro=${encodeURIComponent(`${distro.id}-${distro.release}`)}`);
  return `pkg:rpm/${distro.id}/${encodeURIComponent(p.name)}@${encodeURIComponent(`${p.version}-${p.release}`)}?${q.join('&')}`;
}

/** SPDX ids allow letters, digits, "." and "-". */
export function spdxId(s: string): string {
  return `SPDXRef-${s.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

export function buildSbom(input: SbomInput): Record<string, unknown> {
  const pkgs = [...input.packages].sort((a, b) => (formatNevra(a) < formatNevra(b) ? -1 : formatNevra(a) > formatNevra(b) ? 1 : 0));
  const imageId = spdxId(`image-${input.imageName}`);
  const ns = createHash('sha256').update(`${input.imageName}\0${input.imageDigest}`).digest('hex');
  const packages = [
    {
      SPDXID: imageId,
      name: input.imageName,
      versionInfo: input.imageDigest,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      supplier: 'NOASSERTION',
      primaryPackagePurpose: 'CONTAINER',
    },
    ...pkgs.map((p) => ({
      SPDXID: spdxId(`rpm-${formatNevra(p)}`),
      name: p.name,
      versionInfo: evr(p),
      supplier: p.vendor ? `Organization: ${p.vendor}` : 'NOASSERTION',
      downloadLocation: p.location ?? 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: p.sha256 }],
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: p.license ?? 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      ...(p.summary ? { summary: p.summary } : {}),
      ...(p.sourceRpm ? { sourceInfo: `built from ${p.sourceRpm}` } : {}),
      primaryPackagePurpose: 'LIBRARY',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: rpmPurl(p, input.distro) }],
    })),
  ];
  const relationships = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: imageId },
    ...pkgs.map((p) => ({ spdxElementId: imageId, relationshipType: 'CONTAINS', relatedSpdxElement: spdxId(`rpm-${formatNevra(p)}`) })),
  ];
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: input.imageName,
    documentNamespace: `https://fexpod.invalid/spdx/${input.imageName}-${ns}`,
    documentDescribes: [imageId],
    creationInfo: { created: rfc3339(input.sourceDateEpoch), creators: [`Tool: fexpod-${input.toolVersion}`] },
    packages,
    relationships,
  };
}

export function sbomJson(input: SbomInput): string {
  return canonicalJson(buildSbom(input)) + '\n';
}
