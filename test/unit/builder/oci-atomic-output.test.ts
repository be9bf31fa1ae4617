import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicOutput } from '../../../src/builder/dir-output.js';

test('an interrupted output leaves the previous one in place and no temp leftovers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-atomic-'));
  try {
    const dest = join(dir, 'img.oci');
    mkdirSync(dest);
    writeFileSync(join(dest, 'index.json'), 'old');
    await assert.rejects(
      atomicOutput(dest, async (tmp) => {
        mkdirSync(tmp);
        writeFileSync(join(tmp, 'index.json'), 'half');
        throw new Error('interrupted');
      }),
      /interrupted/,
    );
    assert.equal(readFileSync(join(dest, 'index.json'), 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['img.oci']);
    await atomicOutput(dest, async (tmp) => {
      mkdirSync(tmp);
      writeFileSync(join(tmp, 'index.json'), 'new');
    });
    assert.equal(readFileSync(join(dest, 'index.json'), 'utf8'), 'new');
    assert.deepEqual(readdirSync(dir), ['img.oci']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
