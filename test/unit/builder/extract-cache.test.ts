import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentPath } from '../../../src/builder/tree/content-store.js';
import { extractCache } from '../../../src/builder/rpm/extract-cache.js';
import { corpusDir } from '../../helpers/integration.js';

const RPM = join(corpusDir(), 'rpms', 'ngircd-22-2.fc22.x86_64.rpm');
const sha = createHash('sha256').update(readFileSync(RPM)).digest('hex');

async function contents(pkg: Awaited<ReturnType<ReturnType<typeof extractCache>['extract']>>): Promise<string[]> {
  const out: string[] = [];
  for (const [i, c] of [...pkg.content].sort(([a], [b]) => a - b)) {
    const parts: Buffer[] = [];
    for await (const p of c.stream?.() ?? []) parts.push(Buffer.from(p));
    out.push(`${i}:${createHash('sha256').update(Buffer.concat(parts)).digest('hex')}`);
  }
  return out;
}

test('extraction cache: the second extraction of a package reuses its content, identical', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-xcache-'));
  try {
    const first = extractCache(dir);
    const a = await first.extract(RPM, sha);
    assert.deepEqual(first.stats, { extracted: 1, reused: 0 });
    const second = extractCache(dir); // a new build: only the disk is shared
    const b = await second.extract(RPM, sha);
    assert.deepEqual(second.stats, { extracted: 0, reused: 1 });
    assert.equal(b.nevra, a.nevra);
    assert.deepEqual(b.files.map((f) => f.path), a.files.map((f) => f.path));
    assert.deepEqual(await contents(b), await contents(a));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extraction cache: a missing content file means extracting again; changed bytes fail when read and the entry goes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-xcache-'));
  try {
    const a = await extractCache(dir).extract(RPM, sha);
    const [, victim] = [...a.content].find(([, c]) => c.size > 16) ?? [];
    assert.ok(victim?.sha256);
    const path = contentPath(join(dir, 'content'), victim.sha256);
    // same size, other bytes: reused (size matches) but re-hashed as it is read
    writeFileSync(path, Buffer.alloc(victim.size, 0x41));
    const cache = extractCache(dir);
    const b = await cache.extract(RPM, sha);
    assert.equal(cache.stats.reused, 1);
    const bad = [...b.content].find(([, c]) => c.sha256 === victim.sha256)?.[1];
    await assert.rejects(bad?.read() ?? Promise.reject(new Error('none')), /cached content .* has sha256 .*expected/);
    assert.ok(!readdirSync(join(dir, 'content', victim.sha256.slice(0, 2))).includes(victim.sha256), 'the bad entry is removed');
    // now missing: the next build extracts the package again
    const again = extractCache(dir);
    await again.extract(RPM, sha);
    assert.deepEqual(again.stats, { extracted: 1, reused: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('extraction cache: a package without a known sha256 is extracted and not recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-xcache-'));
  try {
    const c = extractCache(dir);
    await c.extract(RPM, undefined);
    await c.extract(RPM, undefined);
    assert.deepEqual(c.stats, { extracted: 2, reused: 0 });
    assert.deepEqual(readdirSync(join(dir, 'pkgs')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
