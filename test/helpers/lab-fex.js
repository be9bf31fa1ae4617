"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.buildLabFexMaterial = buildLabFexMaterial;
/**
 * Test material for the FEX lab run (scripts/lab-true-direction.sh --fex), made on
 * the development host from Debian's own amd64 and i386 packages — no registry:
 *
 *   amd64-dynamic.tar   libc6 + coreutils + static busybox, plus /bin/busybox-execstack
 *   i386-dynamic.tar    the same for i386, plus /bin/busybox-nostack (no PT_GNU_STACK)
 *   x86/                x86-64 programs for FEX on the lab host: busybox (static), uname (dynamic)
 *   standin-rpms/       fex-standin-glibc, the stand-in for Fedora's glibc (and C.UTF-8 locale) in a FEX RootFS
 *
 *   node dist/test/helpers/lab-fex.js OUTDIR
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_path_1 = require("node:path");
const arch_js_1 = require("../../src/common/arch.js");
const elf_stack_js_1 = require("./elf-stack.js");
const foreign_image_js_1 = require("./foreign-image.js");
const integration_js_1 = require("./integration.js");
function addVariant(root, name, edit) {
    const src = (0, node_path_1.join)(root, 'bin', 'busybox');
    const dest = (0, node_path_1.join)(root, 'bin', name);
    (0, node_fs_1.writeFileSync)(dest, (0, elf_stack_js_1.editStack)((0, node_fs_1.readFileSync)(src), edit));
    (0, node_fs_1.chmodSync)(dest, 0o755);
}
function tarOf(root, tar) {
    (0, node_child_process_1.execFileSync)('tar', ['-C', root, '--numeric-owner', '-cf', tar, '.']);
}
function standinRpm(amd64Root, out) {
    const top = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_path_1.resolve)(out), '.rpmbuild-'));
    try {
        (0, node_fs_1.mkdirSync)((0, node_path_1.join)(top, 'SOURCES'), { recursive: true });
        (0, node_fs_1.copyFileSync)((0, node_path_1.join)(amd64Root, 'lib', 'x86_64-linux-gnu', 'libc.so.6'), (0, node_path_1.join)(top, 'SOURCES', 'libc.so.6'));
        (0, node_fs_1.copyFileSync)((0, node_path_1.join)(amd64Root, 'lib', 'x86_64-linux-gnu', 'ld-linux-x86-64.so.2'), (0, node_path_1.join)(top, 'SOURCES', 'ld-linux-x86-64.so.2'));
        (0, node_fs_1.copyFileSync)((0, node_path_1.join)(amd64Root, 'bin', 'uname'), (0, node_path_1.join)(top, 'SOURCES', 'uname'));
        // The C.UTF-8 locale (Debian's libc-bin), as Fedora's glibc langpacks put locales in a RootFS:
        // without it a guest under LANG=C.UTF-8 reads the host's files through FEX's fallback.
        const libcBin = (0, node_path_1.join)(top, 'libc-bin');
        for (const deb of (0, foreign_image_js_1.debianPackages)(arch_js_1.Arch.of('x86_64'), ['libc-bin']))
            (0, node_child_process_1.execFileSync)('dpkg-deb', ['-x', deb, libcBin]);
        (0, node_child_process_1.execFileSync)('tar', ['-C', (0, node_path_1.join)(libcBin, 'usr', 'lib', 'locale'), '-cf', (0, node_path_1.join)(top, 'SOURCES', 'C.utf8.tar'), 'C.utf8']);
        (0, node_child_process_1.execFileSync)('rpmbuild', [
            '--define', `_topdir ${top}`, '--define', '_binary_payload w19.zstdio',
            '--define', 'use_source_date_epoch_as_buildtime 1', '--define', 'clamp_mtime_to_source_date_epoch 1',
            '--target', 'x86_64', '-bb', (0, node_path_1.join)((0, integration_js_1.repoRoot)(), 'test', 'fixtures', 'lab-fex', 'fex-standin-glibc.spec'),
        ], { env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }, stdio: ['ignore', 'ignore', 'pipe'] });
        const rpms = (0, node_path_1.join)(out, 'standin-rpms');
        (0, node_fs_1.mkdirSync)(rpms, { recursive: true });
        for (const f of (0, node_fs_1.readdirSync)((0, node_path_1.join)(top, 'RPMS', 'x86_64')))
            (0, node_fs_1.renameSync)((0, node_path_1.join)(top, 'RPMS', 'x86_64', f), (0, node_path_1.join)(rpms, f));
    }
    finally {
        (0, node_fs_1.rmSync)(top, { recursive: true, force: true });
    }
}
function buildLabFexMaterial(out) {
    (0, node_fs_1.mkdirSync)((0, node_path_1.join)(out, 'x86'), { recursive: true });
    const report = [];
    const amd64 = (0, foreign_image_js_1.buildRootfs)(arch_js_1.Arch.of('x86_64'), 'dynamic', (0, node_path_1.join)(out, 'amd64-root'));
    const i386 = (0, foreign_image_js_1.buildRootfs)(arch_js_1.Arch.of('i386'), 'dynamic', (0, node_path_1.join)(out, 'i386-root'));
    try {
        addVariant(amd64, 'busybox-execstack', 'exec-stack');
        addVariant(i386, 'busybox-nostack', 'no-gnu-stack');
        addVariant(i386, 'busybox-execstack', 'exec-stack');
        for (const [root, names] of [[amd64, ['busybox', 'busybox-execstack']], [i386, ['busybox', 'busybox-nostack', 'busybox-execstack']]]) {
            for (const n of names)
                report.push(`${root.endsWith('amd64-root') ? 'amd64' : 'i386'} /bin/${n}: PT_GNU_STACK ${(0, elf_stack_js_1.stackOf)((0, node_fs_1.readFileSync)((0, node_path_1.join)(root, 'bin', n)))}`);
        }
        (0, node_fs_1.copyFileSync)((0, node_path_1.join)(amd64, 'bin', 'busybox'), (0, node_path_1.join)(out, 'x86', 'busybox'));
        (0, node_fs_1.copyFileSync)((0, node_path_1.join)(amd64, 'bin', 'uname'), (0, node_path_1.join)(out, 'x86', 'uname'));
        standinRpm(amd64, out);
        tarOf(amd64, (0, node_path_1.join)(out, 'amd64-dynamic.tar'));
        tarOf(i386, (0, node_path_1.join)(out, 'i386-dynamic.tar'));
    }
    finally {
        (0, node_fs_1.rmSync)(amd64, { recursive: true, force: true });
        (0, node_fs_1.rmSync)(i386, { recursive: true, force: true });
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
    for (const line of buildLabFexMaterial(dir))
        process.stdout.write(`${line}\n`);
}
