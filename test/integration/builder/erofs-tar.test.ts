/**
 * EroFS without a staging tree, with the REAL erofs-utils 1.8.6 (built beside
 * Debian 12's 1.5 by scripts/build-erofs-utils.sh) first on PATH: mkfs.erofs
 * --tar=f reads the layer's tar stream, --workers compresses on every core.
 * Checked against the 1.5 staging-tree path (the fallback, Debian's own
 * mkfs.erofs on PATH): fsck.erofs 1.8.6 passes on both, the trees are equal
 * (mounted by the real erofsfuse 1.8.6, extracted by fsck.erofs --extract,
 * loop-mounted), each path is reproducible on its own, and the instant-rebuild
 * key changes with the mkfs.erofs that makes the image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { processRunner, type CommandRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { integration, isRoot, onPath } from '../../helpers/integration.js';
import { demoSetup, parseBuildJson, runFexpod, tempDir } from '../../helpers/demo-build.js';
import { erofsTool, erofsUtils18, withErofsUtils18 } from '../../helpers/erofs-utils.js';
import { hostArch, sampleTree, SAMPLE_EPOCH, fileSha256, withLoopMount } from '../../helpers/sample-tree.js';
import { listDirectory, listTar, normalized } from '../../helpers/tree-listing.js';
import { layerTar } from '../../../src/builder/layer/tar-writer.js';
import { rootDirHeader, writeErofs } from '../../../src/builder/outputs/erofs.js';
import { treeDigest } from '../../../src/builder/tree/tree.js';

const req = integration(erofsUtils18(), onPath('mkfs.erofs'), onPath('rpmbuild'), onPath('createrepo_c'), onPath('fusermount3'), isRoot());

/** Mounts an image with the real erofsfuse 1.8.6, runs fn on the mount point, unmounts. */
async function withErofsfuse<T>(image: string, fn: (mnt: string) => Promise<T>): Promise<T> {
  const mnt = mkdtempSync(join(tmpdir(), 'fexpod-erofsfuse-'));
  execFileSync(erofsTool('erofsfuse'), [image, mnt], { stdio: 'ignore' });
  try {
    return await fn(mnt);
  } finally {
    execFileSync('fusermount3', ['-u', mnt]);
    rmdirSync(mnt);
  }
}

/** fsck.erofs 1.8.6: the image checks, and its tree extracted (owners kept: we are root). */
function fsckExtract(image: string, into: string): void {
  execFileSync(erofsTool('fsck.erofs'), [`--extract=${into}`, '--preserve', image], { stdio: 'pipe' });
}

function capabilityOf(path: string): string {
  return execFileSync('getfattr', ['-h', '-n', 'security.capability', '-e', 'hex', path], { encoding: 'utf8' });
}

/** Runs the real mkfs.erofs, hashing the stdin it is fed on the way (what it read is the layer tar). */
function stdinHashing(seen: string[]): CommandRunner {
  return {
    run(file, args, opts) {
      const input = opts?.input;
      if (!input || input instanceof Uint8Array || file !== 'mkfs.erofs') return processRunner.run(file, args, opts);
      const h = createHash('sha256');
      async function* tee(): AsyncIterable<Uint8Array> {
        for await (const c of input as AsyncIterable<Uint8Array>) {
          h.update(c);
          yield c;
        }
        seen.push(`sha256:${h.digest('hex')}`);
      }
      return processRunner.run(file, args, { ...opts, input: tee() });
    },
  };
}

async function sampleErofs(env: Readonly<Record<string, string | undefined>>, workers: number, runner: CommandRunner = processRunner) {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-erofs18-'));
  const log = memoryLogger();
  const r = await writeOutputs(
    { entries: sampleTree({ xattrs: true }), formats: ['erofs'], outDir: dir, names: defaultOutputNames('sample'), arch: hostArch(), sourceDateEpoch: SAMPLE_EPOCH, image: { refName: 's:1', createdBy: 't' } },
    { runner, privileged: true, pageSize: 4096, env, log, workers },
  );
  return { dir, image: join(dir, 'sample.erofs'), result: r, log };
}

test('erofs-utils 1.8.6 --tar (sample tree: xattrs, hardlink, setuid, long path): fsck passes, the tree mounted by the real erofsfuse equals the layer and the 1.5 staging-tree image, same bytes with 1 and 2 workers and as 1.8.6 from a staging tree', req, async () => {
  const seen: string[] = [];
  const builds = [
    await sampleErofs(withErofsUtils18(), 2, stdinHashing(seen)),
    await sampleErofs(withErofsUtils18(), 1),
    await sampleErofs(process.env, 2), // Debian 12's 1.5: the staging tree
  ];
  const [tar2, tar1, staged] = builds;
  assert.ok(tar2 && tar1 && staged);
  try {
    const said = tar2.log.lines.find((l) => l.startsWith('debug: erofs:')) ?? '';
    assert.match(said, /erofs-utils-1\.8\.6\/bin\/mkfs\.erofs \(mkfs\.erofs \(erofs-utils\) 1\.8\.6\): mkfs\.erofs --tar=f reads the layer's tar stream \(no staging tree, 2 workers\)/);
    assert.match(staged.log.lines.find((l) => l.startsWith('debug: erofs:')) ?? '', /\/usr\/bin\/mkfs\.erofs \(mkfs\.erofs 1\.5\): this mkfs\.erofs has no --tar .* writing a staging tree/);
    const layer = await layerTar(sampleTree({ xattrs: true }), SAMPLE_EPOCH);
    assert.equal(`sha256:${createHash('sha256').update(layer).digest('hex')}`, tar2.result.diffId);
    assert.deepEqual(seen, [`sha256:${createHash('sha256').update(rootDirHeader(SAMPLE_EPOCH)).update(layer).digest('hex')}`], 'mkfs.erofs read the root directory, then exactly the layer tar');
    assert.equal(fileSha256(tar1.image), fileSha256(tar2.image), '--workers=2 makes the bytes --workers=1 makes');
    assert.equal(tar2.result.outputs.find((o) => o.kind === 'erofs')?.digest, `sha256:${fileSha256(tar2.image)}`);
    execFileSync(erofsTool('fsck.erofs'), [tar2.image], { stdio: 'pipe' });
    execFileSync(erofsTool('fsck.erofs'), [staged.image], { stdio: 'pipe' });
    const fromTar = normalized(await listTar(layer));
    const viaFuse = await withErofsfuse(tar2.image, async (mnt) => {
      assert.equal(statSync(mnt).mode & 0o7777, 0o755, 'the root directory is 0755, as in the staging tree (not mkfs.erofs --tar\'s 0777)');
      assert.match(capabilityOf(join(mnt, 'usr/bin/ping')), /security.capability=0x0100000200200000002000000000000000000000/);
      assert.deepEqual(normalized(listDirectory(mnt)), fromTar, 'the --tar image holds the layer tree (types, modes, owners, contents, links)');
      return normalized(listDirectory(mnt, true));
    });
    // as with 1.5 (-T): every inode's time is SOURCE_DATE_EPOCH, not the tar's
    for (const [p, l] of Object.entries(viaFuse)) assert.equal(l.mtime, SAMPLE_EPOCH, p);
    const viaLoop = await withLoopMount(staged.image, 'erofs', async (mnt) => normalized(listDirectory(mnt, true)));
    assert.deepEqual(viaFuse, viaLoop, 'the --tar image and the 1.5 staging-tree image hold the same tree');
    assert.notEqual(fileSha256(tar2.image), fileSha256(staged.image), 'not byte-identical: erofs-utils 1.8.6 lays the image out otherwise than 1.5 (docs/build.md)');
    // the same mkfs.erofs (1.8.6) from a staging tree: the very bytes of the --tar path
    const dest = join(staged.dir, 'staged-1.8.6.erofs');
    const entries = sampleTree({ xattrs: true });
    const env = withErofsUtils18();
    await writeErofs(entries, { dest, sourceDateEpoch: SAMPLE_EPOCH, digest: await treeDigest(entries, SAMPLE_EPOCH) }, { runner: processRunner, pageSize: 4096, privileged: true, env });
    assert.equal(fileSha256(dest), fileSha256(tar2.image), 'erofs-utils 1.8.6: --tar image = staging-tree image, byte for byte');
  } finally {
    for (const b of builds) rmSync(b.dir, { recursive: true, force: true });
  }
});

test('fexpod build --format erofs with erofs-utils 1.8.6 first on PATH: --tar path said in --verbose, reproducible (dirs, umask, TZ), same tree as 1.5, and a mkfs.erofs change is not an instant rebuild', req, async () => {
  const demo = await demoSetup();
  const dirs = [tempDir('erofs18-a'), tempDir('erofs18-bb')];
  const [a, b] = dirs as [string, string];
  const build = (dir: string, env: Record<string, string>, opts: { umask?: string } = {}) =>
    runFexpod(
      ['build', demo.defFile, '--locked', '--repo', demo.repoArg, '--format', 'erofs', '-o', join(dir, 'out'), '--cache-dir', join(dir, 'cache'), '--json', '--verbose'],
      { cwd: dir, env, ...opts },
    );
  const erofsOf = (stdout: string) => parseBuildJson(stdout).outputs.find((o) => o.kind === 'erofs') ?? assert.fail('no erofs output');
  try {
    await runFexpod(['lock', demo.defFile, '--repo', demo.repoArg]);
    const old = await build(a, { TZ: 'UTC' }); // Debian's 1.5
    assert.match(old.stderr, /has no --tar \(erofs-utils < 1\.6\): writing a staging tree/);
    const oldImage = erofsOf(old.stdout);

    const first = await build(a, { ...withErofsUtils18(), TZ: 'UTC' });
    assert.match(first.stderr, /reuse: mkfs\.erofs is mkfs\.erofs \(erofs-utils\) 1\.8\.6 sha256:[0-9a-f]{64}/);
    assert.match(first.stderr, /reuse: the inputs changed since the earlier build/, 'another mkfs.erofs is another key');
    assert.match(first.stderr, /erofs: \S+\/mkfs\.erofs \(mkfs\.erofs \(erofs-utils\) 1\.8\.6\): mkfs\.erofs --tar=f reads the layer's tar stream \(no staging tree, \d+ workers\)/);
    assert.equal((JSON.parse(first.stdout) as { reused?: boolean }).reused, undefined);
    const image = erofsOf(first.stdout);
    assert.notEqual(image.digest, oldImage.digest);

    const second = await build(b, { ...withErofsUtils18(), TZ: 'Asia/Tokyo' }, { umask: '077' });
    assert.equal(erofsOf(second.stdout).digest, image.digest, 'reproducible: another dir, umask and TZ, same bytes');
    const again = await build(a, { ...withErofsUtils18(), TZ: 'UTC' });
    assert.equal((JSON.parse(again.stdout) as { reused?: boolean }).reused, true, 'same mkfs.erofs, same inputs: reused');
    const back = await build(a, { TZ: 'UTC' });
    assert.equal((JSON.parse(back.stdout) as { reused?: boolean }).reused, undefined, 'back to 1.5: made again');
    assert.equal(erofsOf(back.stdout).digest, oldImage.digest, 'the 1.5 staging-tree path is reproducible on its own');

    // the demo's tree through both paths, extracted by fsck.erofs 1.8.6 (which checks every file)
    const x = [join(a, 'x-tar'), join(a, 'x-staged')] as const;
    fsckExtract(join(b, 'out', 'demo.erofs'), x[0]);
    fsckExtract(join(a, 'out', 'demo.erofs'), x[1]);
    assert.deepEqual(normalized(listDirectory(x[0])), normalized(listDirectory(x[1])));
    assert.equal(statSync(x[0]).mode & 0o7777, statSync(x[1]).mode & 0o7777, 'the root directory too');
    assert.ok(listDirectory(x[0]).size > 10);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await demo.close();
  }
});
