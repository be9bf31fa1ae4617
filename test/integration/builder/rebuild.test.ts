/**
 * Instant rebuilds and their guards: an unchanged build reuses its verified
 * outputs; a damaged output is noticed (re-hashed) and rebuilt, with every
 * package taken from the extraction cache; the parallel gzip layer is the
 * same with one worker and with several.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/common/log.js';
import { processRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { demoSetup, parseBuildJson, runFexpod, tempDir } from '../../helpers/demo-build.js';
import { hostArch, sampleTree } from '../../helpers/sample-tree.js';

const req = integration(onPath('rpmbuild'), onPath('createrepo_c'), onPath('mkfs.erofs'), isRoot());

test('rebuild: unchanged inputs reuse the verified outputs; a damaged output is rebuilt from the extraction cache', req, async () => {
  const demo = await demoSetup();
  const work = tempDir('rebuild');
  const build = (...extra: string[]) =>
    runFexpod(['build', demo.defFile, '--repo', demo.repoArg, '--format', 'oci,erofs,sbom', '-o', join(work, 'out'), '--cache-dir', join(work, 'cache'), '--json', '--verbose', ...extra]);
  try {
    const first = await build();
    const a = parseBuildJson(first.stdout);
    assert.match(first.stderr, /extract: 5 packages extracted, 0 reused/);

    const second = await build();
    const b = JSON.parse(second.stdout) as { reused?: boolean; manifestDigest: string; outputs: unknown };
    assert.equal(b.reused, true);
    assert.equal(b.manifestDigest, a.manifestDigest);
    assert.deepEqual(b.outputs, a.outputs);
    assert.match(second.stderr, /reuse: 8 output files verified/);
    assert.doesNotMatch(second.stderr, /"step":"fetch/);

    // one byte of the EroFS image changes: noticed, and everything is made again
    const erofs = a.outputs.find((o) => o.kind === 'erofs')?.path ?? '';
    const fd = openSync(erofs, 'r+');
    writeSync(fd, Buffer.from([0x5a]), 0, 1, 4096);
    closeSync(fd);
    const third = await build();
    const c = JSON.parse(third.stdout) as { reused?: boolean; outputs: { kind: string; digest: string }[] };
    assert.equal(c.reused, undefined);
    assert.match(third.stderr, /reuse: demo\.erofs changed/);
    assert.match(third.stderr, /extract: 0 packages extracted, 5 reused/);
    assert.deepEqual(c.outputs.map((o) => [o.kind, o.digest]), a.outputs.map((o) => [o.kind, o.digest]));

    // --rebuild builds even so
    const fourth = JSON.parse((await build('--rebuild')).stdout) as { reused?: boolean; manifestDigest: string };
    assert.equal(fourth.reused, undefined);
    assert.equal(fourth.manifestDigest, a.manifestDigest);
  } finally {
    rmSync(work, { recursive: true, force: true });
    await demo.close();
  }
});

for (const compression of ['gzip', 'zstd', 'zstd:chunked'] as const) {
  test(`${compression} layer: identical bytes with 1 and with 3 compression workers`, async () => {
    const digests: string[] = [];
    for (const workers of [1, 3]) {
      const dir = tempDir('workers');
      try {
        const r = await writeOutputs(
          {
            entries: sampleTree(), formats: ['oci'], outDir: dir, names: defaultOutputNames('w'), arch: hostArch(), sourceDateEpoch: 1_700_000_000,
            image: { refName: 'w:1', createdBy: 'test' }, layer: { compression },
          },
          { runner: processRunner, privileged: false, pageSize: 4096, env: process.env, log: silentLogger, workers },
        );
        digests.push(`${r.layer?.digest} ${r.manifestDigest}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    assert.equal(digests[0], digests[1]);
  });
}
