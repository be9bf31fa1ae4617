"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SYSROOT_LIBC_PACKAGE = void 0;
exports.standinSysrootRpms = standinSysrootRpms;
exports.standinSysrootDefinition = standinSysrootDefinition;
/**
 * A stand-in for the x86-64 packages of Fedora's thunk sysroot (glibc-devel,
 * kernel-headers, gcc's crtbegin.o), for tests that cross-compile against a
 * sysroot fexpod built: no Fedora mirror is reachable here, so Debian's own
 * amd64 packages (libc6, libc6-dev, linux-libc-dev, libgcc-12-dev …, fetched
 * with apt-get download on any host architecture) are repackaged with rpmbuild
 * as one x86_64 RPM, "demo-sysroot-libc", with Fedora's merged /usr. Cached
 * by its inputs under the test cache.
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../src/common/arch.js");
const foreign_image_js_1 = require("./foreign-image.js");
const demo_repo_js_1 = require("./demo-repo.js");
exports.SYSROOT_LIBC_PACKAGE = 'demo-sysroot-libc';
const DEBS = ['libc6', 'libc6-dev', 'libcrypt1', 'libcrypt-dev', 'linux-libc-dev', 'libgcc-s1', 'libgcc-12-dev'];
const SPEC = `Name: ${exports.SYSROOT_LIBC_PACKAGE}
Version: 1
Release: 1
Summary: Stand-in for glibc-devel, kernel-headers and gcc's startup files (Debian's amd64 packages)
License: LGPL-2.1-or-later AND GPL-2.0-only AND GPL-3.0-or-later WITH GCC-exception-3.1
Source0: tree.tar
AutoReqProv: no
# As glibc requires filesystem: the demo's usr-merge symlinks /lib, /lib64 (libc.so names /lib/…/libc.so.6).
Requires: demo-filesystem
%global debug_package %{nil}
%global __strip /bin/true
%global _build_id_links none
%global __brp_strip %{nil}
%global __os_install_post %{nil}

%description
Debian's x86-64 C library, its headers and gcc's crtbegin.o, repackaged for fexpod's tests.

%install
mkdir -p %{buildroot}
tar -C %{buildroot} -xf %{SOURCE0}

%files
/usr
`;
function run(cmd, args, env) {
    (0, node_child_process_1.execFileSync)(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, maxBuffer: 64 << 20 });
}
/** Builds (or reuses) the RPM; returns the directory holding it. */
function standinSysrootRpms() {
    const debs = (0, foreign_image_js_1.debianPackages)(arch_js_1.Arch.of('x86_64'), DEBS);
    const key = (0, node_crypto_1.createHash)('sha256').update('v1').update(SPEC).update(debs.map((d) => (0, node_path_1.basename)(d)).join('\n')).digest('hex').slice(0, 12);
    const final = (0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'sysroot-rpms', key);
    if ((0, node_fs_1.existsSync)((0, node_path_1.join)(final, 'done')))
        return final;
    const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, foreign_image_js_1.cacheDir)(), 'sysroot-rpms-build-'));
    try {
        const tree = (0, node_path_1.join)(work, 'tree');
        for (const d of debs)
            run('dpkg-deb', ['-x', d, tree]);
        // Fedora's merged /usr: /lib, /lib64 move under /usr (the filesystem package makes them symlinks).
        for (const top of ['lib', 'lib64']) {
            if (!(0, node_fs_1.existsSync)((0, node_path_1.join)(tree, top)))
                continue;
            (0, node_fs_1.mkdirSync)((0, node_path_1.join)(tree, 'usr', top), { recursive: true });
            run('cp', ['-a', `${(0, node_path_1.join)(tree, top)}/.`, (0, node_path_1.join)(tree, 'usr', top)]);
            (0, node_fs_1.rmSync)((0, node_path_1.join)(tree, top), { recursive: true, force: true });
        }
        for (const d of ['share', 'bin', 'sbin'])
            (0, node_fs_1.rmSync)((0, node_path_1.join)(tree, 'usr', d), { recursive: true, force: true });
        for (const d of (0, node_fs_1.readdirSync)(tree))
            if (d !== 'usr')
                (0, node_fs_1.rmSync)((0, node_path_1.join)(tree, d), { recursive: true, force: true });
        const top = (0, node_path_1.join)(work, 'rpmbuild');
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(top, 'SOURCES'), { recursive: true });
        run('tar', ['--owner=0', '--group=0', '-C', tree, '-cf', (0, node_path_1.join)(top, 'SOURCES', 'tree.tar'), 'usr']);
        (0, node_fs_1.writeFileSync)((0, node_path_1.join)(work, 'sysroot-libc.spec'), SPEC);
        run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_binary_payload w19.zstdio', '--define', '_buildhost fexpod-test',
            '--define', 'use_source_date_epoch_as_buildtime 1', '--target', 'x86_64', '-bb', (0, node_path_1.join)(work, 'sysroot-libc.spec')], { ...process.env, SOURCE_DATE_EPOCH: '1700000000' });
        const out = (0, node_path_1.join)(work, 'out');
        (0, node_fs_1.mkdirSync)(out);
        for (const a of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'RPMS')))
            for (const f of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'RPMS', a)))
                (0, node_fs_1.renameSync)((0, node_path_1.join)(top, 'RPMS', a, f), (0, node_path_1.join)(out, f));
        return (0, demo_repo_js_1.publishCached)(out, final);
    }
    finally {
        (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
    }
}
/** A sysroot definition over the demo repository (unsigned stand-in package: gpgcheck off). */
function standinSysrootDefinition(name) {
    return [
        '# Stand-in for images/thunks-sysroot-fedora.toml (test/helpers/standin-sysroot.ts)',
        `name = "${name}"`, 'release = 42', 'arches = ["x86_64"]', 'profile = "sysroot"',
        `packages = ["${exports.SYSROOT_LIBC_PACKAGE}"]`,
        '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
        '[profile_options]', 'relative_symlinks = true',
        'require = ["usr/lib/gcc/*/*/crtbegin.o", "usr/include/stdio.h", "usr/include/linux/version.h"]',
        '[outputs]', 'formats = ["oci", "sbom"]', 'tag = "42"', '',
    ].join('\n');
}
