import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { parseMetalink, parseMirrorlist } from '../../../src/builder/repo/metalink.js';
import { parseRepomd } from '../../../src/builder/repo/repomd.js';
import { parsePrimary } from '../../../src/builder/repo/primary.js';
import { MetadataError } from '../../../src/builder/repo/metadata-error.js';
import { readPrimary } from '../../../src/builder/repo/repo-sync.js';
import { checkFilelists, scanFilelistsText } from '../../../src/builder/repo/filelists.js';
import { metalinkXml } from '../../helpers/test-repo.js';
import { corpusDir } from '../../helpers/integration.js';

const testdata = () => join(corpusDir(), 'repos', 'createrepo_c-testdata');

test('metalink: MirrorManager shape gives hashes (current + alternates) and mirrors by preference', () => {
  const repomd = new TextEncoder().encode('<repomd/>');
  const xml = metalinkXml(repomd, ['https://a.example/f/repodata/repomd.xml', 'http://b.example/f/repodata/repomd.xml', 'rsync://c.example/f/repodata/repomd.xml'], ['ab'.repeat(32)]);
  const ml = parseMetalink(xml, 'metalink');
  assert.deepEqual(
    ml.repomdHashes.filter((h) => h.type === 'sha256').map((h) => h.value),
    [createHash('sha256').update(repomd).digest('hex'), 'ab'.repeat(32)],
  );
  assert.equal(ml.repomdSize, repomd.length);
  assert.deepEqual(ml.mirrors.map((m) => m.baseUrl), ['https://a.example/f/', 'http://b.example/f/']);
});

const badMetalinks = [
  { name: 'not XML', text: '<metalink', msg: /not valid XML/ },
  { name: 'HTML error page', text: '<html><body>502</body></html>', msg: /not a metalink/ },
  { name: 'no hashes', text: '<metalink><files><file name="repomd.xml"><resources><url protocol="https">https://a/repodata/repomd.xml</url></resources></file></files></metalink>', msg: /no sha256/ },
];
for (const c of badMetalinks) {
  test(`metalink: ${c.name} is a MetadataError`, () => {
    assert.throws(() => parseMetalink(c.text, 'ml'), (e: unknown) => e instanceof MetadataError && c.msg.test(e.message));
  });
}

test('mirrorlist: comments skipped, trailing slash added', () => {
  assert.deepEqual(parseMirrorlist('# c\nhttps://a/x\n\nhttp://b/y/\n', 'ml'), ['https://a/x/', 'http://b/y/']);
});

test('repomd: createrepo_c repo_01 lists primary, filelists, other', () => {
  const r = parseRepomd(readFileSync(join(testdata(), 'repo_01', 'repodata', 'repomd.xml'), 'utf8'), 'repomd.xml');
  assert.deepEqual([...r.entries.keys()].sort(), ['filelists', 'other', 'primary']);
  assert.equal(r.entries.get('primary')?.checksum.type, 'sha256');
  assert.match(r.entries.get('primary')?.location ?? '', /primary\.xml\.gz$/);
});

test('repomd: createrepo_c missing_type-repomd.xml fixture is a clear error', () => {
  const text = readFileSync(join(testdata(), 'modified_repo_files', 'missing_type-repomd.xml'), 'utf8');
  assert.throws(() => parseRepomd(text, 'missing_type-repomd.xml'), (e: unknown) => e instanceof MetadataError && /has no type attribute/.test(e.message) && /line \d+/.test(e.message));
});

// createrepo_c's modified metadata fixtures: errors are MetadataErrors with a position, warnings parse.
const primaryFixtures = [
  { file: 'error_00-primary.xml', error: /line 3 \(fake_bash\) has no <checksum>/ },
  { file: 'unknown_element_01-primary.xml', error: /declares 2 packages but holds 1/ },
  { file: 'long_primary.xml', packages: 2 },
  { file: 'multiple_warnings_00-primary.xml', packages: 2 },
  { file: 'repo_01_ampersand-primary.xml', packages: 1 },
  { file: 'unknown_element_00-primary.xml', packages: 2 },
  { file: 'unknown_element_02-primary.xml', packages: 2 },
];
for (const c of primaryFixtures) {
  test(`primary: createrepo_c fixture ${c.file} ${c.error ? 'fails clearly' : 'parses'}`, async () => {
    const run = parsePrimary(createReadStream(join(testdata(), 'modified_repo_files', c.file)), c.file);
    if (c.error) {
      await assert.rejects(run, (e: unknown) => e instanceof MetadataError && c.error.test(e.message));
    } else {
      assert.equal((await run).length, c.packages);
    }
  });
}

test('primary: every createrepo_c test repository parses (gz primary)', async () => {
  const dirs = readdirSync(testdata()).filter((d) => /^repo_/.test(d));
  assert.ok(dirs.length >= 5);
  for (const d of dirs) {
    const repodata = join(testdata(), d, 'repodata');
    const repomd = parseRepomd(readFileSync(join(repodata, 'repomd.xml'), 'utf8'), `${d}/repomd.xml`);
    const e = repomd.entries.get('primary')!;
    const pkgs = await readPrimary({ digest: { alg: 'sha256', hex: e.checksum.value }, path: join(testdata(), d, e.location), compression: 'gzip' }, e, `${d} primary`);
    const declared = Number(/packages="(\d+)"/.exec(execFileSync('gzip', ['-dc', join(testdata(), d, e.location)]).toString())?.[1]);
    assert.equal(pkgs.length, declared, d);
    for (const p of pkgs) assert.match(p.checksum.value, /^[0-9a-f]+$/);
  }
});

test('primary: real zstd repodata (zstd-custom) decompresses, matches open-checksum and parses', async () => {
  const dir = join(corpusDir(), 'repos', 'zstd-custom');
  const repomd = parseRepomd(readFileSync(join(dir, 'repodata', 'repomd.xml'), 'utf8'), 'zstd-custom');
  const e = repomd.entries.get('primary')!;
  const pkgs = await readPrimary({ digest: { alg: 'sha256', hex: e.checksum.value }, path: join(dir, e.location), compression: 'zstd' }, e, 'zstd-custom primary');
  assert.ok(pkgs.length > 0);
});

test('primary: a wrong open-checksum is caught', async () => {
  const dir = join(testdata(), 'repo_01');
  const repomd = parseRepomd(readFileSync(join(dir, 'repodata', 'repomd.xml'), 'utf8'), 'r');
  const e = repomd.entries.get('primary')!;
  const bad = { ...e, openChecksum: { type: 'sha256', value: '0'.repeat(64) } };
  await assert.rejects(readPrimary({ digest: { alg: 'sha256', hex: e.checksum.value }, path: join(dir, e.location), compression: 'gzip' }, bad, 'p'), /open-checksum/);
});

// createrepo_c's filelists fixtures: errors (no pkgid) are reported with the line, warnings pass.
const filelistsFixtures = [
  { file: 'error_00-filelists.xml', error: /<package> at line 3 \(fake_bash\) has no pkgid attribute/ },
  { file: 'no_pkgid-filelists.xml', error: /<package> at line 7 \(super_kernel\) has no pkgid attribute/ },
  { file: 'bad_file_type-filelists.xml' },
  { file: 'multiple_warnings_00-filelists.xml' },
  { file: 'repo_01_ampersand-filelists.xml' },
  { file: 'repo_02_different_order_filelists.xml' },
  { file: 'unknown_element_00-filelists.xml' },
  { file: 'unknown_element_01-filelists.xml' },
  { file: 'unknown_element_02-filelists.xml' },
];
for (const c of filelistsFixtures) {
  test(`filelists: createrepo_c fixture ${c.file} ${c.error ? 'fails clearly' : 'passes'}`, async () => {
    const path = join(testdata(), 'modified_repo_files', c.file);
    const run = checkFilelists({ digest: { alg: 'sha256', hex: '0'.repeat(64) }, path, compression: 'none' }, undefined, c.file);
    if (c.error) await assert.rejects(run, (e: unknown) => e instanceof MetadataError && c.error.test(e.message));
    else await run;
  });
}

test('filelists: a start tag split across stream chunks is still checked', () => {
  const r1 = scanFilelistsText('<filelists packages="1">\n<package name="a" arch="x86_64">', 0);
  assert.equal(r1.count, 1);
  assert.match(r1.problem ?? '', /line 2 \(a\) has no pkgid/);
});
