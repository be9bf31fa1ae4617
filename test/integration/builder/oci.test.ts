import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { sampleOutputs, hostArch } from '../../helpers/sample-tree.js';

const req = integration(onPath('podman'), onPath('skopeo'), isRoot());

function podman(args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('oci-archive: podman load accepts it and the container runs (native busybox tree)', req, async () => {
  const { dir, result } = await sampleOutputs(['oci', 'oci-archive']);
  const tag = `localhost/fexpod-oci-test-${process.pid}:latest`;
  try {
    const loaded = podman(['load', '-q', '-i', join(dir, 'sample.oci.tar')]);
    assert.match(loaded, /localhost\/sample:latest/);
    podman(['tag', 'localhost/sample:latest', tag]);
    podman(['rmi', 'localhost/sample:latest']);
    const out = podman(['run', '--rm', tag, '/bin/sh', '-c', 'uname -m; cat /usr/share/hello.txt; stat -c "%a %u:%g" /usr/bin/suid-tool /var/lib/games/score']);
    assert.equal(out, `${execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim()}\nhello from fexpod\n4755 0:0\n664 12:20\n`);
    const inspect = JSON.parse(podman(['image', 'inspect', tag])) as { Architecture: string; Created: string }[];
    assert.equal(inspect[0]?.Architecture, hostArch().oci.architecture);
    assert.equal(inspect[0]?.Created, '2023-11-14T22:15:00Z');
    assert.ok(result.manifestDigest.startsWith('sha256:'));
  } finally {
    try { podman(['rmi', '-f', tag]); } catch { /* not loaded */ }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OCI layout: skopeo inspects and copies it into containers-storage, and it runs', req, async () => {
  const { dir, result } = await sampleOutputs(['oci']);
  const tag = `localhost/fexpod-oci-skopeo-${process.pid}:latest`;
  try {
    const layout = join(dir, 'sample.oci');
    assert.equal(readFileSync(join(layout, 'oci-layout'), 'utf8'), '{"imageLayoutVersion":"1.0.0"}');
    const info = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${layout}:sample:latest`], { encoding: 'utf8' })) as { Digest: string; Architecture: string };
    assert.equal(info.Digest, result.manifestDigest);
    assert.equal(info.Architecture, hostArch().oci.architecture);
    execFileSync('skopeo', ['copy', '-q', `oci:${layout}:sample:latest`, `containers-storage:${tag}`]);
    assert.equal(podman(['run', '--rm', tag, 'cat', '/usr/share/hello-hardlink.txt']), 'hello from fexpod\n');
  } finally {
    try { podman(['rmi', '-f', tag]); } catch { /* not copied */ }
    rmSync(dir, { recursive: true, force: true });
  }
});
