"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * `fexpod setup`, its dry run and its undo, over the fake kernel and real
 * files in a temporary tree laid out like a host (binfmt.d, hook and
 * containers.conf.d directories, systemd unit directory, state directory).
 * The acceptance on the real host is test/integration/setup/setup.test.ts.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../../src/common/arch.js");
const log_js_1 = require("../../../src/common/log.js");
const binfmt_controller_js_1 = require("../../../src/emulator/binfmt/binfmt-controller.js");
const binfmt_node_js_1 = require("../../../src/emulator/binfmt/binfmt-node.js");
const binfmt_state_file_js_1 = require("../../../src/emulator/binfmt/binfmt-state-file.js");
const change_log_js_1 = require("../../../src/setup/change-log.js");
const live_journal_js_1 = require("../../../src/setup/live-journal.js");
const setup_files_js_1 = require("../../../src/setup/setup-files.js");
const setup_journal_js_1 = require("../../../src/setup/setup-journal.js");
const setup_modes_js_1 = require("../../../src/setup/setup-modes.js");
const setup_undo_js_1 = require("../../../src/setup/setup-undo.js");
const integration_js_1 = require("../../helpers/integration.js");
const binfmt_fake_js_1 = require("../emulator/binfmt-fake.js");
const FIX = (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'binfmt');
const Q_AARCH64 = 'debian-qemu-user-static-amd64.qemu-aarch64.conf';
const vendorText = (0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, Q_AARCH64), 'utf8');
const vendorLine = vendorText.split('\n').find((l) => l.startsWith(':')) ?? '';
const ARM64 = new Uint8Array((0, node_fs_1.readFileSync)((0, node_path_1.join)(FIX, 'debian-busybox-static-arm64.elf64')));
const DIGEST = 'c'.repeat(64);
const ADMIN_DROP_IN = '# an administrator\'s own file of the same name\n[engine]\nhooks_dir = ["/srv/hooks"]\n';
/** Every path under root with what it is: type, mode, bytes or link target. */
function tree(root) {
    const out = {};
    const walk = (d) => {
        for (const n of (0, node_fs_1.readdirSync)(d).sort()) {
            const p = (0, node_path_1.join)(d, n);
            const st = (0, node_fs_1.lstatSync)(p);
            const key = (0, node_path_1.relative)(root, p);
            if (st.isSymbolicLink())
                out[key] = `link ${(0, node_fs_1.readlinkSync)(p)}`;
            else if (st.isDirectory()) {
                out[key] = `dir ${(st.mode & 0o7777).toString(8)}`;
                walk(p);
            }
            else
                out[key] = `file ${(st.mode & 0o7777).toString(8)} ${(0, node_fs_1.readFileSync)(p, 'base64')}`;
        }
    };
    walk(root);
    return out;
}
function harness() {
    const root = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-setup-unit-'));
    const at = (p) => (0, node_path_1.join)(root, p);
    (0, node_fs_1.mkdirSync)(at('usr/lib/binfmt.d'), { recursive: true });
    (0, node_fs_1.writeFileSync)(at('usr/lib/binfmt.d/qemu-aarch64.conf'), vendorText);
    (0, node_fs_1.mkdirSync)(at('etc/containers/containers.conf.d'), { recursive: true });
    (0, node_fs_1.writeFileSync)(at('etc/containers/containers.conf.d/50-host.conf'), '[engine]\ncgroup_manager = "cgroupfs"\n');
    (0, node_fs_1.writeFileSync)(at('etc/containers/containers.conf.d/90-fexpod-hooks.conf'), ADMIN_DROP_IN);
    (0, node_fs_1.mkdirSync)(at('etc/systemd/system'), { recursive: true });
    (0, node_fs_1.mkdirSync)(at('usr/lib/node_modules/fexpod'), { recursive: true });
    (0, node_fs_1.writeFileSync)(at('usr/lib/node_modules/fexpod/hook-main.js'), '// stand-in hook script\n');
    const stateDir = at('var/lib/fexpod');
    const fake = new binfmt_fake_js_1.FakeBinfmtMisc();
    fake.preload(vendorLine);
    const prefix = (0, node_path_1.join)(stateDir, 'prefix', DIGEST);
    const emulator = {
        name: 'qemu-user',
        guests: ['aarch64'],
        interpreterPath: '/usr/bin/qemu-aarch64',
        static: false,
        version: 'qemu-aarch64 version 7.2.19',
        // Stages like stagePrefix does: a new directory named by the digest, reused when present.
        stage: async () => {
            if (!(0, node_fs_1.existsSync)(prefix)) {
                (0, node_fs_1.mkdirSync)((0, node_path_1.join)(prefix, 'bin'), { recursive: true });
                (0, node_fs_1.writeFileSync)((0, node_path_1.join)(prefix, 'bin', 'qemu-aarch64'), 'stand-in emulator');
            }
            fake.interpreters.add(`${prefix}/bin/qemu-aarch64`);
            return { prefix, interpreter: `${prefix}/bin/qemu-aarch64` };
        },
        plan: async () => ({ prefix, interpreter: `${prefix}/bin/qemu-aarch64` }),
    };
    const opts = {
        guests: [arch_js_1.Arch.of('aarch64')],
        emulator: 'qemu-user',
        stateDir,
        persist: { dir: at('etc/binfmt.d'), vendorDirs: [at('usr/lib/binfmt.d')] },
        hook: {
            layout: {
                hooksDir: at('etc/fexpod/hooks.d'),
                confDir: at('etc/containers/containers.conf.d'),
                buildHooksDir: at('etc/containers/oci/hooks.d'),
                baseConfs: [at('usr/share/containers/containers.conf')],
                templates: (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'oci-hooks'),
            },
            paths: { node: process.execPath, hook: at('usr/lib/node_modules/fexpod/hook-main.js'), state: (0, node_path_1.join)(stateDir, 'binfmt-state.json'), log: at('var/log/fexpod/hook.log') },
        },
        unit: {
            dir: at('etc/systemd/system'),
            argv: ['/usr/bin/fexpod', 'binfmt', 'refresh', '--state-dir', stateDir],
            template: (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'systemd', 'fexpod-binfmt.service.in'), 'utf8'),
        },
    };
    const log = (0, log_js_1.memoryLogger)();
    const deps = (changes, dry) => {
        const base = {
            controller: new binfmt_controller_js_1.BinfmtController({ fs: (0, live_journal_js_1.recordingBinfmtFs)(fake, changes, dry), log, dir: binfmt_fake_js_1.FAKE_DIR }),
            persistFs: (0, binfmt_node_js_1.nodePersistFs)(),
            store: (0, binfmt_state_file_js_1.fileStateStore)(stateDir),
            lock: (fn) => fn(),
            emulators: async () => [emulator],
            servedGuests: async () => [arch_js_1.Arch.of('aarch64')],
            host: arch_js_1.Arch.of('x86_64'),
            kernelRelease: '6.18.0-1-amd64',
            log,
        };
        return { base, files: (0, setup_files_js_1.nodeSetupFiles)(), systemd: { present: true, vendorUnit: undefined }, changes, log };
    };
    const controller = new binfmt_controller_js_1.BinfmtController({ fs: fake, log, dir: binfmt_fake_js_1.FAKE_DIR });
    return { root, at, fake, opts, deps, controller, stateDir, prefix, log, cleanup: () => (0, node_fs_1.rmSync)(root, { recursive: true, force: true }) };
}
(0, node_test_1.test)('dry run: lists every registration and file, changes nothing', async () => {
    const h = harness();
    try {
        const before = tree(h.root);
        const kernel = h.fake.snapshot();
        const changes = new change_log_js_1.ChangeLog();
        await (0, setup_modes_js_1.drySetup)(h.opts, h.deps(changes, true));
        strict_1.default.deepEqual(tree(h.root), before);
        strict_1.default.deepEqual(h.fake.snapshot(), kernel);
        const lines = changes.lines().map((l) => l.replaceAll(h.root, ''));
        strict_1.default.deepEqual(lines, [
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
        strict_1.default.ok(unit?.kind === 'file' && unit.text?.includes(`ExecStart=/usr/bin/fexpod binfmt refresh --state-dir ${h.stateDir}\n`));
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('setup, then undo: the tree and binfmt_misc are back byte for byte (a replaced drop-in is restored)', async () => {
    const h = harness();
    try {
        const before = tree(h.root);
        const kernel = h.fake.snapshot();
        const changes = new change_log_js_1.ChangeLog();
        const { steps } = await (0, setup_modes_js_1.journaledSetup)(h.opts, h.deps(changes, false));
        strict_1.default.deepEqual(steps.map((s) => [s.step, s.status]), [['binfmt', 'done'], ['hook', 'done'], ['systemd', 'done']]);
        strict_1.default.equal(h.fake.handlerFor(ARM64), 'fexpod-qemu-user-aarch64');
        strict_1.default.equal((0, node_fs_1.readlinkSync)(h.at('etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service')), h.at('etc/systemd/system/fexpod-binfmt.service'));
        strict_1.default.notEqual((0, node_fs_1.readFileSync)(h.at('etc/containers/containers.conf.d/90-fexpod-hooks.conf'), 'utf8'), ADMIN_DROP_IN);
        const j = (0, setup_journal_js_1.readJournal)(h.stateDir);
        strict_1.default.deepEqual(j?.binfmtTouched, ['fexpod-qemu-user-aarch64', 'qemu-aarch64']);
        strict_1.default.ok(j?.createdDirs.includes(h.stateDir));
        strict_1.default.ok(j?.files.every((f) => f.after !== undefined));
        const r = await (0, setup_undo_js_1.undoSetup)(j ?? strict_1.default.fail('no journal'), h.controller, h.log);
        strict_1.default.deepEqual(h.fake.snapshot(), kernel);
        strict_1.default.deepEqual(tree(h.root), before);
        strict_1.default.ok(r.files.some((f) => f.path.endsWith('90-fexpod-hooks.conf') && f.how === 'restored'));
        strict_1.default.ok(r.binfmt.some((b) => b.name === 'qemu-aarch64' && b.how === 'enabled'));
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('a conflict that was already disabled: setup masks it, systemd-binfmt drops it, undo registers it again (disabled, as before)', async () => {
    const h = harness();
    try {
        await h.controller.disable('qemu-aarch64');
        const kernel = h.fake.snapshot();
        await (0, setup_modes_js_1.journaledSetup)(h.opts, h.deps(new change_log_js_1.ChangeLog(), false));
        const j = (0, setup_journal_js_1.readJournal)(h.stateDir) ?? strict_1.default.fail('no journal');
        strict_1.default.deepEqual(j.binfmtTouched, ['fexpod-qemu-user-aarch64'], 'setup had nothing to switch off');
        strict_1.default.equal((0, node_fs_1.readlinkSync)(h.at('etc/binfmt.d/qemu-aarch64.conf')), '/dev/null');
        // What a restart of systemd-binfmt does to a masked entry: it is gone.
        strict_1.default.ok(await h.controller.removeIfPresent('qemu-aarch64'));
        const r = await (0, setup_undo_js_1.undoSetup)(j, h.controller, h.log);
        strict_1.default.deepEqual(h.fake.snapshot(), kernel);
        strict_1.default.ok(r.binfmt.some((b) => b.name === 'qemu-aarch64' && b.how === 're-registered'));
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('setup is idempotent: a second run changes nothing, and undo still returns to the state before the first', async () => {
    const h = harness();
    try {
        const before = tree(h.root);
        const kernel = h.fake.snapshot();
        await (0, setup_modes_js_1.journaledSetup)(h.opts, h.deps(new change_log_js_1.ChangeLog(), false));
        const again = new change_log_js_1.ChangeLog();
        await (0, setup_modes_js_1.journaledSetup)(h.opts, h.deps(again, false));
        strict_1.default.deepEqual(again.lines(), []);
        await (0, setup_undo_js_1.undoSetup)((0, setup_journal_js_1.readJournal)(h.stateDir) ?? strict_1.default.fail('no journal'), h.controller, h.log);
        strict_1.default.deepEqual(h.fake.snapshot(), kernel);
        strict_1.default.deepEqual(tree(h.root), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('an interrupted setup can be undone from what the journal recorded so far', async () => {
    const h = harness();
    try {
        const before = tree(h.root);
        const kernel = h.fake.snapshot();
        // The hook step fails: its template directory is missing.
        const broken = { ...h.opts, hook: { ...h.opts.hook, layout: { ...h.opts.hook.layout, templates: h.at('nowhere') } } };
        await strict_1.default.rejects((0, setup_modes_js_1.journaledSetup)(broken, h.deps(new change_log_js_1.ChangeLog(), false)), /template/);
        const j = (0, setup_journal_js_1.readJournal)(h.stateDir) ?? strict_1.default.fail('no journal');
        strict_1.default.equal(j.binfmtTouched, undefined, 'the run did not finish');
        await (0, setup_undo_js_1.undoSetup)(j, h.controller, h.log);
        strict_1.default.deepEqual(h.fake.snapshot(), kernel);
        strict_1.default.deepEqual(tree(h.root), before);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('undo leaves alone a replaced file that was edited after setup, and says where the old one is', async () => {
    const h = harness();
    try {
        await (0, setup_modes_js_1.journaledSetup)(h.opts, h.deps(new change_log_js_1.ChangeLog(), false));
        const dropIn = h.at('etc/containers/containers.conf.d/90-fexpod-hooks.conf');
        (0, node_fs_1.writeFileSync)(dropIn, '# edited after setup\n');
        const r = await (0, setup_undo_js_1.undoSetup)((0, setup_journal_js_1.readJournal)(h.stateDir) ?? strict_1.default.fail('no journal'), h.controller, h.log);
        const f = r.files.find((x) => x.path === dropIn);
        strict_1.default.equal(f?.how, 'left-alone');
        strict_1.default.match(f?.why ?? '', /setup-journal\.json/);
        strict_1.default.equal((0, node_fs_1.readFileSync)(dropIn, 'utf8'), '# edited after setup\n');
        strict_1.default.equal((0, node_fs_1.existsSync)(h.stateDir), false, 'the state directory setup created is gone');
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('a packaged hook and unit: setup only enables the unit and installs no second hook', async () => {
    const h = harness();
    try {
        const pkgHooks = h.at('usr/share/fexpod/hooks.d');
        (0, node_fs_1.mkdirSync)(pkgHooks, { recursive: true });
        const hookJson = (0, node_fs_1.readFileSync)((0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'oci-hooks', 'fexpod-precreate.json.in'), 'utf8')
            .replace('@NODE@', process.execPath)
            .replace('@HOOK@', h.opts.hook.paths.hook)
            .replace('@STATE@', h.opts.hook.paths.state)
            .replace('@LOG@', h.opts.hook.paths.log);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(pkgHooks, 'fexpod-precreate.json'), hookJson);
        (0, node_fs_1.mkdirSync)(h.at('usr/share/containers'), { recursive: true });
        (0, node_fs_1.writeFileSync)(h.at('usr/share/containers/containers.conf'), `[engine]\nhooks_dir = ["/usr/share/containers/oci/hooks.d", "${pkgHooks}"]\n`);
        (0, node_fs_1.rmSync)(h.at('etc/containers/containers.conf.d/90-fexpod-hooks.conf'));
        const vendorUnit = h.at('usr/lib/systemd/system/fexpod-binfmt.service');
        (0, node_fs_1.mkdirSync)(h.at('usr/lib/systemd/system'), { recursive: true });
        (0, node_fs_1.writeFileSync)(vendorUnit, '[Unit]\n');
        const changes = new change_log_js_1.ChangeLog();
        const d = h.deps(changes, false);
        const { steps } = await (0, setup_modes_js_1.journaledSetup)(h.opts, { ...d, systemd: { present: true, vendorUnit } });
        const hook = steps.find((s) => s.step === 'hook');
        strict_1.default.equal(hook?.status, 'skipped');
        strict_1.default.equal((0, node_fs_1.existsSync)(h.at('etc/fexpod/hooks.d/fexpod-precreate.json')), false);
        strict_1.default.equal((0, node_fs_1.existsSync)(h.at('etc/systemd/system/fexpod-binfmt.service')), false);
        strict_1.default.equal((0, node_fs_1.readlinkSync)(h.at('etc/systemd/system/systemd-binfmt.service.wants/fexpod-binfmt.service')), vendorUnit);
    }
    finally {
        h.cleanup();
    }
});
(0, node_test_1.test)('an administrator\'s own binfmt.d file: the dry run shows it moved aside and masked, the real run and undo put it back', async () => {
    const h = harness();
    try {
        (0, node_fs_1.mkdirSync)(h.at('etc/binfmt.d'), { recursive: true });
        (0, node_fs_1.writeFileSync)(h.at('etc/binfmt.d/qemu-aarch64.conf'), `# the administrator's copy\n${vendorLine}\n`);
        const before = tree(h.root);
        const dry = new change_log_js_1.ChangeLog();
        await (0, setup_modes_js_1.drySetup)(h.opts, h.deps(dry, true));
        strict_1.default.deepEqual(tree(h.root), before);
        const lines = dry.lines().map((l) => l.replaceAll(h.root, ''));
        strict_1.default.ok(lines.includes('rename    /etc/binfmt.d/qemu-aarch64.conf -> /etc/binfmt.d/qemu-aarch64.conf.fexpod-saved'), lines.join('\n'));
        strict_1.default.ok(lines.includes('symlink   /etc/binfmt.d/qemu-aarch64.conf -> /dev/null'), lines.join('\n'));
        const kernel = h.fake.snapshot();
        await (0, setup_modes_js_1.journaledSetup)(h.opts, h.deps(new change_log_js_1.ChangeLog(), false));
        strict_1.default.equal((0, node_fs_1.readlinkSync)(h.at('etc/binfmt.d/qemu-aarch64.conf')), '/dev/null');
        await (0, setup_undo_js_1.undoSetup)((0, setup_journal_js_1.readJournal)(h.stateDir) ?? strict_1.default.fail('no journal'), h.controller, h.log);
        strict_1.default.deepEqual(tree(h.root), before);
        strict_1.default.deepEqual(h.fake.snapshot(), kernel);
    }
    finally {
        h.cleanup();
    }
});
