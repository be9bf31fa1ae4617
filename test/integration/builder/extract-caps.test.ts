/**
 * File capabilities as rpm writes them: `rpm -i --root` (as root, scripts off) installs a package
 * into a temp root, `getfattr` reads each file's security.capability, and fexpod's tree must
 * carry the same bytes (or none) for every file. The package is built here with rpmbuild from
 * test/fixtures/rpm/fexpod-capstest.spec: FILECAPS "=" twice (%caps(=) and %caps(), an empty
 * set, which rpm still writes), "cap_net_raw=ep", and no FILECAPS.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryContentStore } from '../../../src/builder/tree/content-store.js';
import { installRpmFiles } from '../../../src/builder/tree/install.js';
import { RpmFileFlag } from '../../../src/builder/rpm/rpm-files.js';
import { extractRpmFile } from '../../../src/builder/rpm/rpm-extract.js';
import { integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';

const req = integration(onPath('rpm'), onPath('rpmbuild'), onPath('getfattr'), isRoot());

let buildDir = '';
/** fexpod-capstest built with rpmbuild into a temp dir (once per run). */
function capstest(): string {
  if (buildDir) return join(buildDir, 'RPMS', 'noarch', readdirSync(join(buildDir, 'RPMS', 'noarch'))[0]!);
  buildDir = mkdtempSync(join(tmpdir(), 'fexpod-capstest-'));
  const spec = join(repoRoot(), 'test', 'fixtures', 'rpm', 'fexpod-capstest.spec');
  const r = spawnSync('rpmbuild', ['-bb', '--define', `_topdir ${buildDir}`, '--define', '_buildhost fexpod.invalid', spec], {
    encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: '1767225600' },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return capstest();
}

/** security.capability of a file as hex, or undefined when it has none. */
function capOf(path: string): string | undefined {
  const r = spawnSync('getfattr', ['--absolute-names', '-n', 'security.capability', '-e', 'hex', path], { encoding: 'utf8' });
  const m = /security\.capability=0x([0-9a-f]+)/.exec(r.stdout);
  return m?.[1];
}

const packages = [{ name: 'fexpod-capstest (FILECAPS "=" twice, cap_net_raw=ep, and none)', file: capstest, capped: 3, empty: 2 }];

for (const c of packages) {
  test(`security.capability equals what rpm -i writes: ${c.name}`, req, async () => {
    const root = mkdtempSync(join(tmpdir(), 'fexpod-rpm-root-'));
    try {
      const file = c.file();
      const r = spawnSync('rpm', ['--root', root, '--dbpath', join(root, 'rpmdb'), '-i', '--nodeps', '--noscripts', '--nosignature', '--ignorearch', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const pkg = await extractRpmFile(file, memoryContentStore());
      const { tree } = await installRpmFiles([file], { docs: true, langs: 'all', sourceDateEpoch: 0 }, memoryContentStore());
      assert.equal(pkg.files.filter((f) => f.caps === '=').length, c.empty, 'files whose FILECAPS is "="');
      let capped = 0;
      for (const f of pkg.files) {
        if (f.flags & RpmFileFlag.GHOST) continue;
        const path = f.path.replace(/^\/+/, '');
        const want = capOf(join(root, path));
        const got = tree.get(path)?.xattrs?.['security.capability'];
        assert.equal(got ? Buffer.from(got).toString('hex') : undefined, want, `/${path} (FILECAPS "${f.caps}")`);
        if (want !== undefined) capped++;
      }
      assert.equal(capped, c.capped, 'files rpm gave a capability xattr');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}

after(() => {
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});
