/**
 * EroFS without a staging tree: where mkfs.erofs has --tar (erofs-utils >=
 * 1.6; Debian 12 has 1.5), the layer's tar stream goes to its stdin.
 *
 * Feature detection and arguments, from the real `--help` texts of erofs-utils
 * 1.5 and 1.8.6 (test/fixtures/erofs-utils/); the 1.5 fallback with the real
 * tool on PATH. The --tar path with the real erofs-utils 1.8.6:
 * test/integration/builder/erofs-tar.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLogger } from '../../../src/common/log.js';
import { mkfsErofsTarArgs, parseMkfsErofsHelp, uuidFromDigest } from '../../../src/builder/outputs/erofs.js';
import { CommandFailed, processRunner } from '../../../src/common/process-runner.js';
import { defaultOutputNames } from '../../../src/builder/outputs/output-plan.js';
import { writeOutputs } from '../../../src/builder/steps/outputs.js';
import { integration, onPath, repoRoot } from '../../helpers/integration.js';
import { hostArch, sampleTree } from '../../helpers/sample-tree.js';

const fixture = (name: string) => readFileSync(join(repoRoot(), 'test', 'fixtures', 'erofs-utils', name), 'utf8');
const HELP_18 = fixture('mkfs.erofs-1.8.6.help');
const HELP_15 = fixture('mkfs.erofs-1.5.help');

test('mkfs.erofs --help: --tar, -b, --workers and the compressors of 1.8.6; none of the three in 1.5', () => {
  assert.deepEqual(parseMkfsErofsHelp(HELP_18), { blockSizeFlag: true, compressors: ['lz4', 'lz4hc', 'lzma', 'deflate', 'zstd'], tar: true, workers: true });
  const old = parseMkfsErofsHelp(HELP_15);
  assert.deepEqual(old, { blockSizeFlag: false, compressors: ['lz4hc', 'lz4'], tar: false, workers: false });
  assert.throws(() => mkfsErofsTarArgs(old, { dest: 'x', sourceDateEpoch: 1, digest: 'sha256:0' }, 4096, 'img', 2), /no --tar/);
});

test('mkfs.erofs --tar arguments: stdin source, 4096-byte blocks, fixed time and UUID, workers', () => {
  const digest = `sha256:${'1'.repeat(64)}`;
  const args = mkfsErofsTarArgs(parseMkfsErofsHelp(HELP_18), { dest: 'x', sourceDateEpoch: 1234, digest }, 16384, '/o/img', 4);
  assert.deepEqual(args, ['--quiet', '-zlz4hc', '-T', '1234', '-U', uuidFromDigest(digest), '-b', '4096', '--tar=f', '--workers=4', '/o/img']);
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
