/**
 * The reuse record (steps/reuse.ts): what a build writes from the digests it
 * already has must be the record hashing every file would give, and a later
 * build still hashes every file before it reuses them.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkReuse, saveReuse, writtenDigests } from '../../../src/builder/steps/reuse.js';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('saveReuse: the digests a build wrote give the same record as hashing the files, and checkReuse still hashes them', async () => {
  const out = mkdtempSync(join(tmpdir(), 'fexpod-reuse-record-'));
  try {
    const image = randomBytes(300_000);
    writeFileSync(join(out, 'demo.erofs'), image);
    const layout = join(out, 'demo.oci');
    mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
    const blob = randomBytes(100_000);
    writeFileSync(join(layout, 'blobs', 'sha256', hex(blob)), blob);
    writeFileSync(join(layout, 'index.json'), '{"schemaVersion":2}');
    writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const outputs = [
      { kind: 'erofs' as const, path: join(out, 'demo.erofs'), digest: `sha256:${hex(image)}` },
      { kind: 'oci' as const, path: layout, digest: 'sha256:manifest-not-a-file' },
    ];
    const known = await writtenDigests(outputs);
    assert.deepEqual([...known.keys()].sort(), [join(out, 'demo.erofs'), join(layout, 'blobs', 'sha256', hex(blob))].sort());

    const paths = outputs.map((o) => o.path);
    await saveReuse(out, 'demo', 'k', paths, { r: 1 });
    const hashed = readFileSync(join(out, '.fexpod-reuse', 'demo.json'), 'utf8');
    await saveReuse(out, 'demo', 'k', paths, { r: 1 }, known);
    assert.equal(readFileSync(join(out, '.fexpod-reuse', 'demo.json'), 'utf8'), hashed);

    assert.ok((await checkReuse(out, 'demo', 'k')).result);
    image[0] = (image[0] ?? 0) ^ 1; // same size, other bytes: found by hashing, not by the size
    writeFileSync(join(out, 'demo.erofs'), image);
    assert.deepEqual(await checkReuse(out, 'demo', 'k'), { why: 'demo.erofs changed' });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
