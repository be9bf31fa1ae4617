/**
 * A stand-in for the x86-64 packages of Fedora's thunk sysroot (glibc-devel,
 * kernel-headers, gcc's crtbegin.o), for tests that cross-compile against a
 * sysroot fexpod built: no Fedora mirror is reachable here, so Debian's own
 * amd64 packages (libc6, libc6-dev, linux-libc-dev, libgcc-12-dev …, fetched
 * with apt-get download on any host architecture) are repackaged with rpmbuild
 * as one x86_64 RPM, "demo-sysroot-libc", with Fedora's merged /usr. Cached
 * by its inputs under the test cache.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Arch } from '../../src/common/arch.js';
import { cacheDir, debianPackages } from './foreign-image.js';
import { publishCached } from './demo-repo.js';

export const SYSROOT_LIBC_PACKAGE = 'demo-sysroot-libc';
const DEBS = ['libc6', 'libc6-dev', 'libcrypt1', 'libcrypt-dev', 'linux-libc-dev', 'libgcc-s1', 'libgcc-12-dev'];

const SPEC = `Name: ${SYSROOT_LIBC_PACKAGE}
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

function run(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, maxBuffer: 64 << 20 });
}

/** Builds (or reuses) the RPM; returns the directory holding it. */
export function standinSysrootRpms(): string {
  const debs = debianPackages(Arch.of('x86_64'), DEBS);
  const key = createHash('sha256').update('v1').update(SPEC).update(debs.map((d) => basename(d)).join('\n')).digest('hex').slice(0, 12);
  const final = join(cacheDir(), 'sysroot-rpms', key);
  if (existsSync(join(final, 'done'))) return final;
  const work = mkdtempSync(join(cacheDir(), 'sysroot-rpms-build-'));
  try {
    const tree = join(work, 'tree');
    for (const d of debs) run('dpkg-deb', ['-x', d, tree]);
    // Fedora's merged /usr: /lib, /lib64 move under /usr (the filesystem package makes them symlinks).
    for (const top of ['lib', 'lib64']) {
      if (!existsSync(join(tree, top))) continue;
      mkdirSync(join(tree, 'usr', top), { recursive: true });
      run('cp', ['-a', `${join(tree, top)}/.`, join(tree, 'usr', top)]);
      rmSync(join(tree, top), { recursive: true, force: true });
    }
    for (const d of ['share', 'bin', 'sbin']) rmSync(join(tree, 'usr', d), { recursive: true, force: true });
    for (const d of readdirSync(tree)) if (d !== 'usr') rmSync(join(tree, d), { recursive: true, force: true });
    const top = join(work, 'rpmbuild');
    mkdirSync(join(top, 'SOURCES'), { recursive: true });
    run('tar', ['--owner=0', '--group=0', '-C', tree, '-cf', join(top, 'SOURCES', 'tree.tar'), 'usr']);
    writeFileSync(join(work, 'sysroot-libc.spec'), SPEC);
    run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_binary_payload w19.zstdio', '--define', '_buildhost fexpod-test',
      '--define', 'use_source_date_epoch_as_buildtime 1', '--target', 'x86_64', '-bb', join(work, 'sysroot-libc.spec')],
    { ...process.env, SOURCE_DATE_EPOCH: '1700000000' });
    const out = join(work, 'out');
    mkdirSync(out);
    for (const a of readdirSync(join(top, 'RPMS'))) for (const f of readdirSync(join(top, 'RPMS', a))) renameSync(join(top, 'RPMS', a, f), join(out, f));
    return publishCached(out, final);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A sysroot definition over the demo repository (unsigned stand-in package: gpgcheck off). */
export function standinSysrootDefinition(name: string): string {
  return [
    '# Stand-in for images/thunks-sysroot-fedora.toml (test/helpers/standin-sysroot.ts)',
    `name = "${name}"`, 'release = 42', 'arches = ["x86_64"]', 'profile = "sysroot"',
    `packages = ["${SYSROOT_LIBC_PACKAGE}"]`,
    '[repos.demo]', 'baseurl = "http://127.0.0.1:8080/"', 'gpgcheck = false',
    '[profile_options]', 'relative_symlinks = true',
    'require = ["usr/lib/gcc/*/*/crtbegin.o", "usr/include/stdio.h", "usr/include/linux/version.h"]',
    '[outputs]', 'formats = ["oci", "sbom"]', 'tag = "42"', '',
  ].join('\n');
}
