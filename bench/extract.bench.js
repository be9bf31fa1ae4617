"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * What scriptless extraction costs, against what a user would otherwise run.
 * Builds one large RPM (this host's shared libraries below 512 KiB, ~400
 * files, 47 MB) with rpmbuild, in zstd and gzip payloads, then compares the median of:
 *   fexpod: extract + install into a tree + write the layer tar (sha256 only)
 *   rpm2cpio X | cpio -idm into a temp dir (which still lacks owners, caps
 *   and a tar: the least a user would do by hand)
 * zstd payloads go through the `zstd` program when present (fzstd otherwise).
 * Needs rpmbuild, rpm2cpio and cpio; prints figures, asserts nothing.
 */
const node_child_process_1 = require("node:child_process");
const node_crypto_1 = require("node:crypto");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const content_store_js_1 = require("../src/builder/tree/content-store.js");
const install_js_1 = require("../src/builder/tree/install.js");
const tar_writer_js_1 = require("../src/builder/layer/tar-writer.js");
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? '5');
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const work = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-bench-extract-'));
try {
    const spec = (0, node_path_1.join)(work, 'big.spec');
    (0, node_fs_1.writeFileSync)(spec, `Name: fexpod-bench-big
Version: 1
Release: 1
Summary: bench
License: MIT
%global _binaries_in_noarch_packages_terminate_build 0
BuildArch: noarch
%description
bench
%install
mkdir -p %{buildroot}/usr/lib64
find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*' -size -512k -exec cp {} %{buildroot}/usr/lib64/ \\;
%files
/usr/lib64
`);
    for (const payload of ['w19.zstdio', 'w9.gzdio']) {
        const top = (0, node_path_1.join)(work, `top-${payload}`);
        const b = (0, node_child_process_1.spawnSync)('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_binary_payload ${payload}`,
            '--define', '__os_install_post %{nil}', '--define', 'debug_package %{nil}', spec], { encoding: 'utf8' });
        if (b.status !== 0)
            throw new Error(`rpmbuild: ${b.stderr}`);
        const dir = (0, node_path_1.join)(top, 'RPMS', 'noarch');
        const rpm = (0, node_path_1.join)(dir, (0, node_fs_1.readdirSync)(dir)[0] ?? '');
        const ours = [];
        const theirs = [];
        let files = 0;
        for (let i = 0; i < RUNS; i++) {
            const spill = (0, node_path_1.join)(work, `spill-${i}`);
            const t0 = process.hrtime.bigint();
            const store = (0, content_store_js_1.spillContentStore)({ dir: spill });
            const { tree } = await (0, install_js_1.installRpmFiles)([rpm], { docs: true, langs: 'all', sourceDateEpoch: 1_700_000_000 }, store);
            const h = (0, node_crypto_1.createHash)('sha256');
            for await (const c of (0, tar_writer_js_1.tarChunks)(tree.values(), { sourceDateEpoch: 1_700_000_000 }))
                h.update(c);
            h.digest('hex');
            ours.push(Number(process.hrtime.bigint() - t0) / 1e6);
            files = tree.size;
            store.remove();
            const out = (0, node_path_1.join)(work, `cpio-${i}`);
            (0, node_child_process_1.spawnSync)('mkdir', [out]);
            const t1 = process.hrtime.bigint();
            const r = (0, node_child_process_1.spawnSync)('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --quiet', 'sh', rpm], { cwd: out });
            theirs.push(Number(process.hrtime.bigint() - t1) / 1e6);
            if (r.status !== 0)
                throw new Error('rpm2cpio | cpio failed');
            (0, node_fs_1.rmSync)(out, { recursive: true, force: true });
        }
        const a = median(ours);
        const c = median(theirs);
        process.stdout.write(`\n${payload} payload, ${files} tree entries, ${RUNS} runs\n`);
        process.stdout.write(`  fexpod extract+install+tar: median ${a.toFixed(0)} ms\n`);
        process.stdout.write(`  rpm2cpio | cpio -idm:       median ${c.toFixed(0)} ms\n`);
        process.stdout.write(`  ratio fexpod / rpm2cpio|cpio = ${(a / c).toFixed(2)}\n`);
    }
}
finally {
    (0, node_fs_1.rmSync)(work, { recursive: true, force: true });
}
