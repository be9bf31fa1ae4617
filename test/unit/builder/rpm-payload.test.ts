/**
 * extractPayload over a crafted package (header + gzip payload built here):
 * the stripped 07070X payload form that rpm v6 and large-file packages use
 * (built by following rpm's lib/cpio.cc and lib/rpmfi.cc exactly — Debian's
 * rpm 4.18 cannot produce one here), and the same file list as newc.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { memoryContentStore } from '../../../src/builder/tree/content-store.js';
import { extractPayload, RpmExtractError } from '../../../src/builder/rpm/rpm-extract.js';
import { parseHeaderAt, RpmTag, RpmTagType } from '../../../src/builder/rpm/rpm-header.js';

type Val = { type: number; count: number; data: Buffer; align: number };
const str = (s: string): Val => ({ type: RpmTagType.STRING, count: 1, data: Buffer.from(`${s}\0`), align: 1 });
const strs = (a: string[]): Val => ({ type: RpmTagType.STRING_ARRAY, count: a.length, data: Buffer.from(a.map((s) => `${s}\0`).join('')), align: 1 });
const i32 = (a: number[]): Val => {
  const b = Buffer.alloc(4 * a.length);
  a.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return { type: RpmTagType.INT32, count: a.length, data: b, align: 4 };
};
const i16 = (a: number[]): Val => {
  const b = Buffer.alloc(2 * a.length);
  a.forEach((v, i) => b.writeUInt16BE(v, i * 2));
  return { type: RpmTagType.INT16, count: a.length, data: b, align: 2 };
};
const i64 = (a: number[]): Val => {
  const b = Buffer.alloc(8 * a.length);
  a.forEach((v, i) => b.writeBigUInt64BE(BigInt(v), i * 8));
  return { type: RpmTagType.INT64, count: a.length, data: b, align: 8 };
};

function header(tags: Map<number, Val>): Uint8Array {
  const index: Buffer[] = [];
  let store = Buffer.alloc(0);
  for (const [tag, v] of [...tags].sort((a, b) => a[0] - b[0])) {
    const pad = (v.align - (store.length % v.align)) % v.align;
    store = Buffer.concat([store, Buffer.alloc(pad)]);
    const e = Buffer.alloc(16);
    e.writeUInt32BE(tag, 0);
    e.writeUInt32BE(v.type, 4);
    e.writeUInt32BE(store.length, 8);
    e.writeUInt32BE(v.count, 12);
    index.push(e);
    store = Buffer.concat([store, v.data]);
  }
  const pre = Buffer.alloc(16);
  pre.set([0x8e, 0xad, 0xe8, 0x01], 0);
  pre.writeUInt32BE(index.length, 8);
  pre.writeUInt32BE(store.length, 12);
  return Buffer.concat([pre, ...index, store]);
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// Files: 0 dir /opt/x, 1 file a (hardlink set with 2), 2 file b (last: carries data), 3 symlink l -> a, 4 ghost g, 5 empty file e.
const files = [
  { name: 'x', dir: 0, mode: 0o40755, data: '', ino: 1, flags: 0, link: '' },
  { name: 'a', dir: 1, mode: 0o100644, data: 'shared!', ino: 2, flags: 0, link: '' },
  { name: 'b', dir: 1, mode: 0o100644, data: 'shared!', ino: 2, flags: 0, link: '' },
  { name: 'l', dir: 1, mode: 0o120777, data: 'a', ino: 3, flags: 0, link: 'a' },
  { name: 'g', dir: 1, mode: 0o100644, data: '', ino: 4, flags: 64, link: '' },
  { name: 'e', dir: 1, mode: 0o100600, data: '', ino: 5, flags: 0, link: '' },
];

function pkgHeader(): ReturnType<typeof parseHeaderAt>['header'] {
  const t = new Map<number, Val>([
    [RpmTag.NAME, str('crafted')], [RpmTag.VERSION, str('1')], [RpmTag.RELEASE, str('1')], [RpmTag.ARCH, str('noarch')],
    [RpmTag.SOURCERPM, str('crafted-1-1.src.rpm')], [RpmTag.PAYLOADCOMPRESSOR, str('gzip')], [RpmTag.PAYLOADFORMAT, str('cpio')],
    [RpmTag.DIRNAMES, strs(['/opt/', '/opt/x/'])], [RpmTag.BASENAMES, strs(files.map((f) => f.name))],
    [RpmTag.DIRINDEXES, i32(files.map((f) => f.dir))], [RpmTag.FILEMODES, i16(files.map((f) => f.mode))],
    [RpmTag.LONGFILESIZES, i64(files.map((f) => (f.mode & 0o170000) === 0o40000 ? 4096 : f.data.length))],
    [RpmTag.FILEINODES, i32(files.map((f) => f.ino))], [RpmTag.FILEDEVICES, i32(files.map(() => 1))],
    [RpmTag.FILEFLAGS, i32(files.map((f) => f.flags))], [RpmTag.FILELINKTOS, strs(files.map((f) => f.link))],
    [RpmTag.FILEDIGESTS, strs(files.map((f) => ((f.mode & 0o170000) === 0o100000 && !f.flags ? sha(f.data) : '')))],
    [RpmTag.FILEDIGESTALGO, i32([8])], [RpmTag.FILEUSERNAME, strs(files.map(() => 'root'))], [RpmTag.FILEGROUPNAME, strs(files.map(() => 'root'))],
  ]);
  return parseHeaderAt(header(t), 0, 'crafted').header;
}

/** rpmfi's archive writer with stripped headers: every non-ghost file by index; hardlink data on the last member. */
function strippedPayload(order: number[], opts: { corruptDigest?: boolean; plain?: boolean } = {}): Uint8Array {
  let out = Buffer.alloc(0);
  const pad = () => {
    out = Buffer.concat([out, Buffer.alloc((4 - (out.length % 4)) % 4)]);
  };
  for (const fx of order) {
    const f = files[fx] ?? { mode: 0, data: '' };
    pad();
    out = Buffer.concat([out, Buffer.from(`07070X${hex8(fx)}`)]);
    pad();
    const carries = !(fx === 1); // file 1 is not the last member of its hardlink set
    let data = (f.mode & 0o170000) === 0o40000 || !carries ? '' : f.data;
    if (opts.corruptDigest && fx === 2) data = 'shared?';
    out = Buffer.concat([out, Buffer.from(data)]);
  }
  pad();
  out = Buffer.concat([out, Buffer.from(`070701${'0'.repeat(32)}00000001${'0'.repeat(48)}0000000b${'0'.repeat(8)}TRAILER!!!\0`)]);
  pad();
  return opts.plain ? out : gzipSync(out);
}

async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

test('stripped 07070X payload (crafted per rpm source; no rpm v6 package can be built here) extracts by file index', async () => {
  const r = await extractPayload(pkgHeader(), once(strippedPayload([0, 1, 2, 3, 5])), memoryContentStore());
  assert.equal(r.nevra, 'crafted-1-1.noarch');
  const text = async (i: number) => Buffer.from(await r.content.get(i)!.read()).toString();
  assert.equal(await text(1), 'shared!');
  assert.equal(r.content.get(1), r.content.get(2), 'hardlink members share one content');
  assert.equal(await text(5), '');
  assert.equal(r.content.has(4), false, 'ghost has no content');
  assert.equal(r.files[3]?.linkTo, 'a');
});

test('stripped payload: a digest mismatch fails', async () => {
  await assert.rejects(extractPayload(pkgHeader(), once(strippedPayload([0, 1, 2, 3, 5], { corruptDigest: true })), memoryContentStore()), RpmExtractError);
});

test('stripped payload: a listed file missing from the payload fails', async () => {
  await assert.rejects(extractPayload(pkgHeader(), once(strippedPayload([0, 1, 2, 3])), memoryContentStore()), /missing from the payload/);
});

test('stripped payload: an index outside the file list fails', async () => {
  const bad = strippedPayload([0, 1, 2, 3, 5, 9]);
  await assert.rejects(extractPayload(pkgHeader(), once(bad), memoryContentStore()), RpmExtractError);
});

test('a "gzip" payload that is plain cpio is read as rpm\'s gzdio reads it (transparently), in any chunking', async () => {
  const plain = strippedPayload([0, 1, 2, 3, 5], { plain: true });
  async function* bytewise(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < plain.length; i++) yield plain.subarray(i, i + 1);
  }
  for (const src of [once(plain), bytewise()]) {
    const r = await extractPayload(pkgHeader(), src, memoryContentStore());
    assert.equal(Buffer.from(await r.content.get(1)!.read()).toString(), 'shared!');
  }
});
