import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { paxRecord, tarChunks } from '../../../src/builder/layer/tar-writer.js';
import { canonicalEntries, compareTreePaths, type TreeEntry } from '../../../src/builder/tree/tree.js';
import { sampleTree } from './tar-sample.js';

const enc = new TextEncoder();
async function tarBytes(entries: TreeEntry[], sde: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of tarChunks(entries, { sourceDateEpoch: sde })) parts.push(c);
  return Buffer.concat(parts);
}

const paxCases = [
  { key: 'path', value: 'a', want: '9 path=a\n' },
  { key: 'path', value: 'x'.repeat(89), want: `98 path=${'x'.repeat(89)}\n` },
  { key: 'path', value: 'x'.repeat(90), want: `99 path=${'x'.repeat(90)}\n` },
  { key: 'path', value: 'x'.repeat(91), want: `101 path=${'x'.repeat(91)}\n` },
];
for (const c of paxCases) {
  test(`pax record length counts itself (${c.value.length}-byte value)`, () => {
    assert.equal(Buffer.from(paxRecord(c.key, enc.encode(c.value))).toString(), c.want);
  });
}

test('pax record keeps binary values byte for byte', () => {
  const v = Uint8Array.from([0, 0x0a, 0xff, 0x3d]);
  const r = paxRecord('SCHILY.xattr.security.capability', v);
  assert.deepEqual([...r.subarray(r.length - 5, r.length - 1)], [...v]);
  assert.equal(Buffer.from(r.subarray(0, 3)).toString(), `${r.length} `);
});

test('tar output is identical for the same tree in any input order', async () => {
  const a = await tarBytes(sampleTree(), 1_700_000_000);
  const b = await tarBytes(sampleTree().reverse(), 1_700_000_000);
  assert.equal(createHash('sha256').update(a).digest('hex'), createHash('sha256').update(b).digest('hex'));
  assert.equal(a.length % 512, 0);
});

test('tar headers: mtime clamped, empty uname/gname, ustar magic, checksum valid', async () => {
  const t = await tarBytes(sampleTree(), 1_700_000_000);
  let off = 0;
  let seen = 0;
  while (off < t.length) {
    const h = t.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    seen++;
    assert.equal(h.subarray(257, 265).toString('latin1'), 'ustar\u000000');
    assert.ok(h.subarray(265, 329).every((x) => x === 0), 'uname/gname empty');
    const mtime = parseInt(h.subarray(136, 147).toString(), 8);
    assert.ok(mtime <= 1_700_000_000);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
    assert.equal(parseInt(h.subarray(148, 154).toString(), 8), sum);
    const size = parseInt(h.subarray(124, 135).toString(), 8);
    const type = String.fromCharCode(h[156] ?? 0);
    if (type !== '3' && type !== '4') assert.ok(h.subarray(329, 345).every((x) => x === 0), 'no dev numbers');
    off += 512 + Math.ceil(size / 512) * 512;
  }
  assert.ok(seen >= 15);
});

test('canonical order puts parents first and the first hardlink member first', () => {
  const order = canonicalEntries(sampleTree());
  const paths = order.map((e) => e.path);
  assert.deepEqual(paths.slice(0, 3), ['dev', 'dev/fifo', 'dev/null']);
  const aa = order.find((e) => e.path === 'usr/bin/aa-link');
  const zz = order.find((e) => e.path === 'usr/bin/zz-link');
  assert.equal(aa?.type, 'file');
  assert.equal(zz?.type, 'hardlink');
  assert.equal(zz?.linkTarget, 'usr/bin/aa-link');
});

test('duplicate paths and dangling hardlinks are refused', () => {
  const base = { mode: 0o644, uid: 0, gid: 0, mtime: 0 };
  assert.throws(() => canonicalEntries([{ ...base, path: 'a', type: 'dir' }, { ...base, path: 'a', type: 'dir' }]));
  assert.throws(() => canonicalEntries([{ ...base, path: 'a', type: 'hardlink', linkTarget: 'b' }]));
});

/** The reference definition: segment-wise byte comparison. */
function slowCompare(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = Buffer.compare(Buffer.from(as[i] ?? ''), Buffer.from(bs[i] ?? ''));
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

test('compareTreePaths equals segment-wise UTF-8 byte order', () => {
  const names = ['a', 'a-b', 'a/b', 'a/b/c', 'a.b', 'ab', 'a/-', 'b', 'caf\u00e9', 'cafe', 'caf\uffff', 'caf\u{1f600}', 'z/\u00e9/x', 'z/e/x', 'A', '0', 'a/\u{10000}', 'a/\ue000'];
  for (const x of names) for (const y of names) {
    assert.equal(Math.sign(compareTreePaths(x, y)), Math.sign(slowCompare(x, y)), `${x} vs ${y}`);
  }
});
