"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
/**
 * What a relocatable emulator prefix costs.
 *
 *  1. Walking the library closure from ELF headers (resolveClosure) versus
 *     `ldd`, which is what a user would otherwise run to list the libraries
 *     (and which executes the binary's loader).
 *  2. Running the staged, patched dynamic QEMU versus the host's own
 *     /usr/bin/qemu-<arch> on a foreign static busybox: the RUNPATH lookup
 *     into the prefix should cost nothing measurable. Target ratio ≤ 1.02.
 *  3. Staging cold (copy + patchelf) and warm (reuse by digest).
 *
 * Needs qemu-user and patchelf; uses a temp state dir.
 */
const node_child_process_1 = require("node:child_process");
const node_fs_1 = require("node:fs");
const node_os_1 = require("node:os");
const node_path_1 = require("node:path");
const foreign_image_js_1 = require("../test/helpers/foreign-image.js");
const emulator_prefix_js_1 = require("../src/emulator/prefix/emulator-prefix.js");
const prefix_deps_js_1 = require("../src/emulator/prefix/prefix-deps.js");
const library_closure_js_1 = require("../src/emulator/prefix/library-closure.js");
const ld_so_conf_js_1 = require("../src/common/ld-so-conf.js");
const arch_js_1 = require("../src/common/arch.js");
const RUNS = Number(process.env['FEXPOD_BENCH_RUNS'] ?? 200);
const guest = (0, foreign_image_js_1.foreignArches)()[0];
if (!guest)
    throw new Error('no foreign architecture for this host');
const qemu = `/usr/bin/qemu-${guest.qemu}`;
const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const tmp = (0, node_fs_1.mkdtempSync)((0, node_path_1.join)((0, node_os_1.tmpdir)(), 'fexpod-prefix-bench-'));
try {
    const deps = (0, prefix_deps_js_1.nodePrefixDeps)();
    const host = arch_js_1.Arch.fromNode(process.arch);
    const dirs = [...(await (0, ld_so_conf_js_1.loadLdSoConfDirs)(deps)), ...(0, ld_so_conf_js_1.defaultLibraryDirs)(host)];
    // 1. closure walk vs ldd
    const walk = [];
    const ldd = [];
    for (let i = 0; i < 30; i++) {
        let t0 = process.hrtime.bigint();
        await (0, library_closure_js_1.resolveClosure)({ binaries: [{ path: qemu, name: 'q' }], systemDirs: dirs }, deps);
        walk.push(ms(t0));
        t0 = process.hrtime.bigint();
        (0, node_child_process_1.execFileSync)('ldd', [qemu], { stdio: 'ignore' });
        ldd.push(ms(t0));
    }
    // 3. staging cold / warm
    let t0 = process.hrtime.bigint();
    const staged = await (0, emulator_prefix_js_1.stagePrefix)(qemu, { stateDir: (0, node_path_1.join)(tmp, 'state') }, deps);
    const cold = ms(t0);
    t0 = process.hrtime.bigint();
    await (0, emulator_prefix_js_1.stagePrefix)(qemu, { stateDir: (0, node_path_1.join)(tmp, 'state') }, deps);
    const warm = ms(t0);
    // 2. staged vs host qemu
    const [deb] = (0, foreign_image_js_1.debianPackages)(guest, ['busybox-static']);
    const busybox = (0, node_path_1.join)(tmp, 'busybox');
    (0, node_fs_1.writeFileSync)(busybox, (0, node_child_process_1.execFileSync)('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO ./bin/busybox', 'sh', deb ?? ''], { maxBuffer: 1 << 26 }));
    (0, node_fs_1.chmodSync)(busybox, 0o755);
    const time = (file) => {
        const t = process.hrtime.bigint();
        const r = (0, node_child_process_1.spawnSync)(file, [busybox, 'true'], { stdio: 'ignore' });
        if (r.status !== 0)
            throw new Error(`${file} exited ${r.status ?? r.signal}`);
        return ms(t);
    };
    const viaPrefix = [];
    const direct = [];
    for (let i = 0; i < 20; i++)
        (time(staged.interpreter), time(qemu));
    for (let i = 0; i < RUNS; i++) {
        if (i % 2 === 0)
            (viaPrefix.push(time(staged.interpreter)), direct.push(time(qemu)));
        else
            (direct.push(time(qemu)), viaPrefix.push(time(staged.interpreter)));
    }
    const a = median(viaPrefix);
    const b = median(direct);
    process.stdout.write(`prefix: ${qemu}\n` +
        `  closure walk (ELF headers): median ${median(walk).toFixed(2)} ms; ldd: median ${median(ldd).toFixed(2)} ms; ratio walk/ldd ${(median(walk) / median(ldd)).toFixed(3)}\n` +
        `  staging: cold ${cold.toFixed(0)} ms, warm (reuse by digest) ${warm.toFixed(1)} ms\n` +
        `  ${guest.name} busybox true, ${RUNS} interleaved runs: staged ${a.toFixed(2)} ms vs host qemu ${b.toFixed(2)} ms; ratio ${(a / b).toFixed(3)} (target <= 1.02)\n`);
}
finally {
    (0, node_fs_1.rmSync)(tmp, { recursive: true, force: true });
}
