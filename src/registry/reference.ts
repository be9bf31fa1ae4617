/**
 * Image references ("registry.example.com:5000/fex/rootfs:43", "…@sha256:…"),
 * parsed the way the distribution project's reference grammar does: the first
 * path component is the registry when it has a "." or ":" or is "localhost",
 * otherwise the image is on Docker Hub (single names under "library/").
 * A "docker://" prefix (skopeo's transport name) is accepted and dropped.
 */
import { UsageError } from '../common/errors.js';

export interface ImageReference {
  /** Registry as written (host[:port]); "docker.io" for Docker Hub. */
  readonly registry: string;
  /** Repository path inside the registry ("fex/rootfs", "library/fedora"). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::\d+)?$/;

const HELP = 'write REGISTRY[:PORT]/REPOSITORY[:TAG][@sha256:HEX], e.g. localhost:5000/fex-rootfs:43';

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

/** A sha256 digest: the only algorithm fexpod verifies with. */
export function isSha256Digest(s: string): boolean {
  return SHA256.test(s);
}

export function isTag(s: string): boolean {
  return TAG.test(s);
}

export function parseReference(input: string): ImageReference {
  const bad = (why: string) => new UsageError(`invalid image reference "${input}": ${why}`, HELP);
  let s = input.startsWith('docker://') ? input.slice('docker://'.length) : input;
  if (s === '') throw bad('it is empty');
  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!isDigest(digest)) throw bad(`"${digest}" is not a digest`);
  }
  let tag: string | undefined;
  const lastSlash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!isTag(tag)) throw bad(`"${tag}" is not a valid tag`);
  }
  const parts = s.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) throw bad(`"${registry}" is not a registry host[:port]`);
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const p of parts) {
    if (!COMPONENT.test(p)) throw bad(`repository component "${p}" must be lower-case letters, digits and . _ - separators`);
  }
  const repository = parts.join('/');
  if (repository.length > 255) throw bad('the repository name is longer than 255 characters');
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** The host to talk HTTP to: Docker Hub's API lives on registry-1.docker.io. */
export function apiHost(ref: Pick<ImageReference, 'registry'>): string {
  return ref.registry === 'docker.io' ? 'registry-1.docker.io' : ref.registry;
}

/** Tag, digest, or "latest" as the registry's manifest reference. */
export function manifestRef(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!isTag(tag)) throw new UsageError(`"${tag}" is not a valid tag`, HELP);
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, digest };
}
