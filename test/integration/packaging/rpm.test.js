"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * packaging/fexpod.spec builds with rpmbuild -ba from git archive output
 * (packaging/make-sources.sh), and the packages hold what Fedora expects:
 * the hook, the drop-in, the binfmt.d and unit files at their paths, the
 * bundled npm dependencies declared, scriptlets that set up and undo, an
 * SELinux module with the prefix's file context, no rpmlint errors (with
 * Fedora's filters), a unit systemd-analyze accepts, and an application that
 * runs from the payload with only the bundled dependencies.
 *
 * Here rpmbuild is Debian's (--nodeps: its rpmdb knows no Fedora package), and
 * the SELinux module is built with Debian's selinux-policy-dev Makefile.
 */
const node_test_1 = require("node:test");
const strict_1 = __importDefault(require("node:assert/strict"));
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const hook_files_js_1 = require("../../../src/runtime-hook/install/hook-files.js");
const foreign_image_js_1 = require("../../helpers/foreign-image.js");
const integration_js_1 = require("../../helpers/integration.js");
const root = (0, integration_js_1.repoRoot)();
const req = (0, integration_js_1.integration)(...['rpmbuild', 'rpmlint', 'rpm2cpio', 'cpio', 'git', 'make', 'bzip2', 'systemd-analyze', 'semodule_unpackage'].map(integration_js_1.onPath), (0, integration_js_1.fileExists)('/usr/share/selinux/devel/Makefile'), (0, integration_js_1.fileExists)((0, node_path_1.join)(root, '.git')));
function run(cmd, args, opts = {}) {
    const r = (0, node_child_process_1.spawnSync)(cmd, args, { cwd: opts.cwd ?? root, input: opts.input, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
(0, node_test_1.test)('rpmbuild -ba packaging/fexpod.spec from git archive, and what the packages hold', { ...req, timeout: 20 * 60_000 }, async (t) => {
    const top = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-rpm-it-'));
    try {
        const src = run((0, node_path_1.join)(root, 'packaging', 'make-sources.sh'), [(0, node_path_1.join)(top, 'SOURCES')]);
        strict_1.default.equal(src.status, 0, src.stderr);
        const build = run('rpmbuild', ['-ba', '--nodeps', '--define', `_topdir ${top}`, (0, node_path_1.join)(root, 'packaging', 'fexpod.spec')]);
        strict_1.default.equal(build.status, 0, build.stdout.slice(-4000) + build.stderr.slice(-4000));
        const version = JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(root, 'package.json'), 'utf8')).version;
        const rpm = (0, node_path_1.join)(top, 'RPMS', 'noarch', `fexpod-${version}-1.noarch.rpm`);
        const selinux = (0, node_path_1.join)(top, 'RPMS', 'noarch', `fexpod-selinux-${version}-1.noarch.rpm`);
        const srpm = (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'SRPMS')).map((f) => (0, node_path_1.join)(top, 'SRPMS', f));
        await t.test('rpm -qlp lists the hook, drop-in, binfmt.d and unit files at their Fedora paths', () => {
            const files = run('rpm', ['-qlp', rpm]).stdout.split('\n');
            for (const p of [
                '/usr/bin/fexpod',
                '/usr/lib/node_modules/fexpod/dist/src/cli.js',
                '/usr/lib/node_modules/fexpod/dist/hook/runtime-hook/hook-main.js',
                '/usr/share/fexpod/hooks.d/fexpod-precreate.json',
                '/usr/share/containers/containers.conf.d/90-fexpod-hooks.conf',
                '/etc/containers/oci/hooks.d/fexpod-createruntime.json',
                '/etc/binfmt.d/fexpod-FEX-x86_64.conf',
                '/etc/binfmt.d/fexpod-FEX-x86.conf',
                '/usr/lib/systemd/system/fexpod-binfmt.service',
                '/var/lib/fexpod/prefix',
            ])
                strict_1.default.ok(files.includes(p), `${p} in the package`);
            strict_1.default.ok(!files.some((f) => f.includes('/node_modules/fexpod/node_modules/typescript')), 'no development dependency shipped');
            strict_1.default.ok(!files.some((f) => f.startsWith('/usr/lib/node_modules/fexpod/dist/test')), 'no tests shipped');
            const se = run('rpm', ['-qlp', selinux]).stdout.split('\n');
            strict_1.default.ok(se.includes('/usr/share/selinux/packages/targeted/fexpod.pp.bz2'));
        });
        await t.test('the bundled npm dependencies are declared as the generator gives them', () => {
            const provides = run('rpm', ['-qp', '--provides', rpm]).stdout.split('\n').filter((l) => l.startsWith('bundled('));
            const block = run(process.execPath, [(0, node_path_1.join)(root, 'packaging', 'bundled-provides.mjs')]).stdout;
            const want = [...block.matchAll(/^Provides:\s+(bundled\(\S+\) = \S+)$/gm)].map((m) => m[1]);
            strict_1.default.deepEqual(provides.sort(), want.sort());
            strict_1.default.ok(want.length > 5);
        });
        await t.test('scriptlets: setup on first install, undo on removal, refresh when FEX changes', () => {
            const scripts = run('rpm', ['-qp', '--scripts', rpm]).stdout;
            strict_1.default.match(scripts, /postinstall scriptlet[\s\S]*\/usr\/bin\/fexpod setup >/);
            strict_1.default.match(scripts, /preuninstall scriptlet[\s\S]*\/usr\/bin\/fexpod setup --undo/);
            const triggers = run('rpm', ['-qp', '--filetriggers', rpm]).stdout;
            strict_1.default.match(triggers, /transfiletriggerin[\s\S]*\/usr\/bin\/FEX[\s\S]*fexpod binfmt refresh/);
        });
        await t.test('rpmlint (Fedora\'s filters) reports no errors', () => {
            const lint = run('rpmlint', ['-c', (0, node_path_1.join)(root, 'packaging', 'rpmlint.toml'), rpm, selinux, ...srpm]);
            const summary = lint.stdout.split('\n').find((l) => / packages and \d+ specfiles checked/.test(l)) ?? '';
            t.diagnostic(summary);
            strict_1.default.match(summary, / 0 errors,/, lint.stdout.split('\n').filter((l) => l.includes(': E: ')).join('\n'));
        });
        const payload = (0, node_path_1.join)(top, 'root');
        (0, node_fs_1.mkdirSync)(payload);
        const cpio = (0, node_child_process_1.spawnSync)('sh', ['-c', `rpm2cpio "${rpm}" | cpio -idm --quiet`], { cwd: payload, encoding: 'utf8' });
        strict_1.default.equal(cpio.status, 0, cpio.stderr);
        const app = (0, node_path_1.join)(payload, 'usr/lib/node_modules/fexpod');
        await t.test('the rendered hooks and drop-in name the installed paths (nothing of the build root)', () => {
            for (const [f, stage] of [['usr/share/fexpod/hooks.d/fexpod-precreate.json', 'precreate'], ['etc/containers/oci/hooks.d/fexpod-createruntime.json', 'createRuntime']]) {
                const text = (0, node_fs_1.readFileSync)((0, node_path_1.join)(payload, f), 'utf8');
                const hook = (0, hook_files_js_1.checkHookJson)(text, stage);
                strict_1.default.equal(hook.path, '/usr/bin/node');
                strict_1.default.equal(hook.args[1], '/usr/lib/node_modules/fexpod/dist/hook/runtime-hook/hook-main.js');
                strict_1.default.ok((0, node_fs_1.existsSync)((0, node_path_1.join)(payload, hook.args[1] ?? '')));
                strict_1.default.ok(hook.args.includes('/var/lib/fexpod/binfmt-state.json'));
            }
            const dropIn = (0, node_fs_1.readFileSync)((0, node_path_1.join)(payload, 'usr/share/containers/containers.conf.d/90-fexpod-hooks.conf'), 'utf8');
            strict_1.default.match(dropIn, /^hooks_dir = \["\/usr\/share\/containers\/oci\/hooks\.d", "\/usr\/share\/fexpod\/hooks\.d"\]$/m);
            for (const f of ['usr/share/fexpod/hooks.d/fexpod-precreate.json', 'usr/share/containers/containers.conf.d/90-fexpod-hooks.conf', 'usr/lib/systemd/system/fexpod-binfmt.service']) {
                strict_1.default.doesNotMatch((0, node_fs_1.readFileSync)((0, node_path_1.join)(payload, f), 'utf8'), /BUILDROOT|@[A-Z_]+@/);
            }
        });
        await t.test('systemd-analyze verify accepts the packaged unit (its ExecStart resolved in the payload)', () => {
            // The payload plus the host's own units (sysinit.target, systemd-binfmt.service) as the root.
            for (const d of ['/usr/lib/systemd/system', '/lib/systemd/system']) {
                if ((0, node_fs_1.existsSync)(d))
                    (0, node_child_process_1.spawnSync)('cp', ['-rn', `${d}/.`, (0, node_path_1.join)(payload, 'usr/lib/systemd/system')]);
            }
            const v = run('systemd-analyze', ['verify', `--root=${payload}`, '/usr/lib/systemd/system/fexpod-binfmt.service']);
            strict_1.default.equal(v.status, 0, v.stderr);
            strict_1.default.equal(v.stderr.trim(), '');
            const unit = (0, node_fs_1.readFileSync)((0, node_path_1.join)(payload, 'usr/lib/systemd/system/fexpod-binfmt.service'), 'utf8');
            strict_1.default.match(unit, /^ExecStart=\/usr\/bin\/fexpod binfmt refresh$/m);
        });
        await t.test('the SELinux package holds a module with the prefix\'s file context', () => {
            const se = (0, node_path_1.join)(top, 'se');
            (0, node_fs_1.mkdirSync)(se);
            strict_1.default.equal((0, node_child_process_1.spawnSync)('sh', ['-c', `rpm2cpio "${selinux}" | cpio -idm --quiet`], { cwd: se }).status, 0);
            const pp = (0, node_path_1.join)(se, 'module.pp');
            strict_1.default.equal((0, node_child_process_1.spawnSync)('sh', ['-c', `bzip2 -dc usr/share/selinux/packages/targeted/fexpod.pp.bz2 > "${pp}"`], { cwd: se }).status, 0);
            const u = run('semodule_unpackage', [pp, (0, node_path_1.join)(se, 'fexpod.mod'), (0, node_path_1.join)(se, 'fexpod.fc')]);
            strict_1.default.equal(u.status, 0, u.stderr);
            strict_1.default.match((0, node_fs_1.readFileSync)((0, node_path_1.join)(se, 'fexpod.fc'), 'utf8'), /^\/var\/lib\/fexpod\/prefix\(\/\.\*\)\?\s+system_u:object_r:container_ro_file_t:s0$/m);
        });
        await t.test('the packaged application runs with only its bundled dependencies', () => {
            const cli = (0, node_path_1.join)(app, 'dist/src/cli.js');
            const help = run(cli, ['setup', '--help']);
            strict_1.default.equal(help.status, 0, help.stderr);
            strict_1.default.match(help.stdout, /fexpod setup/);
            const g = (0, foreign_image_js_1.foreignArches)()[0]?.name ?? 'aarch64';
            const dry = run(cli, ['setup', '--dry-run', '--json', '--guest', g, '--emulator', 'qemu-user', '--state-dir', (0, node_path_1.join)(top, 'state'), '--no-systemd']);
            strict_1.default.equal(dry.status, 0, dry.stderr);
            const out = JSON.parse(dry.stdout);
            strict_1.default.equal(out.dryRun, true);
            const hook = out.changes.find((c) => c.path === '/etc/fexpod/hooks.d/fexpod-precreate.json');
            strict_1.default.ok(hook?.text.includes(`${app}/dist/hook/runtime-hook/hook-main.js`), 'the hook it would install is the packaged CommonJS one');
            strict_1.default.equal((0, node_fs_1.existsSync)((0, node_path_1.join)(top, 'state')), false, 'a dry run writes nothing');
        });
    }
    finally {
        (0, node_fs_1.rmSync)(top, { recursive: true, force: true });
    }
});
