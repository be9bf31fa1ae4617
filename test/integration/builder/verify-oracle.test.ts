/**
 * fexpod's package verification against rpm's own: for real packages and keys (v3 signatures by
 * 2048- and 4096-bit keys whose hash prefix is smaller than the signature, Fedora 31's v3
 * signature, a package that also carries an ML-DSA signature, a flipped header byte), `rpm -K`
 * with the key in a throwaway rpmdb and verifyRpmFile must give the same verdict.
 * rpm 4.18 does not read rpm 6's OPENPGP tag: for the ML-DSA package it checks only the RSA
 * signature in RSAHEADER; that the ML-DSA one is skipped is checked in the unit tests.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headerNevra, parseRpmHeaders } from '../../../src/builder/rpm/rpm-header.js';
import { readKeys } from '../../../src/builder/rpm/rpm-signature.js';
import { PackageVerifyError, verifyRpmFile } from '../../../src/builder/rpm/verify.js';
import { corpusDir, integration, onPath, repoRoot } from '../../helpers/integration.js';

const req = integration(onPath('rpm'), onPath('rpmkeys'));
const fixture = (f: string) => join(repoRoot(), 'test', 'fixtures', 'rpm', f);
const fedora31 = join(corpusDir(), 'keys', 'RPM-GPG-KEY-fedora-31-primary');
const V3_4096 = 'fexpod-sigtest-1.0-1.noarch.v3-rsa4096.rpm';
const KEY_4096 = fixture('fexpod-rsa4096-test.asc');
const KEY_2048 = fixture('fexpod-rsa2048-test.asc');

/** rpm -K's verdict with exactly these keys imported. */
function rpmK(pkg: string, keys: readonly string[]): { ok: boolean; out: string } {
  const db = mkdtempSync(join(tmpdir(), 'fexpod-rpmdb-'));
  try {
    for (const k of keys) {
      const r = spawnSync('rpmkeys', ['--dbpath', db, '--import', k], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    }
    const r = spawnSync('rpm', ['--dbpath', db, '-Kv', pkg], { encoding: 'utf8' });
    return { ok: r.status === 0, out: r.stdout + r.stderr };
  } finally {
    rmSync(db, { recursive: true, force: true });
  }
}

async function fexpod(pkg: string, keys: readonly string[]): Promise<{ ok: boolean; kind?: string }> {
  const bytes = readFileSync(pkg);
  const n = headerNevra(parseRpmHeaders(new Uint8Array(bytes)).header);
  const exp = { ...n, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  const parsed = await readKeys(keys.map((k) => ({ name: k, data: new Uint8Array(readFileSync(k)) })));
  try {
    await verifyRpmFile(pkg, exp, { gpgcheck: true, keys: parsed });
    return { ok: true };
  } catch (err) {
    if (err instanceof PackageVerifyError) return { ok: false, kind: err.kind };
    throw err;
  }
}

const cases = [
  { name: 'v3 RSA/SHA256 by a 4096-bit key, hash prefix 0x04c9', pkg: () => fixture(V3_4096), keys: [KEY_4096], ok: true },
  { name: 'the same package against another key', pkg: () => fixture(V3_4096), keys: [KEY_2048], ok: false, kind: 'no-key' },
  { name: 'v3 RSA/SHA256 by a 2048-bit key, hash prefix 0x04c9', pkg: () => fixture('fexpod-sigtest-1.0-1.noarch.v3-rsa2048.rpm'), keys: [KEY_2048], ok: true },
  { name: 'RSA and ML-DSA-87+Ed448 signatures, the RSA key trusted', pkg: () => fixture('fexpod-sigtest-1.0-1.noarch.v4-mldsa87.rpm'), keys: [KEY_2048], ok: true },
  { name: 'Fedora 31 rpm-sign (v3, 4096-bit Fedora key)', pkg: () => join(corpusDir(), 'rpms', 'rpm-sign-4.15.1-1.fc31.x86_64.rpm'), keys: [fedora31], ok: true },
  { name: 'v3 4096-bit package with a flipped header byte', pkg: flippedV3, keys: [KEY_4096], ok: false, kind: 'tampered' },
] as const;

let flipDir = '';
function flippedV3(): string {
  flipDir ||= mkdtempSync(join(tmpdir(), 'fexpod-oracle-flip-'));
  const b = Buffer.from(readFileSync(fixture(V3_4096)));
  const h = parseRpmHeaders(new Uint8Array(b));
  const at = h.ranges.header.end - 3;
  b[at] = b[at]! ^ 0x01;
  const out = join(flipDir, 'fexpod-sigtest-flipped.rpm');
  writeFileSync(out, b);
  return out;
}

for (const c of cases) {
  test(`same verdict as rpm -K: ${c.name}`, req, async () => {
    const pkg = c.pkg();
    const oracle = rpmK(pkg, c.keys);
    assert.equal(oracle.ok, c.ok, `rpm -K: ${oracle.out}`);
    const ours = await fexpod(pkg, c.keys);
    assert.equal(ours.ok, oracle.ok, `rpm -K says ${oracle.out}; fexpod says ${JSON.stringify(ours)}`);
    if (!c.ok) assert.equal(ours.kind, 'kind' in c ? c.kind : undefined);
  });
}

after(() => {
  if (flipDir) rmSync(flipDir, { recursive: true, force: true });
});
