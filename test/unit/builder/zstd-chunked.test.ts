import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { decompress } from 'fzstd';
import { compressPool } from '../../../src/builder/layer/compress-pool.js';
import { crc64, crc64Bytes } from '../../../src/builder/layer/crc64.js';
import { ZstdChunkedWriter } from '../../../src/builder/layer/zstd-chunked.js';
import { CHUNKED_MAGIC, FOOTER_SIZE, tarSplitLine, tocJson } from '../../../src/builder/layer/zstd-chunked-toc.js';
import { tarParts, layerTar } from '../../../src/builder/layer/tar-writer.js';
import { bufferContent, canonicalEntries, type TreeEntry } from '../../../src/builder/tree/tree.js';
import { sampleTree } from './tar-sample.js';

const SDE = 1_700_000_000;

function bigTree(): TreeEntry[] {
  const big = new Uint8Array(150_000).map((_, i) => (i * 31 + (i >> 7)) & 0xff);
  return [...sampleTree(), { path: 'usr/lib64', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 1 },
    { path: 'usr/lib64/libbig.so.1', type: 'file', mode: 0o755, uid: 0, gid: 0, mtime: 1, content: bufferContent(big) }];
}

async function chunked(entries: TreeEntry[], workers: number, chunkSize: number) {
  const pool = compressPool(workers);
  const out: Uint8Array[] = [];
  try {
    const w = new ZstdChunkedWriter(pool, 3, (b) => { out.push(b.slice()); }, SDE, chunkSize);
    for await (const p of tarParts(entries, { sourceDateEpoch: SDE })) await w.part(p);
    const annotations = await w.end();
    return { blob: Buffer.concat(out), annotations };
  } finally {
    await pool.close();
  }
}

interface Toc { version: number; entries: { type: string; name: string; size?: number; digest?: string; offset?: number; endOffset?: number; chunkSize?: number; chunkOffset?: number; chunkDigest?: string; xattrs?: Record<string, string>; modtime?: string }[]; tarSplitDigest: string }

test('zstd:chunked: decompresses to the very tar (same diff_id), bytes independent of the workers', async () => {
  const tree = bigTree();
  const tar = await layerTar(tree, SDE);
  const a = await chunked(tree, 0, 64 * 1024);
  const b = await chunked(tree, 2, 64 * 1024);
  assert.equal(createHash('sha256').update(a.blob).digest('hex'), createHash('sha256').update(b.blob).digest('hex'));
  // skippable frames (TOC, tar-split, footer) are ignored by a decoder: the stream is the tar
  assert.deepEqual(Buffer.from(decompress(a.blob)), Buffer.from(tar));
});

test('zstd:chunked: footer, annotations, TOC offsets and tar-split are consistent', async () => {
  const tree = bigTree();
  const tar = Buffer.from(await layerTar(tree, SDE));
  const { blob, annotations } = await chunked(tree, 1, 64 * 1024);
  const footer = blob.subarray(blob.length - FOOTER_SIZE);
  assert.deepEqual([...footer.subarray(56)], [...CHUNKED_MAGIC]);
  const u64 = (i: number) => Number(footer.readBigUInt64LE(i * 8));
  const [mOff, mLen, mRaw, mType, sOff, sLen, sRaw] = [0, 1, 2, 3, 4, 5, 6].map(u64);
  assert.equal(mType, 1);
  assert.equal(annotations['io.github.containers.zstd-chunked.manifest-position'], `${mOff}:${mLen}:${mRaw}:1`);
  assert.equal(annotations['io.containers.zstd-chunked.manifest-position'], `${mOff}:${mLen}:${mRaw}:1`);
  assert.equal(annotations['io.github.containers.zstd-chunked.tarsplit-position'], `${sOff}:${sLen}:${sRaw}`);
  const manifestZ = blob.subarray(mOff ?? 0, (mOff ?? 0) + (mLen ?? 0));
  assert.equal(annotations['io.github.containers.zstd-chunked.manifest-checksum'], `sha256:${createHash('sha256').update(manifestZ).digest('hex')}`);
  assert.deepEqual([...blob.subarray((mOff ?? 0) - 8, (mOff ?? 0) - 4)], [0x50, 0x2a, 0x4d, 0x18]);
  const toc = JSON.parse(Buffer.from(decompress(manifestZ)).toString()) as Toc;
  assert.equal(toc.version, 1);
  const splitZ = blob.subarray(sOff ?? 0, (sOff ?? 0) + (sLen ?? 0));
  assert.equal(toc.tarSplitDigest, `sha256:${createHash('sha256').update(splitZ).digest('hex')}`);

  // every file's frames hold exactly its content; chunks hold their slices
  const byName = new Map(canonicalEntries(tree).map((e) => [e.type === 'dir' ? `${e.path}/` : e.path, e]));
  let multi = 0;
  for (const [i, e] of toc.entries.entries()) {
    const t = byName.get(e.name);
    if (e.type === 'reg' && (e.size ?? 0) > 0 && t?.content) {
      const data = Buffer.from(await t.content.read());
      assert.equal(e.digest, `sha256:${createHash('sha256').update(data).digest('hex')}`, e.name);
      assert.deepEqual(Buffer.from(decompress(blob.subarray(e.offset ?? 0, e.endOffset ?? 0))), data, e.name);
      if (e.chunkSize !== undefined) {
        multi++;
        const chunks = [e, ...toc.entries.slice(i + 1).filter((c) => c.type === 'chunk' && c.name === e.name)];
        let pos = 0;
        for (const [k, c] of chunks.entries()) {
          const end = chunks[k + 1]?.offset ?? e.endOffset ?? 0;
          const piece = Buffer.from(decompress(blob.subarray(c.offset ?? 0, end)));
          assert.equal(c.chunkOffset ?? 0, pos);
          assert.equal(piece.length, c.chunkSize);
          assert.equal(c.chunkDigest, `sha256:${createHash('sha256').update(piece).digest('hex')}`);
          pos += piece.length;
        }
        assert.equal(pos, data.length);
      }
    }
  }
  assert.equal(multi, 0, 'no chunk entries: a large file is one range over several frames');
  assert.ok((toc.entries.find((e) => e.name === 'usr/lib64/libbig.so.1')?.endOffset ?? 0) - (toc.entries.find((e) => e.name === 'usr/lib64/libbig.so.1')?.offset ?? 0) > 0);
  assert.ok(toc.entries.find((e) => e.name === 'usr/bin/ping')?.xattrs?.['security.capability']);
  assert.equal(toc.entries.find((e) => e.name === 'usr/')?.type, 'dir');
  assert.equal(toc.entries.find((e) => e.name === 'usr/')?.modtime, '2023-11-14T22:13:20Z');

  // tar-split: segments + file payloads rebuild the tar byte for byte; crc64 per file
  const splitRaw = Buffer.from(decompress(splitZ));
  assert.equal(splitRaw.length, sRaw);
  const lines = splitRaw.toString().split('\n').filter((l) => l !== '');
  const rebuilt: Buffer[] = [];
  for (const [pos, l] of lines.entries()) {
    const e = JSON.parse(l) as { type: number; name?: string; size?: number; payload: string | null; position: number };
    assert.equal(e.position, pos);
    if (e.type === 2) rebuilt.push(Buffer.from(e.payload ?? '', 'base64'));
    else if ((e.size ?? 0) > 0) {
      const data = Buffer.from(await (byName.get(e.name ?? '')?.content?.read() ?? Promise.resolve(new Uint8Array())));
      assert.equal(e.payload, Buffer.from(crc64Bytes(crc64(data))).toString('base64'), e.name);
      rebuilt.push(data);
    }
  }
  assert.deepEqual(Buffer.concat(rebuilt), tar);
});

test('TOC and tar-split JSON are what Go would marshal (field order, omitempty, HTML escaping)', () => {
  assert.equal(
    tocJson([{ type: 'reg', name: 'a<b', mode: 0o644, size: 0, uid: 0, modtime: '2023-11-14T22:13:20Z' }], 'sha256:x'),
    '{"version":1,"entries":[{"type":"reg","name":"a\\u003cb","mode":420,"modtime":"2023-11-14T22:13:20Z"}],"tarSplitDigest":"sha256:x"}',
  );
  assert.equal(tarSplitLine({ type: 1, name: 'usr/', size: 0, payload: null }, 3), '{"type":1,"name":"usr/","payload":null,"position":3}\n');
  assert.equal(tarSplitLine({ type: 2, payload: Uint8Array.from([1, 2]) }, 0), '{"type":2,"payload":"AQI=","position":0}\n');
});
