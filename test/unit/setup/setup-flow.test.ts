/**
 * `fexpod setup`, its dry run and its undo, over the fake kernel and real
 * files in a temporary tree laid out like a host (binfmt.d, hook and
 * containers.conf.d directories, systemd unit directory, state directory).
 * The acceptance on the real host is test/integration/setup/setup.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Arch } from '../../../src/common/arch.js';
import { memoryLogger } from '../../../src/common/log.js';
import { BinfmtController } from '../../../src/emulator/binfmt/binfmt-controller.js';
import type { BinfmtDeps, BinfmtEmulator } from '../../../src/emulator/binfmt/binfmt-install.js';
import { nodePersistFs } from '../../../src/emulator/binfmt/binfmt-node.js';
import { fileStateStore } from '../../../src/emulator/binfmt/binfmt-state-file.js';
import { ChangeLog } from '../../../src/setup/change-log.js';
import { recordingBinfmtFs } from '../../../src/setup/live-journal.js';
import { nodeSetupFiles } from '../../../src/setup/setup-files.js';
import { readJournal } from '../../../src/setup/setup-journal.js';
import { type ModeDeps, drySetup, journaledSetup } from '../../../src/setup/setup-modes.js';
import { installRootfs } from '../../../src/rootfs/rootfs-install.js';
import type { SetupOptions, StepReport } from '../../../src/setup/setup-run.js';
import { undoSetup } from '../../../src/setup/setup-undo.js';
import { repoRoot } from '../../helpers/integration.js';
import { FAKE_DIR, FakeBinfmtMisc } from '../emulator/binfmt-fake.js';

const FIX = join(repoRoot(), 'test', 'fixtures', 'binfmt');
const Q_AARCH64 = 'debian-qemu-user-static-amd64.qemu-aarch64.conf';
const vendorText = readFileSync(join(FIX, Q_AARCH64), 'utf8');
const vendorLine = vendorText.split('\n').find((l) => l.startsWith(':')) ?? '';
const ARM64 = new Uint8Array(readFileSync(join(FIX, 'debian-busybox-static-arm64.elf64')));
const DIGEST = 'c'.repeat(64);
const ADMIN_DROP_IN = '# an administrator\'s own file of the same name\n[engine]\nhooks_dir = ["/srv/hooks"]\n';

/** Every path under root with what it is: type, mode, bytes or link target. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      const st = lstatSync(p);
      const key = relative(root, p);
      if (st.isSymbolicLink()) out[key] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(p);
      } else out[key] = `file ${(st.mode & 0o7777).toString(8)} ${readFileSync(p, 'base64')}`;
    }
  };
  walk(root);
  return out;
}

function harness() {
  const root = mkdtempSync(join(tmpdir(), 'fexpod-setup-unit-'));
  const at = (p: string) => join(root, p);
  mkdirSync(at('usr/lib/binfmt.d'), { recursive: true });
  writeFileSync(at('usr/lib/binfmt.d/qemu-aarch64.conf'), vendorText);
  mkdirSync(at('etc/containers/containers.conf.d'), { recursive: true });
  writeFileSync(at('etc/containers/containers.conf.d/50-host.conf'), '[engine]\ncgroup_manager = "cgroupfs"\n');
  writeFileSync(at('etc/containers/containers.conf.d/90-fexpod-hooks.conf'), ADMIN_DROP_IN);
  mkdirSync(at('etc/systemd/system'), { recursive: true });
  mkdirSync(at('usr/lib/node_modules/fexpod'), { recursive: true });
  writeFileSync(at('usr/lib/node_modules/fexpod/hook-main.js'), '// stand-in hook script\n');
  const stateDir = at('var/lib/fexpod');
  const fake = new FakeBinfmtMisc();
  fake.preload(vendorLine);
  const prefix = join(stateDir, 'prefix', DIGEST);
  const emulator: BinfmtEmulator = {
    name: 'qemu-user',
    guests: ['aarch64'],
    interpreterPath: '/usr/bin/qemu-aarch64',
    static: false,
    version: 'qemu-aarch64 version 7.2.19',
    // Stages like stagePrefix does: a new directory named by the digest, reused when present.
    stage: async () => {
      if (!existsSync(prefix)) {
        mkdirSync(join(prefix, 'bin'), { recursive: true });
        writeFileSync(join(prefix, 'bin', 'qemu-aarch64'), 'stand-in emulator');
      }
      fake.interpreters.add(`${prefix}/bin/qemu-aarch64`);
      return { prefix, interpreter: `${prefix}/bin/qemu-aarch64` };
    },
    plan: async () => ({ prefix, interpreter: `${prefix}/bin/qemu-aarch64` }),
  };
  const opts: SetupOptions = {
    guests: [Arch.of('aarch64')],
    emulator: 'qemu-user',
    stateDir,
    persist: { dir: at('etc/binfmt.d'), vendorDirs: [at('usr/lib/binfmt.d')] },
    hook: {
      layout: {
        hooksDir: at('etc/fexpod/hooks.d'),
        confDir: at('etc/containers/containers.conf.d'),
        buildHooksDir: at('etc/containers/oci/hooks.d'),
        baseConfs: [at('usr/share/containers/containers.conf')],
        templates: join(repoRoot(), 'oci-hooks'),
      },
      paths: { node: process.execPath, hook: at('usr/lib/node_modules/fexpod/hook-main.js'), state: join(stateDir, 'binfmt-state.json'), log: at('var/log/fexpod/hook.log') },
    },
    unit: {
      dir: at('etc/systemd/system'),
      argv: ['/usr/bin/fexpod', 'binfmt', 'refresh', '--state-dir', stateDir],
      template: readFileSync(join(repoRoot(), 'systemd', 'fexpod-binfmt.service.in'), 'utf8'),
    },
  };
  const log = memoryLogger();
  const deps = (changes: ChangeLog, dry: boolean) => {
    const base: BinfmtDeps = {
      controller: new BinfmtController({ fs: recordingBinfmtFs(fake, changes, dry), log, dir: FAKE_DIR }),
      persistFs: nodePersistFs(),
      store: fileStateStore(stateDir),
      lock: (fn) => fn(),
      emulators: async () => [emulator],
      servedGuests: async () => [Arch.of('aarch64')],
      host: Arch.of('x86_64'),
      kernelRelease: '6.18.0-1-amd64',
      log,
    };
    return { base, files: nodeSetupFiles(), systemd: { present: true, vendorUnit: undefined }, changes, log };
  };
  const controller = new BinfmtController({ fs: fake, log, dir: FAKE_DIR });
  return { root, at, fake, opts, deps, controller, stateDir, prefix, log, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('dry run: lists every registration and file, changes nothing', async () => {
  const h = harness();
  try {
    const before = tree(h.root);
    const kernel = h.fake.snapshot();
    const changes = new ChangeLog();
    await drySetup(h.opts, h.deps(changes, true));
    assert.deepEqual(tree(h.root), before);
    assert.deepEqual(h.fake.snapshot(), kernel);
    const lines = changes.lines().map((l) => l.replaceAll(h.root, ''));
    assert.deepEqual(lines, [
      `stage     /var/lib/fexpod/prefix/${DIGEST} (qemu-user and its libraries)`,
      'write     /var/lib/fexpod/binfmt-state.json',
      'disable   binfmt entry qemu-aarch64',
      `register  binfmt entry fexpod-qemu-user-aarch64: :fexpod-qemu-user-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/var/lib/fexpod/prefix/${DIGEST}/bin/qemu-aarch64:POF`,
      `symlink   /var/lib/fexpod/prefix/fexpod-qemu-user-aarch64 -> /var/lib/fexpod/prefix/${DIGEST}`,
      'write     /etc/binfmt.d/fexpod-qemu-user-aarch64.conf',
      'symlink   /etc/binfmt.d/qemu-aarch64.conf -> /dev/null',
      'write     /etc/fexpod/hooks.d/fexpod-precreate.json',
      'write     /etc/containers/containers.conf.d/90-fexpod-hooks.conf',
      'write     /etc/containers/oci/hooks.d/fexpod-createruntime.json',
      'write     /etc/systemd/system/fexpod-binfmt.service',
      'symlink   /etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service -> /etc/systemd/system/fexpod-binfmt.service',
    ]);
    const unit = changes.changes.find((c) => c.kind === 'file' && c.path.endsWith('fexpod-binfmt.service') && c.text);
    assert.ok(unit?.kind === 'file' && unit.text?.includes(`ExecStart=/usr/bin/fexpod binfmt refresh --state-dir ${h.stateDir}\n`));
  } finally {
    h.cleanup();
  }
});

test('setup, then undo: the tree and binfmt_misc are back byte for byte (a replaced drop-in is restored)', async () => {
  const h = harness();
  try {
    const before = tree(h.root);
    const kernel = h.fake.snapshot();
    const changes = new ChangeLog();
    const { steps } = await journaledSetup(h.opts, h.deps(changes, false));
    assert.deepEqual(steps.map((s) => [s.step, s.status]), [['binfmt', 'done'], ['hook', 'done'], ['systemd', 'done']]);
    assert.equal(h.fake.handlerFor(ARM64), 'fexpod-qemu-user-aarch64');
    assert.equal(readlinkSync(h.at('etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service')), h.at('etc/systemd/system/fexpod-binfmt.service'));
    assert.notEqual(readFileSync(h.at('etc/containers/containers.conf.d/90-fexpod-hooks.conf'), 'utf8'), ADMIN_DROP_IN);
    const j = readJournal(h.stateDir);
    assert.deepEqual(j?.binfmtTouched, ['fexpod-qemu-user-aarch64', 'qemu-aarch64']);
    assert.ok(j?.createdDirs.includes(h.stateDir));
    assert.ok(j?.files.every((f) => f.after !== undefined));

    const r = await undoSetup(j ?? assert.fail('no journal'), h.controller, h.log);
    assert.deepEqual(h.fake.snapshot(), kernel);
    assert.deepEqual(tree(h.root), before);
    assert.ok(r.files.some((f) => f.path.endsWith('90-fexpod-hooks.conf') && f.how === 'restored'));
    assert.ok(r.binfmt.some((b) => b.name === 'qemu-aarch64' && b.how === 'enabled'));
  } finally {
    h.cleanup();
  }
});

test('a conflict that was already disabled: setup masks it, systemd-binfmt drops it, undo registers it again (disabled, as before)', async () => {
  const h = harness();
  try {
    await h.controller.disable('qemu-aarch64');
    const kernel = h.fake.snapshot();
    await journaledSetup(h.opts, h.deps(new ChangeLog(), false));
    const j = readJournal(h.stateDir) ?? assert.fail('no journal');
    assert.deepEqual(j.binfmtTouched, ['fexpod-qemu-user-aarch64'], 'setup had nothing to switch off');
    assert.equal(readlinkSync(h.at('etc/binfmt.d/qemu-aarch64.conf')), '/dev/null');
    // What a restart of systemd-binfmt does to a masked entry: it is gone.
    assert.ok(await h.controller.removeIfPresent('qemu-aarch64'));
    const r = await undoSetup(j, h.controller, h.log);
    assert.deepEqual(h.fake.snapshot(), kernel);
    assert.ok(r.binfmt.some((b) => b.name === 'qemu-aarch64' && b.how === 're-registered'));
  } finally {
    h.cleanup();
  }
});

test('setup is idempotent: a second run changes nothing, and undo still returns to the state before the first', async () => {
  const h = harness();
  try {
    const before = tree(h.root);
    const kernel = h.fake.snapshot();
    await journaledSetup(h.opts, h.deps(new ChangeLog(), false));
    const again = new ChangeLog();
    await journaledSetup(h.opts, h.deps(again, false));
    assert.deepEqual(again.lines(), []);
    await undoSetup(readJournal(h.stateDir) ?? assert.fail('no journal'), h.controller, h.log);
    assert.deepEqual(h.fake.snapshot(), kernel);
    assert.deepEqual(tree(h.root), before);
  } finally {
    h.cleanup();
  }
});

test('an interrupted setup can be undone from what the journal recorded so far', async () => {
  const h = harness();
  try {
    const before = tree(h.root);
    const kernel = h.fake.snapshot();
    // The hook step fails: its template directory is missing.
    const broken: SetupOptions = { ...h.opts, hook: { ...h.opts.hook, layout: { ...h.opts.hook.layout, templates: h.at('nowhere') } } };
    await assert.rejects(journaledSetup(broken, h.deps(new ChangeLog(), false)), /template/);
    const j = readJournal(h.stateDir) ?? assert.fail('no journal');
    assert.equal(j.binfmtTouched, undefined, 'the run did not finish');
    await undoSetup(j, h.controller, h.log);
    assert.deepEqual(h.fake.snapshot(), kernel);
    assert.deepEqual(tree(h.root), before);
  } finally {
    h.cleanup();
  }
});

test('undo leaves alone a replaced file that was edited after setup, and says where the old one is', async () => {
  const h = harness();
  try {
    await journaledSetup(h.opts, h.deps(new ChangeLog(), false));
    const dropIn = h.at('etc/containers/containers.conf.d/90-fexpod-hooks.conf');
    writeFileSync(dropIn, '# edited after setup\n');
    const r = await undoSetup(readJournal(h.stateDir) ?? assert.fail('no journal'), h.controller, h.log);
    const f = r.files.find((x) => x.path === dropIn);
    assert.equal(f?.how, 'left-alone');
    assert.match(f?.why ?? '', /setup-journal\.json/);
    assert.equal(readFileSync(dropIn, 'utf8'), '# edited after setup\n');
    assert.equal(existsSync(h.stateDir), false, 'the state directory setup created is gone');
  } finally {
    h.cleanup();
  }
});

test('a packaged hook and unit: setup only enables the unit and installs no second hook', async () => {
  const h = harness();
  try {
    const pkgHooks = h.at('usr/share/fexpod/hooks.d');
    mkdirSync(pkgHooks, { recursive: true });
    const hookJson = readFileSync(join(repoRoot(), 'oci-hooks', 'fexpod-precreate.json.in'), 'utf8')
      .replace('@NODE@', process.execPath)
      .replace('@HOOK@', h.opts.hook.paths.hook)
      .replace('@STATE@', h.opts.hook.paths.state)
      .replace('@LOG@', h.opts.hook.paths.log);
    writeFileSync(join(pkgHooks, 'fexpod-precreate.json'), hookJson);
    mkdirSync(h.at('usr/share/containers'), { recursive: true });
    writeFileSync(h.at('usr/share/containers/containers.conf'), `[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "${pkgHooks}"]\n`);
    rmSync(h.at('etc/containers/containers.conf.d/90-fexpod-hooks.conf'));
    const vendorUnit = h.at('usr/lib/systemd/system/fexpod-binfmt.service');
    mkdirSync(h.at('usr/lib/systemd/system'), { recursive: true });
    writeFileSync(vendorUnit, '[Unit]\n');
    const changes = new ChangeLog();
    const d = h.deps(changes, false);
    const { steps } = await journaledSetup(h.opts, { ...d, systemd: { present: true, vendorUnit } });
    const hook = steps.find((s) => s.step === 'hook');
    assert.equal(hook?.status, 'skipped');
    assert.equal(existsSync(h.at('etc/fexpod/hooks.d/fexpod-precreate.json')), false);
    assert.equal(existsSync(h.at('etc/systemd/system/fexpod-binfmt.service')), false);
    assert.equal(readlinkSync(h.at('etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service')), vendorUnit);
  } finally {
    h.cleanup();
  }
});

test('an administrator\'s own binfmt.d file: the dry run shows it moved aside and masked, the real run and undo put it back', async () => {
  const h = harness();
  try {
    mkdirSync(h.at('etc/binfmt.d'), { recursive: true });
    writeFileSync(h.at('etc/binfmt.d/qemu-aarch64.conf'), `# the administrator's copy\n${vendorLine}\n`);
    const before = tree(h.root);
    const dry = new ChangeLog();
    await drySetup(h.opts, h.deps(dry, true));
    assert.deepEqual(tree(h.root), before);
    const lines = dry.lines().map((l) => l.replaceAll(h.root, ''));
    assert.ok(lines.includes('rename    /etc/binfmt.d/qemu-aarch64.conf -> /etc/binfmt.d/qemu-aarch64.conf.fexpod-saved'), lines.join('\n'));
    assert.ok(lines.includes('symlink   /etc/binfmt.d/qemu-aarch64.conf -> /dev/null'), lines.join('\n'));
    const kernel = h.fake.snapshot();
    await journaledSetup(h.opts, h.deps(new ChangeLog(), false));
    assert.equal(readlinkSync(h.at('etc/binfmt.d/qemu-aarch64.conf')), '/dev/null');
    await undoSetup(readJournal(h.stateDir) ?? assert.fail('no journal'), h.controller, h.log);
    assert.deepEqual(tree(h.root), before);
    assert.deepEqual(h.fake.snapshot(), kernel);
  } finally {
    h.cleanup();
  }
});

// --rootfs: the RootFS step over `fexpod rootfs install`'s code, system-wide into the tree's
// usr/share/fex-emu. The image is a stand-in EroFS (the superblock magic at 1024, then filler):
// it is only copied and hashed here; the CLI test installs one mkfs.erofs made.
const FEX_CONFIG = '{ "Config": { "Multiblock": "1", "RootFS": "Ubuntu_24_04.sqsh" },\n  "ThunksDB": { "GL": 1 } }\n';

type RootfsDone = Extract<StepReport, { step: 'rootfs'; status: 'done' }>;
const rootfsStepOf = (steps: readonly StepReport[]) => steps.find((s): s is RootfsDone => s.step === 'rootfs' && s.status === 'done');

function standInErofs(path: string, bytes = (1 << 20) + 4096 * 100): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < b.length; i++) b[i] = (i * 31 + 7) & 0xff;
  b.writeUInt32LE(0xe0f5e1e2, 1024);
  writeFileSync(path, b);
  return b;
}

function withRootfs(h: ReturnType<typeof harness>) {
  const fexDir = h.at('usr/share/fex-emu');
  mkdirSync(fexDir, { recursive: true });
  writeFileSync(join(fexDir, 'Config.json'), FEX_CONFIG, { mode: 0o640 });
  const source = join(h.root, 'default.erofs');
  const image = standInErofs(source);
  const rootfs: ModeDeps['rootfs'] = (step, how) =>
    installRootfs(
      { source: step.source, scope: 'system', ...(step.name ? { name: step.name } : {}), dryRun: how.dryRun, keepOther: true },
      { paths: { env: {}, home: h.at('root'), exists: existsSync, globalDir: fexDir }, stateRoot: h.stateDir, now: () => 1_700_000_000_000, connect: () => Promise.reject(new Error('no registry in this test')), log: h.log, writes: how.writes },
    );
  const opts: SetupOptions = { ...h.opts, rootfs: { source } };
  const deps = (changes: ChangeLog, dry: boolean) => ({ ...h.deps(changes, dry), rootfs });
  return { fexDir, source, image, opts, deps, installed: join(fexDir, 'RootFS', 'default.erofs') };
}

test('--rootfs, dry run: lists the RootFS, Config.json and fexpod\'s record, writes nothing', async () => {
  const h = harness();
  try {
    const r = withRootfs(h);
    const before = tree(h.root);
    const changes = new ChangeLog();
    const steps = await drySetup(r.opts, r.deps(changes, true));
    assert.deepEqual(tree(h.root), before);
    const rootfsStep = rootfsStepOf(steps);
    assert.ok(rootfsStep?.result.dryRun === true && rootfsStep.result.changed);
    const lines = changes.lines().map((l) => l.replaceAll(h.root, ''));
    assert.deepEqual(lines.slice(-3), ['write     /usr/share/fex-emu/RootFS/default.erofs', 'write     /usr/share/fex-emu/Config.json', 'write     /var/lib/fexpod/rootfs/installed.json']);
    const cfg = changes.changes.find((c) => c.kind === 'file' && c.path === join(r.fexDir, 'Config.json'));
    assert.ok(cfg?.kind === 'file' && cfg.text !== undefined);
    assert.deepEqual(JSON.parse(cfg.text), { Config: { Multiblock: '1', RootFS: 'default.erofs' }, ThunksDB: { GL: 1 } });
  } finally {
    h.cleanup();
  }
});

test('--rootfs: installed byte for byte and named in Config.json; setup again changes nothing; undo removes it and restores Config.json exactly', async () => {
  const h = harness();
  try {
    const r = withRootfs(h);
    const before = tree(h.root);
    const kernel = h.fake.snapshot();
    const { steps } = await journaledSetup(r.opts, r.deps(new ChangeLog(), false));
    assert.deepEqual(steps.map((s) => s.step), ['binfmt', 'hook', 'systemd', 'rootfs']);
    assert.ok(readFileSync(r.installed).equals(r.image));
    assert.deepEqual(JSON.parse(readFileSync(join(r.fexDir, 'Config.json'), 'utf8')), { Config: { Multiblock: '1', RootFS: 'default.erofs' }, ThunksDB: { GL: 1 } });
    const j = readJournal(h.stateDir) ?? assert.fail('no journal');
    const img = j.files.find((f) => f.path === r.installed);
    assert.deepEqual(img?.before, { kind: 'absent' });
    assert.equal(img?.after?.kind, 'blob', 'the image is recorded by its digest, not its bytes');
    assert.ok(j.createdDirs.includes(join(r.fexDir, 'RootFS')));

    const again = new ChangeLog();
    const second = await journaledSetup(r.opts, r.deps(again, false));
    assert.deepEqual(again.lines(), []);
    assert.equal(rootfsStepOf(second.steps)?.result.changed, false);

    await undoSetup(readJournal(h.stateDir) ?? assert.fail('no journal'), h.controller, h.log);
    assert.deepEqual(tree(h.root), before, 'Config.json has its bytes and mode 640 back; RootFS/ and the image are gone');
    assert.deepEqual(h.fake.snapshot(), kernel);
  } finally {
    h.cleanup();
  }
});

test('--rootfs where another file of that name is installed: setup refuses (undo could not bring it back) and names the fix', async () => {
  const h = harness();
  try {
    const r = withRootfs(h);
    mkdirSync(join(r.fexDir, 'RootFS'));
    writeFileSync(r.installed, 'another RootFS');
    await assert.rejects(journaledSetup(r.opts, r.deps(new ChangeLog(), false)), (err: Error & { fix?: string }) => /exists and is not/.test(err.message) && /--rootfs-name/.test(err.fix ?? ''));
    assert.equal(readFileSync(r.installed, 'utf8'), 'another RootFS');
    assert.equal(readFileSync(join(r.fexDir, 'Config.json'), 'utf8'), FEX_CONFIG);
    await undoSetup(readJournal(h.stateDir) ?? assert.fail('no journal'), h.controller, h.log);
    assert.equal(readFileSync(r.installed, 'utf8'), 'another RootFS');
  } finally {
    h.cleanup();
  }
});
