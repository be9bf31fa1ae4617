import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinfmtController, BinfmtError } from '../../../src/emulator/binfmt/binfmt-controller.js';
import { formatEntryFile, parseEntryFile } from '../../../src/emulator/binfmt/binfmt-entry.js';
import { parseRegistration, type BinfmtRule } from '../../../src/emulator/binfmt/binfmt-rule.js';
import { memoryLogger } from '../../../src/common/log.js';
import { repoRoot } from '../../helpers/integration.js';
import { FAKE_DIR, FakeBinfmtMisc, fakeWith } from './binfmt-fake.js';

const FIX = join(repoRoot(), 'test', 'fixtures', 'binfmt');
const line = (f: string) => readFileSync(join(FIX, f), 'utf8').split('\n').find((l) => l.startsWith(':')) ?? '';
const header = (f: string) => new Uint8Array(readFileSync(join(FIX, f)));
const DEBIAN_AARCH64 = line('debian-qemu-user-static-amd64.qemu-aarch64.conf');
const ARM64_BUSYBOX = header('debian-busybox-static-arm64.elf64');
const OURS: BinfmtRule = { ...parseRegistration(DEBIAN_AARCH64), name: 'fexpod-qemu-user-aarch64', interpreter: '/var/lib/fexpod/prefix/abc/bin/qemu-aarch64', flags: 'POF', spelling: undefined };

const controller = (fs: FakeBinfmtMisc) => new BinfmtController({ fs, log: memoryLogger(), dir: FAKE_DIR });

test('formatEntryFile reproduces the kernel text of a real entry', () => {
  const text = readFileSync(join(FIX, 'proc-entry.qemu-aarch64'), 'utf8');
  assert.equal(formatEntryFile(parseEntryFile('qemu-aarch64', text)), text);
});

test('ensureMounted mounts binfmt_misc when register is missing', async () => {
  const fs = new FakeBinfmtMisc({ mounted: false });
  await controller(fs).ensureMounted();
  assert.equal(fs.mounted, true);
});

test('register: new, then unchanged, then enabled again when someone disabled it', async () => {
  const fs = fakeWith([], [OURS.interpreter]);
  const c = controller(fs);
  assert.equal(await c.register(OURS), 'registered');
  assert.equal(await c.register(OURS), 'unchanged');
  await c.disable(OURS.name);
  assert.equal(await c.register(OURS), 'unchanged');
  assert.equal((await c.get(OURS.name))?.enabled, true);
  assert.equal(fs.entries.length, 1);
});

test('register replaces a different entry of the same name with no gap', async () => {
  const fs = fakeWith([], [OURS.interpreter, '/old/qemu-aarch64']);
  const c = controller(fs);
  await c.register({ ...OURS, interpreter: '/old/qemu-aarch64' });
  const handlers: (string | undefined)[] = [];
  fs.beforeWrite = () => handlers.push(fs.handlerFor(ARM64_BUSYBOX));
  assert.equal(await c.register(OURS), 'replaced');
  fs.beforeWrite = undefined;
  // At every step some fexpod entry handled arm64 binaries.
  assert.ok(handlers.every((h) => h === OURS.name || h === `${OURS.name}.fexpod-new`), handlers.join(','));
  assert.deepEqual(fs.entries.map((e) => e.rule.name), [OURS.name]);
  assert.equal(fs.entries[0]?.rule.interpreter, OURS.interpreter);
});

test('register tolerates EEXIST from a concurrent identical registration', async () => {
  const fs = fakeWith([], [OURS.interpreter]);
  let raced = false;
  fs.beforeWrite = (path, text) => {
    if (!raced && path.endsWith('/register')) {
      raced = true;
      fs.preload(text);
    }
  };
  assert.equal(await controller(fs).register(OURS), 'unchanged');
  assert.equal(fs.entries.length, 1);
});

test('register replaces a concurrent different registration', async () => {
  const fs = fakeWith([], [OURS.interpreter, '/other']);
  let raced = false;
  fs.beforeWrite = (path) => {
    if (!raced && path.endsWith('/register')) {
      raced = true;
      fs.preload(`:${OURS.name}:M::\\x7fELF::/other:F`);
    }
  };
  assert.equal(await controller(fs).register(OURS), 'replaced');
  assert.equal(fs.entries.length, 1);
  assert.equal(fs.entries[0]?.rule.interpreter, OURS.interpreter);
});

test('a missing F interpreter is explained', async () => {
  const fs = fakeWith([]);
  await assert.rejects(controller(fs).register(OURS), (err: unknown) => {
    assert.ok(err instanceof BinfmtError);
    assert.match(err.message, /ENOENT/);
    assert.match(err.fix ?? '', /does not exist/);
    return true;
  });
});

test('list reads every entry, restore re-registers a line disabled', async () => {
  const fs = fakeWith([DEBIAN_AARCH64, line('debian-qemu-user-static-amd64.qemu-arm.conf')]);
  const c = controller(fs);
  assert.deepEqual((await c.list()).map((e) => e.rule.name), ['qemu-aarch64', 'qemu-arm']);
  await c.remove('qemu-arm');
  await c.restore(parseRegistration(line('debian-qemu-user-static-amd64.qemu-arm.conf')), false);
  assert.equal((await c.get('qemu-arm'))?.enabled, false);
});
