import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { makeDemoRepo } from '../../helpers/demo-repo.js';

const req = integration(onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), onPath('mksquashfs'), isRoot());

interface Result { manifestDigest: string; diffId: string; outputs: { kind: string; digest: string }[] }

test('two builds (stand-in resolver) in different dirs with umask 022/077 and TZ UTC/Asia/Tokyo are byte-identical', req, async () => {
  const repo = makeDemoRepo(mkdtempSync(join(tmpdir(), 'fexpod-demo-repo-')));
  const script = new URL('../../helpers/demo-build.js', import.meta.url).pathname;
  const dirs = [mkdtempSync(join(tmpdir(), 'fexpod-repro-a-')), mkdtempSync(join(tmpdir(), 'fexpod-repro-bb-'))];
  const runs = [{ umask: '022', tz: 'UTC' }, { umask: '077', tz: 'Asia/Tokyo' }];
  try {
    const results = runs.map((r, i) => {
      const out = join(dirs[i] ?? '', 'nested', 'out');
      const text = execFileSync('sh', ['-c', `umask ${r.umask} && exec node "$0" "$1" oci,oci-archive,erofs,squashfs,sbom "$2"`, script, out, repo.dir], {
        cwd: dirs[i], env: { ...process.env, TZ: r.tz }, encoding: 'utf8',
      });
      return JSON.parse(text) as Result;
    });
    const [a, b] = results;
    assert.ok(a && b);
    assert.equal(a.diffId, b.diffId);
    assert.equal(a.manifestDigest, b.manifestDigest);
    assert.deepEqual(a.outputs.map((o) => [o.kind, o.digest]), b.outputs.map((o) => [o.kind, o.digest]));
    assert.equal(a.outputs.length, 5);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  }
});
