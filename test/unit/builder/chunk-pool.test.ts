/**
 * Content pieces read into pooled buffers (tree/chunk-pool.ts): a buffer is
 * reused only when every holder let go — the layer pass, and each tool reading
 * the same tar on stdin (layer/byte-channel.ts, common/process-runner.ts).
 * The end-to-end cases overwrite a buffer the moment it is handed back, so a
 * holder that let go too early would send wrong bytes.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ByteChannel } from '../../../src/builder/layer/byte-channel.js';
import { compressPool } from '../../../src/builder/layer/compress-pool.js';
import { writeLayer } from '../../../src/builder/layer/layer-writer.js';
import { layerTar } from '../../../src/builder/layer/tar-writer.js';
import { ChunkPool } from '../../../src/builder/tree/chunk-pool.js';
import { fileContentSource } from '../../../src/builder/tree/content-store.js';
import type { TreeEntry } from '../../../src/builder/tree/tree.js';
import { CommandFailed, processRunner } from '../../../src/common/process-runner.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

test('ChunkPool: at most max buffers; acquire waits until the last holder releases one', async () => {
  const pool = new ChunkPool(16, 2);
  const a = await pool.acquire();
  const b = await pool.acquire();
  assert.notEqual(a.buffer, b.buffer);
  const got: Uint8Array[] = [];
  const waiting = pool.acquire().then((x) => { got.push(x); });
  pool.retain(a.subarray(0, 4)); // a second holder of a (a view of it)
  pool.release(a);
  await new Promise((r) => setImmediate(r));
  assert.equal(got.length, 0, 'a still has a holder');
  pool.release(a.subarray(2, 8));
  await waiting;
  assert.equal(got[0]?.buffer, a.buffer, 'the released buffer is the one handed out again');
  assert.equal(got[0]?.length, 16, 'whole again');
  pool.release(new Uint8Array(16)); // not the pool's: ignored
  assert.throws(() => pool.retain(new Uint8Array(16)), /not a held buffer/);
  assert.ok(pool.owns(b) && !pool.owns(new Uint8Array(4)));
});

test('ByteChannel: a chunk is done when the consumer asks for the next, and all are done when it stops', async () => {
  const ch = new ByteChannel(4);
  const done: number[] = [];
  for (let i = 0; i < 4; i++) await ch.write(Uint8Array.of(i), () => done.push(i));
  ch.close();
  const it = ch[Symbol.asyncIterator]();
  assert.deepEqual((await it.next()).value, Uint8Array.of(0));
  assert.deepEqual(done, [], 'chunk 0 is still the consumer\'s');
  await it.next();
  assert.deepEqual(done, [0]);
  await it.return?.(); // the tool stopped reading: what it held and what was queued are done
  assert.deepEqual(done.sort(), [0, 1, 2, 3]);

  const open = new ByteChannel(4); // a consumer that leaves before the end
  const late: number[] = [];
  await open.write(Uint8Array.of(1), () => late.push(1));
  const it2 = open[Symbol.asyncIterator]();
  await it2.next();
  await it2.return?.();
  assert.deepEqual(late, [1]);
  await open.write(Uint8Array.of(2), () => late.push(2)); // dropped, and done at once
  assert.deepEqual(late, [1, 2]);
});

test('processRunner: a stream chunk is written whole before the next is asked for (its buffer may then be reused)', async () => {
  const want: Buffer[] = [];
  const buf = new Uint8Array(1024 * 1024);
  async function* reused(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 12; i++) {
      buf.set(randomBytes(buf.length)); // overwrites what the previous chunk was
      want.push(Buffer.from(buf));
      yield buf;
    }
  }
  const out = await processRunner.run('sh', ['-c', 'sha256sum | cut -d" " -f1'], { input: reused() });
  assert.equal(out.stdout.trim(), sha(Buffer.concat(want)));
});

test('processRunner: a tool that stops reading its stream and fails is reported by its own exit and stderr, not as a broken pipe', async () => {
  const chunk = new Uint8Array(1024 * 1024);
  for (let k = 0; k < 5; k++) {
    async function* big(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 40; i++) yield chunk;
    }
    await assert.rejects(processRunner.run('sh', ['-c', 'head -c 10 >/dev/null; echo boom >&2; exit 3'], { input: big() }), (e: unknown) => e instanceof CommandFailed && e.code === 3 && /boom/.test(e.stderr));
  }
});

test('writeLayer: pooled pieces reach the blob, the diff_id and slow tees intact while buffers go round', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-chunk-pool-'));
  try {
    const entries: TreeEntry[] = [];
    const sizes = [5 * 1024 * 1024 + 17, ...Array.from({ length: 40 }, (_, i) => 200 * 1024 + i * 997), 0, 1];
    sizes.forEach((size, i) => {
      const data = randomBytes(size);
      const path = join(dir, `c${i}`);
      writeFileSync(path, data);
      entries.push({ path: `usr/lib64/f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1, content: fileContentSource(path, size, sha(data), true) });
    });
    const tar = await layerTar(entries, 1); // read without the pool: what every consumer must get
    const tees = [new ByteChannel(), new ByteChannel(2)];
    const got = tees.map(async (ch, k) => {
      const h = createHash('sha256');
      let n = 0;
      for await (const c of ch) {
        h.update(c);
        if (++n % (k + 2) === 0) await new Promise((r) => setTimeout(r, 1)); // slow readers, at different paces
      }
      return h.digest('hex');
    });
    const pool = compressPool(2);
    try {
      const blob = join(dir, 'blob');
      const r = await writeLayer({ entries, sourceDateEpoch: 1, dest: blob, compression: 'gzip', tees }, pool);
      assert.equal(r.diffId, `sha256:${sha(tar)}`);
      assert.equal(sha(gunzipSync(readFileSync(blob))), sha(tar), 'the blob holds the same tar');
      assert.deepEqual(await Promise.all(got), [sha(tar), sha(tar)]);
    } finally {
      await pool.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
