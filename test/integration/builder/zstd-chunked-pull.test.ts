/**
 * zstd:chunked end to end: fexpod writes two images that differ in one file
 * as zstd:chunked OCI layouts, skopeo pushes them to the real registry
 * (Debian's docker-registry on loopback, behind a byte-counting proxy), Podman
 * pulls both into a private store with partial pulls enabled and runs the
 * second. The second pull must fetch a small part of its layer: the TOC and
 * the changed file, by HTTP range requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/common/log.js';
import { processRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { bufferContent, type TreeEntry } from '../../../src/builder/tree/tree.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { hostArch } from '../../helpers/sample-tree.js';
import { sampleTree } from '../../helpers/sample-tree.js';
import { partialPullStore, startRegistry } from '../../helpers/local-registry.js';

const req = integration(onPath('podman'), onPath('skopeo'), onPath('docker-registry'), isRoot());
const SDE = 1_700_000_000;
const run = promisify(execFile);

async function image(dir: string, extra: TreeEntry[]): Promise<{ layout: string; layerSize: number }> {
  const result = await writeOutputs(
    {
      entries: [...sampleTree(), ...extra], formats: ['oci'], outDir: dir, names: defaultOutputNames('chunked'), arch: hostArch(), sourceDateEpoch: SDE,
      image: { refName: 'chunked:latest', createdBy: 'fexpod test', cmd: ['/bin/sh'] },
      layer: { compression: 'zstd:chunked' },
    },
    { runner: processRunner, privileged: true, pageSize: 4096, env: process.env, log: silentLogger },
  );
  return { layout: join(dir, 'chunked.oci'), layerSize: result.layer?.size ?? 0 };
}

test('zstd:chunked: pushed with skopeo, Podman pulls the second image partially and runs it', req, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'fexpod-chunked-'));
  const registry = await startRegistry();
  const store = partialPullStore();
  // async: the counting proxy runs in this process and must keep serving
  const podman = async (args: string[]) =>
    (await run('podman', ['--cgroup-manager', 'cgroupfs', '--runtime', 'runc', ...args], { env: store.env, maxBuffer: 16 << 20 })).stdout;
  try {
    // 4 MB that both images share (random: does not compress), and one file that differs
    const shared = randomBytes(4 << 20);
    const file = (path: string, data: Uint8Array): TreeEntry => ({ path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: SDE, content: bufferContent(data) });
    const dir: TreeEntry = { path: 'usr/lib64', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: SDE };
    const a = await image(join(work, 'a'), [dir, file('usr/lib64/shared.bin', shared), file('usr/share/release.txt', Buffer.from('release 1\n'))]);
    const b = await image(join(work, 'b'), [dir, file('usr/lib64/shared.bin', shared), file('usr/share/release.txt', Buffer.from('release 2\n'))]);
    const manifest = JSON.parse(readFileSync(join(b.layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.ok(manifest.manifests[0]);
    for (const [name, img] of [['1', a], ['2', b]] as const) {
      await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${img.layout}:chunked:latest`, `docker://${registry.host}/fexpod/chunked:${name}`]);
    }
    registry.reset();
    await podman(['pull', '-q', '--tls-verify=false', `${registry.host}/fexpod/chunked:1`]);
    const first = registry.blobBytes();
    registry.reset();
    await podman(['pull', '-q', '--tls-verify=false', `${registry.host}/fexpod/chunked:2`]);
    const second = registry.blobBytes();
    const out = await podman(['run', '--rm', `${registry.host}/fexpod/chunked:2`, '/bin/sh', '-c', 'cat /usr/share/release.txt; sha256sum /usr/lib64/shared.bin | cut -c1-16']);
    const sha = execFileSync('sha256sum', { input: shared }).toString().slice(0, 16);
    assert.equal(out, `release 2\n${sha}\n`);
    t.diagnostic(`first pull: ${first} blob bytes; second pull: ${second} of a ${b.layerSize}-byte layer`);
    assert.ok(first > 4 << 20, `first pull fetched ${first} bytes (the whole content)`);
    assert.ok(second < b.layerSize / 4, `second pull fetched ${second} bytes of a ${b.layerSize}-byte layer: partial`);
  } finally {
      store.close();
    await registry.close();
    rmSync(work, { recursive: true, force: true });
  }
});
