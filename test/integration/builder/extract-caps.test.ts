/**
 * File capabilities as rpm writes them: `rpm -i --root` (as root, scripts off) installs a package
 * into a temp root, `getfattr` reads each file's security.capability, and fexpod's tree must
 * carry the same bytes (or none) for every file. rpm's own capstest package has FILECAPS "="
 * (an empty set, which rpm still writes), and no FILECAPS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryContentStore } from '../../../src/builder/content-store.js';
import { installRpmFiles } from '../../../src/builder/install.js';
import { RpmFileFlag } from '../../../src/builder/rpm-files.js';
import { extractRpmFile } from '../../../src/builder/rpm-extract.js';
import { integration, isRoot, onPath, repoRoot } from '../../helpers/integration.js';

const req = integration(onPath('rpm'), onPath('getfattr'), isRoot());

/** security.capability of a file as hex, or undefined when it has none. */
function capOf(path: string): string | undefined {
  const r = spawnSync('getfattr', ['--absolute-names', '-n', 'security.capability', '-e', 'hex', path], { encoding: 'utf8' });
  const m = /security\.capability=0x([0-9a-f]+)/.exec(r.stdout);
  return m?.[1];
}

const packages = [{ name: 'capstest (FILECAPS "=" twice, and none)', file: join(repoRoot(), 'test', 'fixtures', 'rpm', 'capstest-1.0-1.noarch.rpm'), capped: 2 }];

for (const c of packages) {
  test(`security.capability equals what rpm -i writes: ${c.name}`, req, async () => {
    const root = mkdtempSync(join(tmpdir(), 'fexpod-rpm-root-'));
    try {
      const r = spawnSync('rpm', ['--root', root, '--dbpath', join(root, 'rpmdb'), '-i', '--nodeps', '--noscripts', '--nosignature', '--ignorearch', c.file], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const pkg = await extractRpmFile(c.file, memoryContentStore());
      const { tree } = await installRpmFiles([c.file], { docs: true, langs: 'all', sourceDateEpoch: 0 }, memoryContentStore());
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
