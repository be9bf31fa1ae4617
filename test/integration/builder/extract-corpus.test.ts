/**
 * Acceptance: extracting every corpus RPM and every createrepo_c test package
 * gives what `rpm2cpio | cpio -idm` gives — names, types, modes, symlink
 * targets, hardlink sets and contents.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryContentStore } from '../../../src/builder/tree/content-store.js';
import { installPackages } from '../../../src/builder/tree/install.js';
import { extractRpmFile } from '../../../src/builder/rpm/rpm-extract.js';
import { RpmFileFlag } from '../../../src/builder/rpm/rpm-files.js';
import { corpusDir, integration, isRoot, onPath } from '../../helpers/integration.js';
import { listDir, listTree, oracleExtract } from './extract-oracle.js';

function rpmsUnder(dir: string): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return out;
  }
  for (const n of names) if (n.endsWith('.rpm')) out.push(join(dir, n));
  return out.sort();
}

const corpus = [...rpmsUnder(join(corpusDir(), 'rpms')), ...rpmsUnder(join(corpusDir(), 'repos', 'createrepo_c-testdata'))];

test('the corpus has RPMs to check', () => {
  assert.ok(corpus.length >= 15, `found ${corpus.length} RPMs under ${corpusDir()}`);
});

for (const rpm of corpus) {
  const name = rpm.slice(corpusDir().length + 1);
  test(`extraction of ${name} equals rpm2cpio | cpio`, integration(onPath('rpm2cpio'), onPath('cpio'), isRoot()), async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fexpod-oracle-'));
    try {
      oracleExtract(rpm, dir);
      const want = listDir(dir);
      const pkg = await extractRpmFile(rpm, memoryContentStore());
      const { tree } = await installPackages([pkg], { docs: true, langs: 'all', sourceDateEpoch: 0, onConflict: 'report' });
      const got = await listTree(tree);
      // Every file the header lists (not %ghost) must match; directories cpio
      // creates implicitly (not in the payload) are only checked for existence.
      const listed = new Set(pkg.files.filter((f) => !(f.flags & RpmFileFlag.GHOST)).map((f) => f.path.replace(/^\.?\/+/, '')));
      for (const [p, v] of want.entries) {
        if (listed.has(p)) assert.equal(got.entries.get(p), v, `${p}`);
        else assert.ok(got.entries.has(p), `${p} (implicit) missing`);
      }
      for (const p of got.entries.keys()) assert.ok(want.entries.has(p), `${p} is extra`);
      assert.deepEqual(got.links, want.links, 'hardlink sets');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
