/**
 * Test material for the FEX lab run (scripts/lab-true-direction.sh --fex), made on
 * the development host from Debian's own amd64 and i386 packages — no registry:
 *
 *   amd64-dynamic.tar   libc6 + coreutils + static busybox, plus /bin/busybox-execstack, and
 *                       libc-bin (its C.UTF-8 locale and `locale`)
 *   i386-dynamic.tar    the same for i386, plus /bin/busybox-nostack (no PT_GNU_STACK)
 *   x86/                x86-64 programs for FEX on the lab host: busybox (static), uname (dynamic)
 *   standin-rpms/       fex-standin-glibc, the stand-in for Fedora's glibc (and C.UTF-8 locale) in a FEX RootFS
 *   debs-arm64/         squashfuse for the lab guest (Debian arm64 packages; FEXServer mounts a
 *                       SquashFS RootFS with it; the guest has no network)
 *
 *   node dist/test/helpers/lab-fex.js OUTDIR
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Arch } from '../../src/common/arch.js';
import { editStack, stackOf, type StackEdit } from './elf-stack.js';
import { buildRootfs, debianPackages } from './foreign-image.js';
import { repoRoot } from './integration.js';

function addVariant(root: string, name: string, edit: StackEdit): void {
  const src = join(root, 'bin', 'busybox');
  const dest = join(root, 'bin', name);
  writeFileSync(dest, editStack(readFileSync(src), edit));
  chmodSync(dest, 0o755);
}

/** Debian's squashfuse and what the lab guest lacks of its dependencies, for dpkg -i there. */
function guestDebs(out: string): string[] {
  const dir = join(out, 'debs-arm64');
  mkdirSync(dir, { recursive: true });
  const debs = debianPackages(Arch.of('aarch64'), ['squashfuse', 'libsquashfuse0', 'liblzo2-2']);
  for (const d of debs) copyFileSync(d, join(dir, basename(d)));
  return debs.map((d) => `guest package ${basename(d)}`);
}

function tarOf(root: string, tar: string): void {
  execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', tar, '.']);
}

function standinRpm(amd64Root: string, out: string): void {
  const top = mkdtempSync(join(resolve(out), '.rpmbuild-'));
  try {
    mkdirSync(join(top, 'SOURCES'), { recursive: true });
    copyFileSync(join(amd64Root, 'lib', 'x86_64-linux-gnu', 'libc.so.6'), join(top, 'SOURCES', 'libc.so.6'));
    copyFileSync(join(amd64Root, 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2'), join(top, 'SOURCES', 'ld-linux-x86-64.so.2'));
    copyFileSync(join(amd64Root, 'bin', 'uname'), join(top, 'SOURCES', 'uname'));
    // The C.UTF-8 locale (Debian's libc-bin), as Fedora's glibc langpacks put locales in a RootFS:
    // without it a guest under LANG=C.UTF-8 reads the host's files through FEX's fallback.
    const libcBin = join(top, 'libc-bin');
    for (const deb of debianPackages(Arch.of('x86_64'), ['libc-bin'])) execFileSync('dpkg-deb', ['-x', deb, libcBin]);
    execFileSync('tar', ['-C', join(libcBin, 'usr', 'lib', 'locale'), '-cf', join(top, 'SOURCES', 'C.utf8.tar'), 'C.utf8']);
    execFileSync('rpmbuild', [
      '--define', `_topdir ${top}`, '--define', '_binary_payload w19.zstdio',
      '--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 1',
      '--target', 'x86_64', '-bb', join(repoRoot(), 'test', 'fixtures', 'lab-fex', 'fex-standin-glibc.spec'),
    ], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const rpms = join(out, 'standin-rpms');
    mkdirSync(rpms, { recursive: true });
    for (const f of readdirSync(join(top, 'RPMS', 'x86_64'))) renameSync(join(top, 'RPMS', 'x86_64', f), join(rpms, f));
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

export function buildLabFexMaterial(out: string): string[] {
  mkdirSync(join(out, 'x86'), { recursive: true });
  const report: string[] = [];
  const amd64 = buildRootfs(Arch.of('x86_64'), 'dynamic', join(out, 'amd64-root'));
  const i386 = buildRootfs(Arch.of('i386'), 'dynamic', join(out, 'i386-root'));
  try {
    addVariant(amd64, 'busybox-execstack', 'exec-stack');
    addVariant(i386, 'busybox-nostack', 'no-gnu-stack');
    addVariant(i386, 'busybox-execstack', 'exec-stack');
    for (const [root, names] of [[amd64, ['busybox', 'busybox-execstack']], [i386, ['busybox', 'busybox-nostack', 'busybox-execstack']]] as const) {
      for (const n of names) report.push(`${root.endsWith('amd64-root') ? 'amd64' : 'i386'} /bin/${n}: PT_GNU_STACK ${stackOf(readFileSync(join(root, 'bin', n)))}`);
    }
    copyFileSync(join(amd64, 'bin', 'busybox'), join(out, 'x86', 'busybox'));
    copyFileSync(join(amd64, 'bin', 'uname'), join(out, 'x86', 'uname'));
    standinRpm(amd64, out);
    for (const deb of debianPackages(Arch.of('x86_64'), ['libc-bin'])) execFileSync('dpkg-deb', ['-x', deb, amd64]);
    report.push(...guestDebs(out));
    tarOf(amd64, join(out, 'amd64-dynamic.tar'));
    tarOf(i386, join(out, 'i386-dynamic.tar'));
  } finally {
    rmSync(amd64, { recursive: true, force: true });
    rmSync(i386, { recursive: true, force: true });
  }
  return report;
}

// Run as a script, not when node --test walks dist/test/ and loads it.
const asScript = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (asScript && process.env['NODE_TEST_CONTEXT'] === undefined) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: node dist/test/helpers/lab-fex.js OUTDIR\n');
    process.exit(2);
  }
  for (const line of buildLabFexMaterial(dir)) process.stdout.write(`${line}\n`);
}
