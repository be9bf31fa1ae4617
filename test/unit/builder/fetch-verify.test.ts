/**
 * fetchLocked over real signed packages (test/fixtures/rpm) served by an in-memory mirror:
 * - a package that fails verification never gets a cache entry (nor a partial file), and a rerun
 *   with the right key fetches and keeps it;
 * - a cached package is verified again against this lock's keys;
 * - errors name the package file and give the fix that applies: a 0-byte package, a source
 *   package, an unwritable cache, wrong bytes on every mirror — never "check the network" for a
 *   local failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { FexpodError } from '../../../src/common/errors.js';
import { BlobCache } from '../../../src/builder/fetch/cache.js';
import { fetchLocked } from '../../../src/builder/fetch/package-fetch.js';
import type { HttpClient, HttpResponse } from '../../../src/builder/fetch/http.js';
import type { Lock, LockedPackage } from '../../../src/builder/lock/lock.js';
import { headerNevra, parseRpmHeaders } from '../../../src/builder/rpm/rpm-header.js';
import { readKeys } from '../../../src/builder/rpm/rpm-signature.js';
import { corpusDir, repoRoot } from '../../helpers/integration.js';

const fixture = (f: string) => join(repoRoot(), 'test', 'fixtures', 'rpm', f);
const V3 = fixture('fexpod-sigtest-1.0-1.noarch.v3-rsa4096.rpm');
const MLDSA = fixture('fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm');
const KEY_4096 = 'fexpod-rsa4096-test.asc';
const KEY_2048 = 'fexpod-rsa2048-test.asc';
const SRPM = join(corpusDir(), 'repos', 'createrepo_c-testdata', 'packages', 'empty-0-0.src.rpm');

/** A mirror serving files by their base name; counts requests. */
function mirror(files: Record<string, Uint8Array>, requests: string[] = []): HttpClient {
  return {
    async get(url, o = {}): Promise<HttpResponse> {
      requests.push(url);
      const data = files[url.split('/').pop() ?? ''];
      const empty = (async function* () {})();
      if (!data) return { status: 404, header: () => undefined, body: empty, cancel: async () => {} };
      const from = o.from ?? 0;
      return {
        status: from > 0 ? 206 : 200,
        header: (n) => (n === 'content-range' && from > 0 ? `bytes ${from}-${data.length - 1}/${data.length}` : undefined),
        body: (async function* () {
          if (data.length > from) yield data.subarray(from);
        })(),
        cancel: async () => {},
      };
    },
  };
}

function lockedPackage(file: string, bytes: Uint8Array, location = file.split('/').pop()!): LockedPackage {
  const n = headerNevra(parseRpmHeaders(bytes).header);
  return {
    name: n.name, epoch: n.epoch, version: n.version, release: n.release, arch: n.arch,
    sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, location, repo: 'r', sourcerpm: null,
  };
}

function lockOf(packages: LockedPackage[]): Lock {
  return {
    schemaVersion: 1,
    definition: { name: 't', digest: `sha256:${'0'.repeat(64)}`, release: '1', arches: ['x86_64'], weakDeps: false },
    repos: [{ id: 'r', repomd: `sha256:${'0'.repeat(64)}`, baseurls: ['http://mirror/'], gpgcheck: true, gpgkeys: [] }],
    packages,
  };
}

const keysFrom = async (...files: string[]) => new Map([['r', await readKeys(files.map((f) => ({ name: f, data: new Uint8Array(readFileSync(fixture(f))) })))]]);

function cacheFiles(dir: string): string[] {
  const d = join(dir, 'blobs', 'sha256');
  return existsSync(d) ? readdirSync(d).sort() : [];
}

async function withCache(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-fetch-verify-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a package that fails verification is not kept in the cache; a rerun with its key keeps it', () =>
  withCache(async (cacheDir) => {
    const bytes = new Uint8Array(readFileSync(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const http = mirror({ [lock.packages[0]!.location]: bytes });
    await assert.rejects(fetchLocked(lock, { cacheDir, http, keys: await keysFrom(KEY_2048) }), (e: unknown) => {
      return e instanceof FexpodError && e.exitCode === 4 && /fexpod-sigtest-1\.0-1\.noarch: signed with key ID e173b83235014ae2/.test(e.message) && /gpgkey/.test(e.fix ?? '');
    });
    assert.deepEqual(cacheFiles(cacheDir), [], 'neither an entry nor a partial file is left');
    const paths = await fetchLocked(lock, { cacheDir, http, keys: await keysFrom(KEY_4096) });
    assert.deepEqual(cacheFiles(cacheDir), [lock.packages[0]!.sha256]);
    assert.equal(paths.get(lock.packages[0]!.sha256), new BlobCache(cacheDir).path({ alg: 'sha256', hex: lock.packages[0]!.sha256 }));
  }));

test('a cached package is verified again against this lock\'s keys', () =>
  withCache(async (cacheDir) => {
    const bytes = new Uint8Array(readFileSync(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const requests: string[] = [];
    await fetchLocked(lock, { cacheDir, http: mirror({ [lock.packages[0]!.location]: bytes }, requests), keys: await keysFrom(KEY_4096) });
    await assert.rejects(fetchLocked(lock, { cacheDir, http: mirror({}, requests), keys: await keysFrom(KEY_2048) }), /signed with key ID e173b83235014ae2/);
    assert.equal(requests.length, 1, 'the second run used the cache');
  }));

test('--verbose names the signatures fexpod skipped', () =>
  withCache(async (cacheDir) => {
    const bytes = new Uint8Array(readFileSync(MLDSA));
    const lock = lockOf([lockedPackage(MLDSA, bytes)]);
    const log = memoryLogger();
    await fetchLocked(lock, { cacheDir, http: mirror({ [lock.packages[0]!.location]: bytes }), keys: await keysFrom(KEY_2048), log });
    assert.deepEqual(log.lines, [
      'debug: fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm: skipped OpenPGP v6 ML-DSA-87+Ed448/SHA512 signature by key cd3720fca602293b439cebd5396659d12fc95ba4218e5366db8f2b9b758a1f22 (an algorithm fexpod cannot check); signed by fexpod RSA 2048 test key <rsa2048-test@fexpod.invalid>',
    ]);
  }));

test('a 0-byte package: named, "too short to be an RPM", no ENOENT, no advice about the network', () =>
  withCache(async (cacheDir) => {
    const bytes = new Uint8Array(readFileSync(V3));
    const pkg = { ...lockedPackage(V3, bytes), sha256: createHash('sha256').update('').digest('hex'), size: 0 };
    await assert.rejects(fetchLocked(lockOf([pkg]), { cacheDir, http: mirror({ [pkg.location]: new Uint8Array(0) }), keys: await keysFrom(KEY_4096) }), (e: unknown) => {
      assert.ok(e instanceof FexpodError);
      assert.match(e.message, /fexpod-sigtest-1\.0-1\.noarch: the file is 0 bytes: too short to be an RPM/);
      assert.doesNotMatch(e.message, /ENOENT|\.partial-/);
      assert.doesNotMatch(e.fix ?? '', /network/);
      return true;
    });
    assert.deepEqual(cacheFiles(cacheDir), []);
  }));

test('a source package in a lock is refused by verification, named, and not cached', () =>
  withCache(async (cacheDir) => {
    const bytes = new Uint8Array(readFileSync(SRPM));
    const pkg = lockedPackage(SRPM, bytes);
    const lock = { ...lockOf([pkg]), repos: lockOf([]).repos.map((r) => ({ ...r, gpgcheck: false })) };
    await assert.rejects(fetchLocked(lock, { cacheDir, http: mirror({ [pkg.location]: bytes }) }), (e: unknown) => {
      return e instanceof FexpodError && /empty-0-0\.src: the file is a source package/.test(e.message) && /source package cannot be installed/.test(e.fix ?? '');
    });
    assert.deepEqual(cacheFiles(cacheDir), []);
  }));

test('an unwritable cache is named as such, with the cache fix, not the network', () =>
  withCache(async (dir) => {
    const bytes = new Uint8Array(readFileSync(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const cacheDir = join(dir, 'not-a-dir');
    writeFileSync(cacheDir, 'a file where the cache should be');
    await assert.rejects(fetchLocked(lock, { cacheDir, http: mirror({ [lock.packages[0]!.location]: bytes }), keys: await keysFrom(KEY_4096) }), (e: unknown) => {
      assert.ok(e instanceof FexpodError);
      assert.match(e.message, /fexpod-sigtest-1\.0-1\.noarch\.v3-rsa4096\.rpm: cannot write it into the cache .*not-a-dir/);
      assert.match(e.fix ?? '', /not-a-dir is a writable directory/);
      return true;
    });
  }));

test('wrong bytes on every mirror: named, and the fix says the repository changed, not the network', () =>
  withCache(async (cacheDir) => {
    const bytes = new Uint8Array(readFileSync(V3));
    const lock = lockOf([lockedPackage(V3, bytes)]);
    const other = Uint8Array.from(bytes);
    other[other.length - 100] = other[other.length - 100]! ^ 0x01;
    await assert.rejects(fetchLocked(lock, { cacheDir, http: mirror({ [lock.packages[0]!.location]: other }), keys: await keysFrom(KEY_4096) }), (e: unknown) => {
      assert.ok(e instanceof FexpodError);
      assert.match(e.message, /fexpod-sigtest-1\.0-1\.noarch\.v3-rsa4096\.rpm: every mirror failed/);
      assert.match(e.fix ?? '', /re-resolve/);
      return true;
    });
    assert.deepEqual(cacheFiles(cacheDir), []);
  }));
