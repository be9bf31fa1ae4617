/**
 * A package built here with rpmbuild that has every feature extraction must
 * get right (setuid, %caps, hardlinks, %ghost, %doc, %lang, a >100-byte path,
 * a symlink), in gzip, xz, bzip2 and zstd payloads; then a small install of
 * several packages (owners through the tree's passwd, /lib64 symlink, conflicts)
 * and its tar stream checked by GNU tar.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { memoryContentStore } from '../../../src/builder/tree/content-store.js';
import { FileConflictError, installPackages, installRpmFiles } from '../../../src/builder/tree/install.js';
import { extractRpmFile, RpmExtractError } from '../../../src/builder/rpm/rpm-extract.js';
import { parseRpmHeaders, RpmTag } from '../../../src/builder/rpm/rpm-header.js';
import { payloadChunks } from '../../../src/builder/rpm/rpm-payload.js';
import { decompress as fzstdDecompress } from 'fzstd';
import { tarChunks } from '../../../src/builder/layer/tar-writer.js';
import type { Tree } from '../../../src/builder/tree/tree.js';
import { corpusDir, integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDir, listTree, oracleExtract } from './extract-oracle.js';
import { buildFixture, PAYLOADS } from './rpmbuild-fixtures.js';

const req = integration(onPath('rpmbuild'), onPath('rpm2cpio'), onPath('cpio'), onPath('tar'), isRoot());
const LONG = 'usr/share/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/cccccccccccccccccccccccccccccccccccccccccccccccccc.txt';
let work = '';
const built = new Map<string, string>();

before(() => {
  if (req.skip) return;
  work = mkdtempSync(join(tmpdir(), 'fexpod-rpmbuild-'));
  for (const p of PAYLOADS) built.set(p.name, buildFixture('fexpod-extract-test.spec', join(work, p.name), p.macro));
  built.set('setup', buildFixture('fexpod-setup.spec', join(work, 'setup')));
  built.set('lib64-user', buildFixture('fexpod-lib64-user.spec', join(work, 'lib64-user')));
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function corpusRpms(): string[] {
  const dir = join(corpusDir(), 'rpms');
  return readdirSync(dir).filter((f) => f.endsWith('.rpm')).sort().map((f) => join(dir, f));
}

function rpmOf(name: string): string {
  const r = built.get(name);
  assert.ok(r, `fixture ${name} was not built`);
  return r;
}

const opts = { docs: true, langs: 'all' as const, sourceDateEpoch: 1_700_000_000 };

for (const p of PAYLOADS) {
  test(`${p.name} payload: extraction equals rpm2cpio | cpio`, req, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-oracle-'));
    try {
      oracleExtract(rpmOf(p.name), dir);
      const want = listDir(dir);
      const { tree } = await installRpmFiles([rpmOf(p.name)], { ...opts, onConflict: 'report' }, memoryContentStore());
      const got = await listTree(tree);
      // cpio creates no %ghost and gives implicit parents its own modes; compare listed files.
      for (const [path, v] of want.entries) if (got.entries.get(path) !== v) assert.equal(got.entries.get(path), v, path);
      assert.deepEqual(got.links, want.links);
      assert.deepEqual(got.links, ['usr/bin/hl-a,usr/bin/hl-b,usr/bin/hl-c']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${p.name} payload: setuid, capability, ghost, doc, long path, symlink, empty file`, req, async () => {
    const { tree, report } = await installRpmFiles([rpmOf(p.name)], opts, memoryContentStore());
    const e = (path: string) => tree.get(path);
    assert.equal(e('usr/bin/suid')?.mode, 0o4755);
    assert.equal(Buffer.from(e('usr/bin/capped')?.xattrs?.['security.capability'] ?? []).toString('hex'), '0100000200200000000000000000000000000000');
    assert.equal(e('var/log/ghost.log'), undefined, '%ghost files are not created');
    assert.equal(e('var/lib/fexpodtest')?.mode, 0o750);
    assert.equal(e('usr/share/doc/x/README')?.type, 'file');
    assert.equal(e('usr/bin/link')?.linkTarget, 'suid');
    assert.equal(e('usr/bin/empty')?.content?.size, 0);
    assert.equal(e(LONG)?.mode, 0o640);
    assert.equal(e('var/log'), undefined, 'no parents for %ghost files');
    assert.equal(e('usr/share/locale')?.mode, 0o755, 'implicit parent');
    assert.equal(report.skipped.ghost, 1);
    // No passwd in this tree: unknown names are reported and mapped to root.
    assert.deepEqual([...new Set(report.unknownOwners.map((u) => `${u.kind}:${u.name}`))].sort(), ['group:mail', 'user:fexpodu']);
  });
}

test('docs and languages are filtered as configured', req, async () => {
  const { tree, report } = await installRpmFiles([rpmOf('zstd')], { ...opts, docs: false, langs: ['de'] }, memoryContentStore());
  assert.equal(tree.get('usr/share/doc/x/README'), undefined);
  assert.equal(tree.get('usr/share/locale/fr/LC_MESSAGES/t.mo'), undefined);
  assert.equal(tree.get('usr/share/locale/de/LC_MESSAGES/t.mo')?.type, 'file');
  assert.deepEqual(report.skipped, { ghost: 1, doc: 1, lang: 1, socket: 0 });
});

test('owners map through the tree\'s own passwd/group; /lib64 paths follow the symlink', req, async () => {
  const store = memoryContentStore();
  const pkgs = [await extractRpmFile(rpmOf('setup'), store), await extractRpmFile(rpmOf('zstd'), store)];
  const { tree, report } = await installPackages(pkgs, opts);
  assert.deepEqual(report.unknownOwners, []);
  assert.equal(tree.get(LONG)?.uid, 321);
  assert.equal(tree.get(LONG)?.gid, 12);
  assert.equal(tree.get('var/lib/fexpodtest')?.gid, 12);
  assert.equal(tree.get('lib64')?.type, 'symlink');
});

test('file conflicts are reported with both packages; identical files are not conflicts', req, async () => {
  const store = memoryContentStore();
  const pkgs = [
    await extractRpmFile(rpmOf('setup'), store),
    await extractRpmFile(rpmOf('zstd'), store),
    await extractRpmFile(rpmOf('lib64-user'), store),
  ];
  await assert.rejects(installPackages(pkgs, opts), (err: unknown) => {
    assert.ok(err instanceof FileConflictError);
    assert.deepEqual(err.conflicts.map((c) => [c.path, ...c.packages]), [
      ['usr/bin/link', 'fexpod-extract-test-1.0-1.noarch', 'fexpod-lib64-user-1.0-1.noarch'],
    ]);
    return true;
  });
  const { tree, report } = await installPackages(pkgs, { ...opts, onConflict: 'report' });
  assert.equal(report.conflicts.length, 1);
  assert.equal(tree.get('usr/bin/link')?.linkTarget, 'elsewhere', 'later package wins when conflicts are allowed');
  assert.equal(tree.get('usr/lib64/libfexpod.so.1')?.type, 'file', '/lib64/x lands in usr/lib64');
  assert.equal(tree.get('lib64/libfexpod.so.1'), undefined);
});

async function tarFile(tree: Tree, file: string): Promise<void> {
  const parts: Uint8Array[] = [];
  for await (const c of tarChunks(tree.values(), { sourceDateEpoch: 1_700_000_000 })) parts.push(c);
  writeFileSync(file, Buffer.concat(parts));
}

test('installed tree as a tar: GNU tar extracts it with owners, modes, caps and hardlinks', req, async () => {
  const store = memoryContentStore();
  const pkgs = [await extractRpmFile(rpmOf('setup'), store), await extractRpmFile(rpmOf('xz'), store)];
  const { tree } = await installPackages(pkgs, opts);
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-tarx-'));
  try {
    await tarFile(tree, join(dir, 'l.tar'));
    const x = join(dir, 'x');
    spawnSync('mkdir', [x]);
    const t = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', join(dir, 'l.tar'), '-C', x], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    const st = spawnSync('stat', ['-c', '%n %a %u %g %h', ...['usr/bin/suid', 'usr/bin/hl-b', LONG].map((p) => join(x, p))], { encoding: 'utf8' });
    assert.equal(st.stdout.replaceAll(`${x}/`, ''), `usr/bin/suid 4755 0 0 1\nusr/bin/hl-b 644 0 0 3\n${LONG} 640 321 12 1\n`);
    const cap = spawnSync('getfattr', ['-n', 'security.capability', '-e', 'hex', join(x, 'usr/bin/capped')], { encoding: 'utf8' });
    assert.match(cap.stdout, /=0x0100000200200000000000000000000000000000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reproducible tar: same RPMs give the same sha256 under different umask, TZ and temp dir', req, () => {
  const main = new URL('./tar-digest-main.js', import.meta.url).pathname;
  const rpms = [rpmOf('setup'), rpmOf('zstd'), rpmOf('lib64-user'), ...corpusRpms()];
  const runs = [
    { umask: '022', tz: 'UTC', tmp: mkdtempSync(join(tmpdir(), 'fexpod-repro-a-')) },
    { umask: '077', tz: 'Pacific/Chatham', tmp: mkdtempSync(join('/var/tmp', 'fexpod-repro-b-')) },
  ];
  const digests = runs.map((r) => {
    try {
      const out = spawnSync('sh', ['-c', `umask ${r.umask}; exec "$0" "$@"`, process.execPath, main, '1700000000', ...rpms], {
        encoding: 'utf8',
        env: { ...process.env, TZ: r.tz, TMPDIR: r.tmp },
      });
      assert.equal(out.status, 0, out.stderr);
      return out.stdout.trim();
    } finally {
      rmSync(r.tmp, { recursive: true, force: true });
    }
  });
  assert.match(digests[0] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(digests[0], digests[1]);
});

test('an uncompressed package has no PAYLOADCOMPRESSOR tag (what rpmbuild writes for w.ufdio)', req, () => {
  const pkg = parseRpmHeaders(readFileSync(rpmOf('uncompressed')));
  assert.equal(pkg.header.has(RpmTag.PAYLOADCOMPRESSOR), false);
});

test('extraction errors name the package, not the cache file it sits in', req, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-extract-err-'));
  try {
    for (const name of ['zstd', 'uncompressed']) {
      const bytes = Buffer.from(readFileSync(rpmOf(name)));
      const pkg = parseRpmHeaders(bytes);
      // a cache blob is named by its sha256; damage the payload's middle
      const blob = join(dir, createHash('sha256').update(bytes).digest('hex'));
      const mid = pkg.ranges.payloadOffset + Math.floor((bytes.length - pkg.ranges.payloadOffset) / 2);
      bytes.fill(0x55, mid, mid + 16);
      writeFileSync(blob, bytes);
      await assert.rejects(extractRpmFile(blob, memoryContentStore()), (e: unknown) => {
        assert.ok(e instanceof RpmExtractError, String(e));
        assert.match(e.message, /^fexpod-extract-test-1\.0-1\.noarch: /, name);
        assert.ok(!e.message.includes(blob), `${name}: ${e.message}`);
        assert.ok(e.fix, `${name}: a fix is given`);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('zstd payload: the decompressed payload equals fzstd\'s decoding of the same bytes', req, async () => {
  const bytes = readFileSync(rpmOf('zstd'));
  const pkg = parseRpmHeaders(bytes);
  const parts: Uint8Array[] = [];
  for await (const c of payloadChunks(pkg.header, (async function* () { yield bytes.subarray(pkg.ranges.payloadOffset); })())) parts.push(c);
  const ours = Buffer.concat(parts);
  assert.ok(ours.length > 0);
  assert.ok(Buffer.from(fzstdDecompress(bytes.subarray(pkg.ranges.payloadOffset))).equals(ours));
});

test('a truncated payload is an error for every compressor', req, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-trunc-'));
  try {
    for (const name of ['zstd', 'xz', 'gzip', 'bzip2', 'uncompressed']) {
      const bytes = readFileSync(rpmOf(name));
      const cut = join(dir, `${name}.rpm`);
      writeFileSync(cut, bytes.subarray(0, bytes.length - 40));
      await assert.rejects(extractRpmFile(cut, memoryContentStore()), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
