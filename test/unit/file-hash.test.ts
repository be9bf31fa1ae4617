/**
 * Files are hashed through one reused 1 MiB buffer (src/common/hash.ts
 * readFileChunks): the digests are those of the whole bytes, for files empty,
 * shorter than, equal to and longer than a chunk.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashFile, readFileChunks, sha256File } from '../../src/common/hash.js';
import { repoRoot } from '../helpers/integration.js';

const MiB = 1024 * 1024;
const real = readFileSync(join(repoRoot(), 'test', 'fixtures', 'corpus', 'comps-f41.xml.in'));
const sizes = [0, 1, MiB - 1, MiB, MiB + 1, Math.floor(2.5 * MiB)];

for (const n of sizes) {
  test(`a ${n}-byte file: sha256/sha512 and the chunks are the file's bytes`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-hash-'));
    try {
      const data = Buffer.alloc(n);
      for (let off = 0; off < n; off += real.length) real.copy(data, off, 0, Math.min(real.length, n - off));
      const f = join(dir, 'f');
      writeFileSync(f, data);
      assert.equal(await sha256File(f), createHash('sha256').update(data).digest('hex'));
      assert.equal(await hashFile(f, 'sha512'), createHash('sha512').update(data).digest('hex'));
      const seen: Buffer[] = [];
      await readFileChunks(f, (c) => { assert.ok(c.length <= MiB); seen.push(Buffer.from(c)); });
      assert.ok(Buffer.concat(seen).equals(data));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
