import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definingFile, effectiveFiles, overrideText, parseBinfmtConf } from '../../../src/emulator/binfmt/binfmt-persist.js';
import { nodePersistFs } from '../../../src/emulator/binfmt/binfmt-node.js';
import { flockLocker, withStateLock } from '../../../src/emulator/binfmt/binfmt-lock.js';
import { fileStateStore } from '../../../src/emulator/binfmt/binfmt-state-file.js';
import { emptyInstallState } from '../../../src/emulator/binfmt/install-state.js';
import { repoRoot } from '../../helpers/integration.js';

const FIX = join(repoRoot(), 'test', 'fixtures', 'binfmt');
const AARCH64 = readFileSync(join(FIX, 'debian-qemu-user-static-amd64.qemu-aarch64.conf'), 'utf8').trim();
const ARM = readFileSync(join(FIX, 'debian-qemu-user-static-amd64.qemu-arm.conf'), 'utf8').trim();

test('parseBinfmtConf: # and ; comments and blank lines are not rules', () => {
  const lines = parseBinfmtConf(`# c\n; c\n\n${AARCH64}\n`);
  assert.deepEqual(lines.map((l) => l.rule?.name), [undefined, undefined, undefined, 'qemu-aarch64', undefined]);
});

test('overrideText keeps other rules and comments, undefined when nothing is left', () => {
  const text = `# vendor\n${AARCH64}\n${ARM}\n`;
  const o = overrideText(text, new Set(['qemu-aarch64']));
  assert.ok(o && o.includes(ARM) && !o.includes(AARCH64) && o.includes('# vendor'));
  assert.equal(overrideText(text, new Set(['qemu-aarch64', 'qemu-arm'])), undefined);
});

test('effectiveFiles: /etc hides /usr/lib by file name, a /dev/null symlink masks', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fexpod-binfmtd-'));
  try {
    const etc = join(root, 'etc');
    const lib = join(root, 'lib');
    mkdirSync(etc);
    mkdirSync(lib);
    writeFileSync(join(lib, 'qemu-aarch64.conf'), AARCH64 + '\n');
    writeFileSync(join(lib, 'qemu-arm.conf'), ARM + '\n');
    writeFileSync(join(lib, 'README'), 'not a conf');
    symlinkSync('/dev/null', join(etc, 'qemu-arm.conf'));
    const files = await effectiveFiles([etc, lib], nodePersistFs());
    assert.deepEqual(files.map((f) => [f.path, f.masked]), [
      [join(lib, 'qemu-aarch64.conf'), false],
      [join(etc, 'qemu-arm.conf'), true],
    ]);
    assert.equal(definingFile(files, 'qemu-aarch64')?.path, join(lib, 'qemu-aarch64.conf'));
    assert.equal(definingFile(files, 'qemu-arm'), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the state lock (real flock) lets one holder in at a time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-lock-'));
  try {
    const locker = flockLocker('flock', { PATH: process.env['PATH'] });
    const events: string[] = [];
    const hold = (who: string) =>
      withStateLock(dir, locker, async () => {
        events.push(`${who}+`);
        await new Promise((r) => setTimeout(r, 150));
        events.push(`${who}-`);
      });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    for (let i = 0; i < events.length; i += 2) assert.equal(events[i]?.[0], events[i + 1]?.[0], events.join(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the state file is written atomically and read back; missing reads as undefined', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fexpod-state-'));
  try {
    const store = fileStateStore(join(dir, 'sub'));
    assert.equal(await store.read(), undefined);
    const s = { ...emptyInstallState(), disabled: [{ entryName: 'qemu-aarch64', wasEnabled: true, registration: AARCH64, guest: 'aarch64' as const }] };
    await store.write(s);
    assert.deepEqual(await store.read(), s);
    await store.remove();
    assert.equal(await store.read(), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
