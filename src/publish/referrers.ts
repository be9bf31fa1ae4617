/**
 * Referrers (distribution-spec 1.1): a manifest with a `subject` is pushed;
 * a registry with the referrers API indexes it itself and says so with an
 * `OCI-Subject` header. A registry without it (CNCF distribution up to 3.1,
 * Debian's) needs the fallback the spec defines: the client keeps an image
 * index under the tag "<alg>-<hex>" of the subject's digest and adds the
 * referrer's descriptor to it (read, add, write; referrers of one subject
 * are therefore attached one at a time).
 *
 * Reading goes the same two ways: GET /v2/NAME/referrers/DIGEST, else the tag.
 */
import { canonicalJson } from '../common/canonical-json.js';
import { MT, parseManifest, type Descriptor } from '../registry/oci.js';
import type { RegistryClient } from '../registry/registry-client.js';
import { descriptorOf, type PlannedManifest } from './artifact.js';

/** The referrers tag schema: "sha256:abc…" → "sha256-abc…" (at most 128 characters). */
export function fallbackTag(digest: string): string {
  return digest.replace(':', '-').slice(0, 128);
}

export type AttachOutcome = 'api' | 'tag' | 'present';

/**
 * Makes `referrer` (already pushed by digest, with `subjectAccepted` from that
 * PUT's OCI-Subject header) findable from its subject.
 */
export async function attachReferrer(client: RegistryClient, repo: string, referrer: PlannedManifest, subjectDigest: string, subjectAccepted: boolean): Promise<AttachOutcome> {
  if (subjectAccepted) return 'api';
  const tag = fallbackTag(subjectDigest);
  const existing = await client.manifest(repo, tag, MT.ociIndex);
  let manifests: Descriptor[] = [];
  let extra: Record<string, unknown> = {};
  if (existing) {
    const parsed = parseManifest(existing.bytes, MT.ociIndex, `referrers index ${repo}:${tag}`);
    if (parsed.kind !== 'index') throw new Error(`${repo}:${tag} is not an image index`);
    const { manifests: ms, schemaVersion: _v, mediaType: _m, ...rest } = parsed.value;
    manifests = [...ms];
    extra = rest;
    if (manifests.some((d) => d.digest === referrer.digest)) return 'present';
  }
  manifests.push(descriptorOf(referrer));
  const bytes = Buffer.from(canonicalJson({ ...extra, schemaVersion: 2, mediaType: MT.ociIndex, manifests }));
  await client.putManifest(repo, tag, MT.ociIndex, bytes);
  return 'tag';
}

/** The referrers of a subject, through the API or the fallback tag; optionally of one artifactType. */
export async function listReferrers(client: RegistryClient, repo: string, subjectDigest: string, artifactType?: string): Promise<{ via: 'api' | 'tag'; referrers: Descriptor[] }> {
  const api = await client.referrers(repo, subjectDigest);
  let via: 'api' | 'tag' = 'api';
  let bytes = api;
  if (bytes === undefined) {
    via = 'tag';
    bytes = (await client.manifest(repo, fallbackTag(subjectDigest), MT.ociIndex))?.bytes;
  }
  if (bytes === undefined) return { via, referrers: [] };
  const parsed = parseManifest(bytes, MT.ociIndex, `referrers of ${subjectDigest}`);
  const all = parsed.kind === 'index' ? [...parsed.value.manifests] : [];
  return { via, referrers: artifactType ? all.filter((d) => d.artifactType === artifactType) : all };
}
