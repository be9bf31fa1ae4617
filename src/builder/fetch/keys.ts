/**
 * Trusted signing keys of a repository: its gpgkey URLs (file:// or https://). Fedora's default
 * key file lives in /etc/pki/rpm-gpg on Fedora; a builder that is not Fedora uses fexpod's
 * bundled copy of the same file (images/keys/), so the default works everywhere.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PublicKey } from 'openpgp';
import { FexpodError } from '../../common/errors.js';
import { getSmall, redactUrl, type HttpClient } from './http.js';
import { readKeys } from '../rpm/rpm-signature.js';

export interface KeyDeps {
  readonly http: HttpClient;
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /** Directory of bundled keys (images/keys). */
  readonly bundledDir: string;
}

export function bundledKeysDir(): string {
  // dist/src/builder/fetch/keys.js → <root>/images/keys
  return fileURLToPath(new URL('../../../../images/keys/', import.meta.url));
}

/** Keys from the local filesystem and over `http`, with fexpod's bundled copies as fallback. */
export function nodeKeyDeps(http: HttpClient): KeyDeps {
  return { http, readFile: async (p) => new Uint8Array(await readFile(p)), bundledDir: bundledKeysDir() };
}

async function readKeyData(url: string, deps: KeyDeps): Promise<{ name: string; data: Uint8Array }> {
  const u = new URL(url);
  if (u.protocol === 'file:') {
    const path = fileURLToPath(u);
    try {
      return { name: path, data: await deps.readFile(path) };
    } catch (err) {
      const bundled = join(deps.bundledDir, basename(path));
      try {
        return { name: bundled, data: await deps.readFile(bundled) };
      } catch {
        throw new FexpodError(`signing key ${path} does not exist (and fexpod has no bundled copy of ${basename(path)})`, {
          cause: err,
          fix: `install the key (Fedora: dnf install fedora-gpg-keys) or point gpgkey at it, e.g. gpgkey = ["file:///path/to/${basename(path)}"]`,
        });
      }
    }
  }
  return { name: redactUrl(url), data: await getSmall(deps.http, url, 1 << 20) };
}

/** Loads and parses every key of a repository. */
export async function loadKeys(urls: readonly string[], deps: KeyDeps): Promise<PublicKey[]> {
  const files = [];
  for (const u of urls) files.push(await readKeyData(u, deps));
  try {
    return await readKeys(files);
  } catch (err) {
    throw new FexpodError(err instanceof Error ? err.message : String(err), { cause: err, fix: 'gpgkey must point at an OpenPGP public key file' });
  }
}
