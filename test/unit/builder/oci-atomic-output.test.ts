import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicOutput } from '../../../src/common/atomic-output.js';
import { materializeTree } from '../../../src/builder/outputs/dir-output.js';
import { bufferContent, type TreeEntry } from '../../../src/builder/tree/tree.js';

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

test('materializeTree refuses to create implicit parents through a symlink of the tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-materialize-'));
  try {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const meta = { mode: 0o755, uid: 0, gid: 0, mtime: 0 };
    const entries: TreeEntry[] = [
      { path: 'a', type: 'symlink', linkTarget: outside, ...meta },
      { path: 'a/b/c', type: 'file', content: bufferContent(new Uint8Array([1])), ...meta },
    ];
    await assert.rejects(materializeTree(entries, join(dir, 'root'), { privileged: false, sourceDateEpoch: 0 }), /parent a is not a directory/);
    assert.deepEqual(readdirSync(outside), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
