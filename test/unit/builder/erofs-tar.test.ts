/**
 * EroFS without a staging tree: where mkfs.erofs has --tar (erofs-utils >=
 * 1.6; Debian 12 has 1.5), the layer's tar stream goes to its stdin.
 *
 * This host's mkfs.erofs is 1.5, so the --tar path is tested to the boundary
 * with a STAND-IN runner: it answers --help as a newer mkfs.erofs would
 * (options written from erofs-utils' documented usage, not a capture) and,
 * for the build, consumes stdin the way mkfs.erofs --tar=f would and records
 * what it got. The arguments, the detection and the bytes sent are real; the
 * image it writes is not. The 1.5 fallback runs the real tool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { mkfsErofsTarArgs, parseMkfsErofsHelp, uuidFromDigest } from '../../../src/builder/outputs/erofs.js';
import { CommandFailed, processRunner, type CommandRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { integration, onPath } from '../../helpers/integration.js';
import { hostArch, sampleTree } from '../../helpers/sample-tree.js';

const HELP_18 = `usage: [options] FILE SOURCE(s)\n -b#                   set block size to # (# = page size by default)\n -zX[,Y][:...]         X=compressor\n -T#                   specify a fixed UNIX timestamp # as build time\n -UX                   use a given filesystem UUID\n --quiet               quiet execution (do not write anything to standard output.)\n --tar=X               generate a full or index-only image from a tarball(-ish) source\n --workers=#           set the number of worker threads used for compression\n\nAvailable compressors are: lz4, lz4hc, lzma, deflate, zstd\n`;
const HELP_15 = `usage: [options] FILE DIRECTORY\n -zX[,Y]               X=compressor\n -T#                   set a fixed UNIX timestamp # to all files\n --quiet               quiet execution\n\nAvailable compressors are: lz4hc, lz4\n`;

test('mkfs.erofs --help: --tar and --workers are detected (1.8-style help) and absent in 1.5', () => {
  assert.deepEqual(parseMkfsErofsHelp(HELP_18), { blockSizeFlag: true, compressors: ['lz4', 'lz4hc', 'lzma', 'deflate', 'zstd'], tar: true, workers: true });
  const old = parseMkfsErofsHelp(HELP_15);
  assert.equal(old.tar, false);
  assert.equal(old.workers, false);
  assert.throws(() => mkfsErofsTarArgs(old, { dest: 'x', sourceDateEpoch: 1, digest: 'sha256:0' }, 4096, 'img', 2), /no --tar/);
});

test('mkfs.erofs --tar arguments: stdin source, 4096-byte blocks, fixed time and UUID, workers', () => {
  const digest = `sha256:${'1'.repeat(64)}`;
  const args = mkfsErofsTarArgs(parseMkfsErofsHelp(HELP_18), { dest: 'x', sourceDateEpoch: 1234, digest }, 16384, '/o/img', 4);
  assert.deepEqual(args, ['--quiet', '-zlz4hc', '-T', '1234', '-U', uuidFromDigest(digest), '-b', '4096', '--tar=f', '--workers=4', '/o/img']);
});

test('stand-in mkfs.erofs with --tar: the layer pass streams the very tar to its stdin, no staging tree, said in --verbose', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-erofs-tar-'));
  const calls: { args: readonly string[]; stdinSha?: string }[] = [];
  const standIn: CommandRunner = {
    async run(file, args, opts) {
      if (file !== 'mkfs.erofs') return processRunner.run(file, args, opts);
      if (args.includes('--help')) throw new CommandFailed('mkfs.erofs', 1, '', HELP_18);
      const h = createHash('sha256');
      const input = opts?.input;
      if (input instanceof Uint8Array) h.update(input);
      else if (input) for await (const c of input) h.update(c);
      const call = { args, stdinSha: `sha256:${h.digest('hex')}` };
      calls.push(call);
      writeFileSync(args[args.length - 1] ?? '', `stand-in image of ${call.stdinSha}\n`);
      return { stdout: '', stderr: '' };
    },
  };
  const log = memoryLogger();
  try {
    const r = await writeOutputs(
      { entries: sampleTree(), formats: ['oci', 'erofs'], outDir: dir, names: defaultOutputNames('s'), arch: hostArch(), sourceDateEpoch: 1_700_000_000, image: { refName: 's:1', createdBy: 't' } },
      { runner: standIn, privileged: false, pageSize: 4096, env: process.env, log, workers: 2 },
    );
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.stdinSha, r.diffId, 'mkfs.erofs read exactly the layer tar');
    assert.ok(calls[0]?.args.includes('--tar=f'));
    assert.ok(calls[0]?.args.includes('--workers=2'));
    assert.ok(r.outputs.some((o) => o.kind === 'erofs'));
    assert.ok(log.lines.some((l) => /debug: erofs: mkfs.erofs --tar=f reads the layer's tar stream \(no staging tree, 2 workers\)/.test(l)), log.lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('real mkfs.erofs without --tar (erofs-utils 1.5 here): the staging-tree fallback is detected and said in --verbose', integration(onPath('mkfs.erofs')), async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-erofs-tar-'));
  const log = memoryLogger();
  try {
    const r = await writeOutputs(
      { entries: sampleTree(), formats: ['erofs'], outDir: dir, names: defaultOutputNames('s'), arch: hostArch(), sourceDateEpoch: 1_700_000_000, image: { refName: 's:1', createdBy: 't' } },
      { runner: processRunner, privileged: process.getuid?.() === 0, pageSize: 4096, env: process.env, log },
    );
    assert.ok(r.outputs.some((o) => o.kind === 'erofs'));
    const said = log.lines.find((l) => l.startsWith('debug: erofs:')) ?? '';
    const caps = parseMkfsErofsHelp((await processRunner.run('mkfs.erofs', ['--help']).catch((e: unknown) => (e instanceof CommandFailed ? { stdout: e.stdout, stderr: e.stderr } : { stdout: '', stderr: '' }))).stderr);
    assert.match(said, caps.tar ? /--tar=f/ : /has no --tar \(erofs-utils < 1\.6\): writing a staging tree/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
