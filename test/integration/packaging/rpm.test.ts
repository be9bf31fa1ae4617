/**
 * packaging/fexpod.spec builds with rpmbuild -ba from git archive output
 * (packaging/make-sources.sh), and the packages hold what Fedora expects:
 * the hook, the drop-in, the binfmt.d and unit files at their paths,
 * fexpod-guest-init built with the distribution's flags in libexec (and found
 * there by the packaged application), the
 * bundled npm dependencies declared, scriptlets that set up and undo, an
 * SELinux module with the prefix's file context, no rpmlint errors (with
 * Fedora's filters), a unit systemd-analyze accepts, and an application that
 * runs from the payload with only the bundled dependencies.
 *
 * Here rpmbuild is Debian's (--nodeps: its rpmdb knows no Fedora package), and
 * the SELinux module is built with Debian's selinux-policy-dev Makefile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zlibWasm } from '../../../src/builder/layer/zlib-wasm.js';
import { checkHookJson } from '../../../src/runtime-hook/install/hook-files.js';
import { foreignArches } from '../../helpers/foreign-image.js';
import { fileExists, integration, onPath, repoRoot } from '../../helpers/integration.js';

const root = repoRoot();
const req = integration(
  ...['rpmbuild', 'rpmlint', 'rpm2cpio', 'cpio', 'git', 'make', 'bzip2', 'systemd-analyze', 'semodule_unpackage', 'man', 'zsh'].map(onPath),
  fileExists('/usr/share/selinux/devel/Makefile'),
  fileExists(join(root, '.git')),
);

function run(cmd: string, args: readonly string[], opts: { cwd?: string; input?: Buffer } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? root, input: opts.input, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

test('rpmbuild -ba packaging/fexpod.spec from git archive, and what the packages hold', { ...req, timeout: 20 * 60_000 }, async (t) => {
  const top = mkdtempSync(join(tmpdir(), 'fexpod-rpm-it-'));
  try {
    const src = run(join(root, 'packaging', 'make-sources.sh'), [join(top, 'SOURCES')]);
    assert.equal(src.status, 0, src.stderr);
    const build = run('rpmbuild', ['-ba', '--nodeps', '--define', `_topdir ${top}`, join(root, 'packaging', 'fexpod.spec')]);
    assert.equal(build.status, 0, build.stdout.slice(-4000) + build.stderr.slice(-4000));
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    // The main package is arch-specific (it carries fexpod-guest-init), for the build host's architecture.
    const arch = run('rpm', ['--eval', '%{_target_cpu}']).stdout.trim();
    const rpm = join(top, 'RPMS', arch, `fexpod-${version}-1.${arch}.rpm`);
    const selinux = join(top, 'RPMS', 'noarch', `fexpod-selinux-${version}-1.noarch.rpm`);
    const srpm = readdirSync(join(top, 'SRPMS')).map((f) => join(top, 'SRPMS', f));

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
        '/usr/libexec/fexpod/fexpod-guest-init',
        '/usr/share/bash-completion/completions/fexpod',
        '/usr/share/zsh/site-functions/_fexpod',
      ]) assert.ok(files.includes(p), `${p} in the package`);
      const man = files.filter((f) => /^\/usr\/share\/man\/man1\/fexpod.*\.1(\.gz)?$/.test(f)).map((f) => f.replace(/^.*\//, '').replace(/\.1(\.gz)?$/, ''));
      assert.ok(man.includes('fexpod') && man.includes('fexpod-setup') && man.includes('fexpod-build'), `man pages: ${man.join(', ')}`);
      assert.ok(!files.some((f) => f.includes('/node_modules/fexpod/node_modules/typescript')), 'no development dependency shipped');
      assert.ok(!files.some((f) => f.startsWith('/usr/lib/node_modules/fexpod/dist/test')), 'no tests shipped');
      const se = run('rpm', ['-qlp', selinux]).stdout.split('\n');
      assert.ok(se.includes('/usr/share/selinux/packages/targeted/fexpod.pp.bz2'));
    });

    // Debian's rpm has no debuginfo integration (Fedora's redhat-rpm-config adds %debug_package,
    // which strips the program into fexpod-debuginfo): here rpmlint warns that it is unstripped.
    await t.test('fexpod-guest-init: compiled in %build with the distribution\'s flags; the package is arch-specific, its SELinux part noarch', () => {
      const cflags = run('rpm', ['--eval', '%{build_cflags}']).stdout.trim();
      const log = build.stdout + build.stderr;
      const cc = log.split('\n').find((l) => l.startsWith('+ ') && l.includes('native/fexpod-guest-init.c'));
      assert.ok(cc?.includes(cflags), `compiled with %{build_cflags} (${cflags}): ${cc}`);
      assert.equal(run('rpm', ['-qp', '--qf', '%{ARCH}', rpm]).stdout, arch);
      assert.equal(run('rpm', ['-qp', '--qf', '%{ARCH}', selinux]).stdout, 'noarch');
    });

    await t.test('the bundled npm dependencies are declared as the generator gives them, and the bundled zlib', () => {
      const all = run('rpm', ['-qp', '--provides', rpm]).stdout.split('\n');
      assert.ok(all.includes('bundled(zlib) = 1.3.1'), 'bundled(zlib) = 1.3.1');
      const provides = all.filter((l) => l.startsWith('bundled(nodejs-'));
      const block = run(process.execPath, [join(root, 'packaging', 'bundled-provides.mjs')]).stdout;
      const want = [...block.matchAll(/^Provides:\s+(bundled\(\S+\) = \S+)$/gm)].map((m) => m[1]);
      assert.deepEqual(provides.sort(), want.sort());
      assert.ok(want.length > 5);
    });

    await t.test('scriptlets: setup on first install, undo on removal, refresh when FEX changes', () => {
      const scripts = run('rpm', ['-qp', '--scripts', rpm]).stdout;
      assert.match(scripts, /postinstall scriptlet[\s\S]*\/usr\/bin\/fexpod setup >/);
      assert.match(scripts, /preuninstall scriptlet[\s\S]*\/usr\/bin\/fexpod setup --undo/);
      const triggers = run('rpm', ['-qp', '--filetriggers', rpm]).stdout;
      assert.match(triggers, /transfiletriggerin[\s\S]*\/usr\/bin\/FEX[\s\S]*fexpod binfmt refresh/);
    });

    await t.test('rpmlint (Fedora\'s filters) reports no errors', () => {
      const lint = run('rpmlint', ['-c', join(root, 'packaging', 'rpmlint.toml'), rpm, selinux, ...srpm]);
      const summary = lint.stdout.split('\n').find((l) => / packages and \d+ specfiles checked/.test(l)) ?? '';
      t.diagnostic(summary);
      assert.match(summary, / 0 errors,/, lint.stdout.split('\n').filter((l) => l.includes(': E: ')).join('\n'));
    });

    const payload = join(top, 'root');
    mkdirSync(payload);
    const cpio = spawnSync('sh', ['-c', `rpm2cpio "${rpm}" | cpio -idm --quiet`], { cwd: payload, encoding: 'utf8' });
    assert.equal(cpio.status, 0, cpio.stderr);
    const app = join(payload, 'usr/lib/node_modules/fexpod');

    await t.test('the packaged application finds its fexpod-guest-init in libexec, and that program runs', () => {
      const guestInit = join(payload, 'usr/libexec/fexpod/fexpod-guest-init');
      const head = readFileSync(guestInit).subarray(0, 20);
      assert.equal(head.subarray(0, 4).toString('latin1'), '\x7fELF');
      const nodeHead = Buffer.alloc(20);
      const fd = openSync(process.execPath, 'r');
      readSync(fd, nodeHead, 0, 20, 0);
      closeSync(fd);
      assert.equal(head.readUInt16LE(18), nodeHead.readUInt16LE(18), 'built for this host\'s architecture (e_machine of node)');
      // `fexpod doctor` reports the one `fexpod binfmt install` would stage (exit 1: nothing registered here).
      const doctor = run(join(app, 'dist/src/cli.js'), ['doctor', '--json', '--state-dir', join(top, 'doctor-state')]);
      assert.equal(JSON.parse(doctor.stdout).guestInit, guestInit, doctor.stderr);
      // In the host's own namespaces it never registers: it runs the program through the interpreter.
      const r = run(guestInit, ['--interpreter', '/usr/bin/env', '--', 'echo', 'from the packaged guest init']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'from the packaged guest init\n');
      assert.match(r.stderr, /nothing to register; running the program through \/usr\/bin\/env/);
    });

    await t.test('the rendered hooks and drop-in name the installed paths (nothing of the build root)', () => {
      for (const [f, stage] of [['usr/share/fexpod/hooks.d/fexpod-precreate.json', 'precreate'], ['etc/containers/oci/hooks.d/fexpod-createruntime.json', 'createRuntime']] as const) {
        const text = readFileSync(join(payload, f), 'utf8');
        const hook = checkHookJson(text, stage);
        assert.equal(hook.path, '/usr/bin/node');
        assert.equal(hook.args[1], '/usr/lib/node_modules/fexpod/dist/hook/runtime-hook/hook-main.js');
        assert.ok(existsSync(join(payload, hook.args[1] ?? '')));
        assert.ok(hook.args.includes('/var/lib/fexpod/binfmt-state.json'));
      }
      const dropIn = readFileSync(join(payload, 'usr/share/containers/containers.conf.d/90-fexpod-hooks.conf'), 'utf8');
      assert.match(dropIn, /^hooks_dir = \["\/usr\/share\/containers\/oci\/hooks\.d", "\/usr\/share\/fexpod\/hooks\.d"\]$/m);
      for (const f of ['usr/share/fexpod/hooks.d/fexpod-precreate.json', 'usr/share/containers/containers.conf.d/90-fexpod-hooks.conf', 'usr/lib/systemd/system/fexpod-binfmt.service']) {
        assert.doesNotMatch(readFileSync(join(payload, f), 'utf8'), /BUILDROOT|@[A-Z_]+@/);
      }
    });

    await t.test('the packaged man pages render with man -l; the completion scripts pass bash -n and zsh -n', () => {
      const manDir = join(payload, 'usr/share/man/man1');
      const pages = readdirSync(manDir);
      assert.ok(pages.some((p) => p.startsWith('fexpod-setup.1')), pages.join(' '));
      for (const p of pages) {
        const r = spawnSync('man', ['-l', join(manDir, p)], { encoding: 'utf8', env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' } });
        assert.equal(r.status, 0, `${p}: ${r.stderr}`);
        assert.match(r.stdout, /^NAME$/m, p);
      }
      for (const [shell, f] of [['bash', 'usr/share/bash-completion/completions/fexpod'], ['zsh', 'usr/share/zsh/site-functions/_fexpod']] as const) {
        const r = spawnSync(shell, ['-n', join(payload, f)], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${shell} -n ${f}: ${r.stderr}`);
      }
    });

    await t.test('systemd-analyze verify accepts the packaged unit (its ExecStart resolved in the payload)', () => {
      // The payload plus the host's own units (sysinit.target, systemd-binfmt.service) as the root.
      for (const d of ['/usr/lib/systemd/system', '/lib/systemd/system']) {
        if (existsSync(d)) spawnSync('cp', ['-rn', `${d}/.`, join(payload, 'usr/lib/systemd/system')]);
      }
      const v = run('systemd-analyze', ['verify', `--root=${payload}`, '/usr/lib/systemd/system/fexpod-binfmt.service']);
      assert.equal(v.status, 0, v.stderr);
      assert.equal(v.stderr.trim(), '');
      const unit = readFileSync(join(payload, 'usr/lib/systemd/system/fexpod-binfmt.service'), 'utf8');
      assert.match(unit, /^ExecStart=\/usr\/bin\/fexpod binfmt refresh$/m);
    });

    await t.test('the SELinux package holds a module with the prefix\'s file context', () => {
      const se = join(top, 'se');
      mkdirSync(se);
      assert.equal(spawnSync('sh', ['-c', `rpm2cpio "${selinux}" | cpio -idm --quiet`], { cwd: se }).status, 0);
      const pp = join(se, 'module.pp');
      assert.equal(spawnSync('sh', ['-c', `bzip2 -dc usr/share/selinux/packages/targeted/fexpod.pp.bz2 > "${pp}"`], { cwd: se }).status, 0);
      const u = run('semodule_unpackage', [pp, join(se, 'fexpod.mod'), join(se, 'fexpod.fc')]);
      assert.equal(u.status, 0, u.stderr);
      assert.match(readFileSync(join(se, 'fexpod.fc'), 'utf8'), /^\/var\/lib\/fexpod\/prefix\(\/\.\*\)\?\s+system_u:object_r:container_ro_file_t:s0$/m);
    });

    await t.test('the gzip encoder: rebuilt in %build from the vendored zlib, packaged where the application loads it, deflating as the committed module', () => {
      assert.match(build.stdout + build.stderr, /build-zlib-wasm: \S*dist\/native\/zlib-deflate\.wasm \(\d+ bytes/);
      const packaged = zlibWasm(pathToFileURL(join(app, 'dist/native/zlib-deflate.wasm')));
      assert.equal(packaged.version, '1.3.1');
      const data = readFileSync(join(root, 'test/fixtures/corpus/comps-f41.xml.in'));
      for (const level of [1, 4, 9]) {
        const b = { data, dictionary: data.subarray(0, 32768), last: true, level };
        assert.ok(Buffer.from(packaged.deflateRaw(b)).equals(Buffer.from(zlibWasm().deflateRaw(b))), `level ${level}`);
      }
    });

    await t.test('the packaged application runs with only its bundled dependencies', () => {
      const cli = join(app, 'dist/src/cli.js');
      const help = run(cli, ['setup', '--help']);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /fexpod setup/);
      const g = foreignArches()[0]?.name ?? 'aarch64';
      const dry = run(cli, ['setup', '--dry-run', '--json', '--guest', g, '--emulator', 'qemu-user', '--state-dir', join(top, 'state'), '--no-systemd']);
      assert.equal(dry.status, 0, dry.stderr);
      const out = JSON.parse(dry.stdout);
      assert.equal(out.dryRun, true);
      const hook = out.changes.find((c: { path?: string }) => c.path === '/etc/fexpod/hooks.d/fexpod-precreate.json');
      assert.ok(hook?.text.includes(`${app}/dist/hook/runtime-hook/hook-main.js`), 'the hook it would install is the packaged CommonJS one');
      assert.equal(existsSync(join(top, 'state')), false, 'a dry run writes nothing');
    });
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
});
